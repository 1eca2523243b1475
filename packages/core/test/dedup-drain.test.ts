import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, Accel } from '../src/index.js';
import { contentId } from '../src/scheduler/content-id.js';
import { arithmeticBackend, doublingSkill } from './fixtures/arithmetic.js';
import { makeModelFolder } from './fixtures/model-folder.js';

let model: string;
beforeAll(async () => {
  model = await makeModelFolder();
});

function registry(options: { deduplicate?: boolean; runDelayMs?: number } = {}) {
  const backend = arithmeticBackend({ runDelayMs: options.runDelayMs ?? 10 });
  const accel = new Accel({ backends: [backend], skills: [doublingSkill] });
  accel.addEndpoint({ skill: doublingSkill, model, backend: 'arithmetic', ...(options.deduplicate === undefined ? {} : { deduplicate: options.deduplicate }) });
  return { accel, backend };
}

describe('content id', () => {
  it('is the same for equal content whatever the key order, and differs for different bytes', async () => {
    expect(await contentId({ a: 1, b: 'x' })).toBe(await contentId({ b: 'x', a: 1 }));
    expect(await contentId(Float32Array.from([1, 2]))).not.toBe(await contentId(Float32Array.from([1, 3])));
    expect(await contentId('1')).not.toBe(await contentId(1));
    expect(await contentId('abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable: the documented encoding of strings (UTF-8 lengths, emoji, a lone surrogate), typed arrays and scalars', async () => {
    // SHA-256 of the canonical encoding; pinned so that ids stay comparable across versions.
    expect(await contentId('abc')).toBe('aed16c6c289deb13e9fee0adb123d3388e74b2b094211891b116f16a94ba8772');
    expect(await contentId('e', 'embed', [{ text: 'héllo wörld 😀 \ud800x', pooling: 'mean' }], Float32Array.from([1, 2]), null, undefined, 3, true, 5n)).toBe(
      'ed70b24c812d4eccce5c22d4e478887faf7aa2a4e9d13f1a91c31cbd9dd2bda2',
    );
  });
});

describe('deduplication', () => {
  it('merges identical in-flight requests into one run', async () => {
    const { accel, backend } = registry();
    await accel.init();
    const [first, second, other] = await Promise.all([accel.infer(doublingSkill, [7, 8]), accel.infer(doublingSkill, [7, 8]), accel.infer(doublingSkill, [9])]);
    expect(first.output).toEqual([14, 16]);
    expect(second.output).toEqual([14, 16]);
    expect(other.output).toEqual([18]);
    expect(backend.batches.flat().sort()).toEqual([7, 8, 9]);
    expect(first.provenance.contentId).toBe(second.provenance.contentId);
    expect([first.provenance.deduplicated, second.provenance.deduplicated]).toEqual([false, true]);
  });

  it('merges a request into a lone one already running, whose id was computed after its batch started', async () => {
    const { accel, backend } = registry({ runDelayMs: 40 });
    await accel.init();
    const lone = accel.infer(doublingSkill, [4, 5]);
    // Past the turn in which the lone request's batch started and its id was computed.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const [first, second, third] = await Promise.all([lone, accel.infer(doublingSkill, [4, 5]), accel.infer(doublingSkill, [5, 4])]);
    expect(second.output).toEqual([8, 10]);
    expect(backend.batches).toEqual([[4, 5], [5, 4]]);
    expect([first.provenance.deduplicated, second.provenance.deduplicated, third.provenance.deduplicated]).toEqual([false, true, false]);
    expect(second.provenance.contentId).toBe(first.provenance.contentId);
    expect(third.provenance.contentId).not.toBe(first.provenance.contentId);
    // Once it settled, the same content runs again, with the same id.
    const again = await accel.infer(doublingSkill, [4, 5]);
    expect([again.provenance.deduplicated, again.provenance.contentId]).toEqual([false, first.provenance.contentId]);
    expect(backend.batches).toHaveLength(3);
  });

  it('keeps a merged request alive when one of its callers aborts', async () => {
    const { accel } = registry({ runDelayMs: 30 });
    await accel.init();
    const blocker = accel.infer(doublingSkill, 1);
    const controller = new AbortController();
    const abandoned = accel.infer(doublingSkill, 5, { signal: controller.signal });
    const kept = accel.infer(doublingSkill, 5);
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(abandoned).rejects.toSatisfy(AbortedError.isInstance);
    await expect(kept).resolves.toMatchObject({ output: [10], provenance: { deduplicated: true } });
    await blocker;
  });

  it('can be switched off per endpoint', async () => {
    const { accel, backend } = registry({ deduplicate: false });
    await accel.init();
    await Promise.all([accel.infer(doublingSkill, 3), accel.infer(doublingSkill, 3)]);
    expect(backend.batches.flat()).toEqual([3, 3]);
  });
});

describe('drain', () => {
  it('finishes every queued request, then refuses new ones', async () => {
    const { accel } = registry({ runDelayMs: 5 });
    await accel.init();
    const pending = [1, 2, 3, 4, 5, 6].map((value) => accel.infer(doublingSkill, value));
    await new Promise((resolve) => setTimeout(resolve, 1));
    await accel.drain();
    const results = await Promise.all(pending);
    expect(results.map((result) => result.output)).toEqual([[2], [4], [6], [8], [10], [12]]);
    await expect(accel.infer(doublingSkill, 1)).rejects.toSatisfy(AbortedError.isInstance);
    await accel.dispose();
  });
});
