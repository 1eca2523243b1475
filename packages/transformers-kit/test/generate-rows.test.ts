import { forgeModel } from '@accel/model-forge';
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemControl } from '@accel/core';
import { generateRows, resolveGenerationOptions } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
let model: PreTrainedModel;
let tokenizer: PreTrainedTokenizer;
let eos: number;

beforeAll(async () => {
  env.allowRemoteModels = false;
  const { directory } = await forgeModel('Xenova/gpt2', { root: modelRoot });
  model = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
  tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
  tokenizer.padding_side = 'left';
  eos = Number(tokenizer.convert_tokens_to_ids('<|endoftext|>'));
});

function control(pieces: string[], signal = new AbortController().signal): ItemControl {
  return { signal, emit: (text) => pieces.push(text) };
}

async function run(prompts: string[], options: Parameters<typeof resolveGenerationOptions>[0][], controls?: ItemControl[]) {
  const inputs = tokenizer(prompts, { padding: true });
  return generateRows({
    model: model as never,
    tokenizer: tokenizer as never,
    inputs,
    rows: options.map((option, index) => ({ options: resolveGenerationOptions(option), ...(controls ? { control: controls[index]! } : {}) })),
    eosTokenIds: [eos],
  });
}

describe('generateRows on a forged GPT-2 (transformers.js generate)', () => {
  it('matches transformers.js greedy generation token for token', async () => {
    const [row] = await run(['the cat sat'], [{ maxNewTokens: 8 }]);
    const reference = (await model.generate({ ...tokenizer('the cat sat'), max_new_tokens: 8, do_sample: false })) as { tolist(): bigint[][] };
    const promptLength = tokenizer('the cat sat').input_ids.dims[1]!;
    const expected = reference.tolist()[0]!.slice(promptLength).map(Number);
    const cut = expected.indexOf(eos);
    expect(row!.tokens).toEqual(cut === -1 ? expected : expected.slice(0, cut));
  });

  it('gives each row its own stop: maxNewTokens per row, streamed pieces add up to the text', async () => {
    const pieces: string[][] = [[], []];
    const rows = await run(['hello there', 'a'], [{ maxNewTokens: 3 }, { maxNewTokens: 6 }], [control(pieces[0]!), control(pieces[1]!)]);
    expect(rows[0]!.tokens.length).toBeLessThanOrEqual(3);
    expect(rows[1]!.tokens.length).toBeLessThanOrEqual(6);
    rows.forEach((row, index) => {
      expect(pieces[index]!.join('')).toBe(row.text);
      if (row.stopReason === 'length') expect(row.timings.tokensGenerated).toBe(index === 0 ? 3 : 6);
    });
  });

  it('is reproducible for a seed when sampling', async () => {
    const sample = { maxNewTokens: 8, temperature: 1.5, seed: 42 };
    const [first] = await run(['once upon'], [sample]);
    const [second] = await run(['once upon'], [sample]);
    expect(first!.tokens).toEqual(second!.tokens);
  });

  it('stops a row whose signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const [row] = await run(['the'], [{ maxNewTokens: 8 }], [control([], controller.signal)]);
    expect(row!.stopReason).toBe('aborted');
    expect(row!.tokens.length).toBe(0);
  });
});
