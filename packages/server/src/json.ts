/** JSON with typed arrays (Float32Array embeddings, Int32Array tokens) written as plain arrays. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (ArrayBuffer.isView(inner) && !(inner instanceof DataView) ? Array.from(inner as unknown as ArrayLike<number>) : inner));
}
