import type { Preset } from '../presets.js';
import type { T5Dimensions } from './t5.js';
import { t5Files } from './t5.js';

/**
 * Tests: 2 + 2 blocks, d_model 16, 2 heads of 8, ffn 32, ~730-piece vocabulary. It uses the T5 v1.1 /
 * flan-t5 layout (gated-gelu feed-forward, untied LM head): with random weights a tied ReLU T5 (the
 * full presets' layout, which the forge's tests also cover) only ever repeats one token, which would
 * make generation tests meaningless.
 */
const tinyT5: T5Dimensions = { layers: 2, decoderLayers: 2, hidden: 16, heads: 2, headDim: 8, feedForward: 32, feedForwardProjection: 'gated-gelu', maxPositions: 512 };

function t5Preset(id: string, description: string, full: T5Dimensions): Preset {
  return { id, family: 't5', description, files: (size) => t5Files({ id, dimensions: size === 'tiny' ? tinyT5 : full }) };
}

/** The T5 presets: t5-small (the skill's default, a transformers.js export on the hub) and t5-efficient-tiny (benchmarks). */
export const t5Presets: readonly Preset[] = [
  t5Preset(
    'Xenova/t5-small',
    'T5 encoder + merged decoder with KV cache (T5ForConditionalGeneration); full: 6+6 layers, d_model 512, 8 heads × 64, relu ffn 2048, vocab 32128',
    { layers: 6, decoderLayers: 6, hidden: 512, heads: 8, headDim: 64, feedForward: 2048, maxPositions: 512, vocabularySize: 32128 },
  ),
  t5Preset(
    'google/t5-efficient-tiny',
    'T5 encoder + merged decoder with KV cache (T5ForConditionalGeneration); full: 4+4 layers, d_model 256, 4 heads × 64, relu ffn 1024, vocab 32128',
    { layers: 4, decoderLayers: 4, hidden: 256, heads: 4, headDim: 64, feedForward: 1024, maxPositions: 512, vocabularySize: 32128 },
  ),
];
