function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Widens onnxruntime float16 data to float32: a Uint16Array holds IEEE half-precision bit
 * patterns (onnxruntime's representation where Float16Array is missing); anything else holds numbers.
 */
export function float16ToFloat32(data: ArrayLike<unknown>): Float32Array {
  if (data instanceof Uint16Array) return Float32Array.from(data, halfToNumber);
  return Float32Array.from(data as ArrayLike<number>, Number);
}
