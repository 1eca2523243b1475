import { AutoTokenizer } from '@huggingface/transformers';
import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyTokenRules, type RowRules, type TokenRules } from '../src/token-rules.js';
import { stitchTranscript, type AsrDecoder } from '../src/transcript.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
const endOfText = 100;
const timestampBegin = 110;
const vocabulary = timestampBegin + 1501;
const rules: TokenRules = { endOfText, timestampBegin, controlTokens: [101, 102, 103, 104, 105, 106, 107, 108, 109], beginSuppressTokens: [5, endOfText], maxInitialTimestampIndex: 50 };
const withTimestamps: RowRules = { returnTimestamps: true, lastTimestampIndex: 1500 };
const ts = (index: number) => timestampBegin + index;

function allowed(generated: number[], row: RowRules = withTimestamps, logits = new Float32Array(vocabulary)): Set<number> {
  applyTokenRules(logits, generated, rules, row);
  return new Set([...logits.keys()].filter((token) => logits[token] !== Number.NEGATIVE_INFINITY));
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Whisper token rules', () => {
  it('never allows control tokens, and no timestamp at all without timestamps', () => {
    const tokens = allowed([3, 4], { returnTimestamps: false, lastTimestampIndex: 1500 });
    expect([...tokens].some((token) => token >= timestampBegin)).toBe(false);
    for (const token of rules.controlTokens) expect(tokens.has(token)).toBe(false);
    expect(tokens.has(endOfText)).toBe(true);
    expect(allowed([], { returnTimestamps: false, lastTimestampIndex: 1500 }).has(5)).toBe(false);
  });

  it('opens with a timestamp no later than max_initial_timestamp_index', () => {
    expect([...allowed([])].sort((left, right) => left - right)).toEqual(Array.from({ length: 51 }, (_, index) => ts(index)));
  });

  it('keeps timestamps in pairs, rising, and inside the window', () => {
    expect([...allowed([ts(10)])].some((token) => token >= timestampBegin)).toBe(false);
    const textLikely = new Float32Array(vocabulary).fill(-20, timestampBegin);
    const afterEnd = allowed([ts(10), 7, ts(40)], withTimestamps, textLikely);
    expect([...afterEnd].filter((token) => token < timestampBegin)).toEqual([endOfText]);
    expect(Math.min(...[...afterEnd].filter((token) => token >= timestampBegin))).toBe(ts(40));
    expect(Math.min(...[...allowed([ts(10), 7])].filter((token) => token >= timestampBegin))).toBe(ts(11));
    expect(Math.max(...allowed([ts(10), 7], { returnTimestamps: true, lastTimestampIndex: 200 }))).toBe(ts(200));
  });

  it('takes a timestamp when the timestamps together outweigh every text token', () => {
    const logits = new Float32Array(vocabulary).fill(0);
    const tokens = allowed([ts(10), 7], withTimestamps, logits);
    expect([...tokens].every((token) => token >= timestampBegin)).toBe(true);
    const textLikely = new Float32Array(vocabulary).fill(-20);
    textLikely[7] = 5;
    expect(allowed([ts(10), 7], withTimestamps, textLikely).has(7)).toBe(true);
  });
});

describe('stitching windows decoded under the rules', () => {
  let decoder: AsrDecoder;
  let realTimestampBegin = 0;
  let realEndOfText = 0;
  let controlTokens: number[] = [];
  let prompt: number[] = [];

  beforeAll(async () => {
    const { directory } = await forgeModel('Xenova/whisper-tiny', { root: modelRoot });
    const tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    decoder = tokenizer as unknown as AsrDecoder;
    realTimestampBegin = (tokenizer as unknown as { timestamp_begin: number }).timestamp_begin;
    realEndOfText = tokenizer.eos_token_id!;
    controlTokens = tokenizer.all_special_ids.filter((token) => token !== realEndOfText);
    prompt = [realEndOfText + 1, realEndOfText + 2, realTimestampBegin - 5];
  });

  it('gives ordered, non-overlapping segments inside the audio for random decodings of long audio', () => {
    const random = seededRandom(42);
    const realRules: TokenRules = { endOfText: realEndOfText, timestampBegin: realTimestampBegin, controlTokens, beginSuppressTokens: [], maxInitialTimestampIndex: 50 };
    const size = realTimestampBegin + 1501;
    for (let trial = 0; trial < 80; trial += 1) {
      const duration = 5 + random() * 95;
      const windows: Array<{ tokens: number[]; stride: [number, number, number] }> = [];
      for (let offset = 0; ; offset += 20) {
        const length = Math.min(30, duration - offset);
        const isLast = offset + 30 >= duration;
        const generated: number[] = [];
        const budget = 1 + Math.floor(random() * 60);
        while (generated.length < budget) {
          const logits = Float32Array.from({ length: size }, () => random() * 8 - 4);
          if (random() < 0.3) logits.fill(-6, realTimestampBegin);
          applyTokenRules(logits, generated, realRules, { returnTimestamps: true, lastTimestampIndex: Math.ceil(length / 0.02) });
          const next = logits.indexOf(Math.max(...logits));
          if (next === realEndOfText) break;
          generated.push(next);
        }
        windows.push({ tokens: [...prompt, ...generated], stride: [length, offset === 0 ? 0 : 5, isLast ? 0 : 5] });
        if (isLast) break;
      }
      const { chunks } = stitchTranscript(decoder, windows, { returnTimestamps: true, timePrecision: 0.02, duration });
      let previousEnd = 0;
      for (const chunk of chunks!) {
        expect(chunk.start, `trial ${trial}`).toBeGreaterThanOrEqual(previousEnd);
        expect(chunk.end, `trial ${trial}`).toBeGreaterThanOrEqual(chunk.start);
        expect(chunk.end, `trial ${trial}`).toBeLessThanOrEqual(Math.round(duration * 100) / 100);
        expect(chunk.text.length).toBeGreaterThan(0);
        previousEnd = chunk.end;
      }
    }
  });
});
