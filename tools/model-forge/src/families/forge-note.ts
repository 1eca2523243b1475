import { forgeName, forgeVersion } from '../version.js';

/** The `model_forge` entry of a config.json: says plainly that the weights are random. */
export function forgeNote(quantized: string): Record<string, string> {
  return {
    generator: `${forgeName}@${forgeVersion}`,
    weights: 'random, seeded from the model id and tensor name; outputs are meaningless but deterministic',
    quantized,
  };
}

export const dynamicQuantizationNote =
  'onnx/model_quantized.onnx holds the same weights in int8 (symmetric, per tensor): MatMul through DynamicQuantizeLinear + MatMulInteger, embedding tables through Gather + DequantizeLinear';
