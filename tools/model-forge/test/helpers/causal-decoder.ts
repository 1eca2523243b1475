import { Tensor, type PreTrainedModel } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';

/** Checks shared by the decoder-only families (OPT, LLaMA): direct onnxruntime feeds and greedy references. */

export function int64(values: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.flat(), BigInt), [values.length, values[0]!.length]);
}

export function emptyCache(layers: number, keyValueHeads: number, headDim: number, batch = 1): Record<string, ort.Tensor> {
  const cache: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < layers; layer += 1) {
    for (const kind of ['key', 'value']) {
      cache[`past_key_values.${layer}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [batch, keyValueHeads, 0, headDim]);
    }
  }
  return cache;
}

export function presentsAsPast(outputs: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([name]) => name.startsWith('present.'))
      .map(([name, value]) => [name.replace('present.', 'past_key_values.'), value as ort.Tensor]),
  );
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let index = 0; index < actual.length; index += 1) {
    if (!(Math.abs(actual[index]! - expected[index]!) <= tolerance)) {
      throw new Error(`value ${index}: ${actual[index]} vs ${expected[index]} (tolerance ${tolerance})`);
    }
  }
}

function argmaxOfLastRow(logits: Tensor): number {
  const vocabulary = logits.dims.at(-1)!;
  const data = logits.data as Float32Array;
  const last = data.subarray(data.length - vocabulary);
  return last.indexOf(Math.max(...last));
}

/** Greedy continuation of `prompt` computed with one full forward pass (no cache) per token, up to and including eos. */
export async function greedyWithoutCache(model: PreTrainedModel, prompt: readonly number[], newTokens: number, eosTokenId: number): Promise<number[]> {
  const ids = [...prompt];
  for (let step = 0; step < newTokens; step += 1) {
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
    const attentionMask = new Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]);
    const next = argmaxOfLastRow((await model({ input_ids: inputIds, attention_mask: attentionMask })).logits as Tensor);
    ids.push(next);
    if (next === eosTokenId) break;
  }
  return ids.slice(prompt.length);
}

/** Greedy `generate` (KV cache) for left-padded prompts; returns each row's new tokens, up to and including eos. */
export async function greedyGenerate(model: PreTrainedModel, prompts: readonly (readonly number[])[], padTokenId: number, newTokens: number, eosTokenId: number): Promise<number[][]> {
  const width = Math.max(...prompts.map((prompt) => prompt.length));
  const ids = prompts.flatMap((prompt) => [...Array<number>(width - prompt.length).fill(padTokenId), ...prompt]);
  const mask = prompts.flatMap((prompt) => [...Array<number>(width - prompt.length).fill(0), ...prompt.map(() => 1)]);
  const generated = (await model.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [prompts.length, width]),
    attention_mask: new Tensor('int64', BigInt64Array.from(mask, BigInt), [prompts.length, width]),
    max_new_tokens: newTokens,
    do_sample: false,
  })) as Tensor;
  return (generated.tolist() as bigint[][]).map((row) => {
    const tokens = row.slice(width).map(Number);
    const end = tokens.indexOf(eosTokenId);
    return end === -1 ? tokens : tokens.slice(0, end + 1);
  });
}
