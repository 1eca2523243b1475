
/** `input_ids` and `attention_mask` rows, left-padded to the longest prompt. */
export interface PromptBatch {
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly dims: [number, number];
}

/** Left-pads prompts with `padTokenId` (mask 0), as decoder-only generation needs. */
export function leftPadPrompts(prompts: readonly (readonly number[])[], padTokenId: number): PromptBatch {
  const length = Math.max(...prompts.map((prompt) => prompt.length));
  const inputIds = new BigInt64Array(prompts.length * length).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(prompts.length * length);
  prompts.forEach((prompt, row) => {
    const offset = row * length + length - prompt.length;
    prompt.forEach((token, index) => {
      inputIds[offset + index] = BigInt(token);
      attentionMask[offset + index] = 1n;
    });
  });
  return { inputIds, attentionMask, dims: [prompts.length, length] };
}
