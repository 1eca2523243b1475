import type { Preset } from '../presets.js';
import type { ClapDimensions } from './clap.js';
import { clapFiles } from './clap.js';
import type { Wav2Vec2Dimensions } from './wav2vec2.js';
import { wav2vec2Files } from './wav2vec2.js';

const tinyClap: ClapDimensions = {
  text: { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 66 },
  audio: { embedDim: 8, depths: [2, 2], heads: [1, 2], windowSize: 8, specSize: 128 },
  projectionDim: 16,
  windowSeconds: 1,
};
/** Xenova/clap-htsat-unfused: RoBERTa-base text tower, HTSAT (Swin-T-like) audio tower, 512-d projections. */
const clapHtsatUnfused: ClapDimensions = {
  text: { layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPositions: 514, vocabularySize: 50265 },
  audio: { embedDim: 96, depths: [2, 2, 6, 2], heads: [4, 8, 16, 32], windowSize: 8, specSize: 256 },
  projectionDim: 512,
  windowSeconds: 10,
};

const tinyWav2Vec2: Wav2Vec2Dimensions = { convDim: 16, layers: 2, hidden: 32, heads: 4, intermediate: 64 };
/** Xenova/wav2vec2-base-960h: 512-channel conv encoder, 12 layers, hidden 768, 12 heads, ffn 3072. */
const wav2vec2Base: Wav2Vec2Dimensions = { convDim: 512, layers: 12, hidden: 768, heads: 12, intermediate: 3072 };

/** The CLAP and wav2vec2 presets. */
export const clapWav2Vec2Presets: readonly Preset[] = [
  {
    id: 'Xenova/clap-htsat-unfused',
    family: 'clap',
    description:
      'CLAP (ClapModel: RoBERTa text tower + HTSAT Swin audio tower, 48 kHz ClapFeatureExtractor with 64 mel bins); tiny: 1 s feature windows [B,1,101,64] folded into a 128² image; full: 10 s windows [B,1,1001,64], text 12 layers, hidden 768, vocab 50265; audio embed 96, depths 2-2-6-2, heads 4-8-16-32, window 8; projection 512',
    files: (size) => clapFiles({ id: 'Xenova/clap-htsat-unfused', dimensions: size === 'tiny' ? tinyClap : clapHtsatUnfused }),
  },
  {
    id: 'Xenova/wav2vec2-base-960h',
    family: 'wav2vec2',
    description:
      'wav2vec2 CTC (Wav2Vec2ForCTC: 7-layer conv encoder, 320 samples per frame; logits + last_hidden_state), 32-character vocabulary; full: conv 512, 12 layers, hidden 768, 12 heads, ffn 3072',
    files: (size) => wav2vec2Files({ id: 'Xenova/wav2vec2-base-960h', dimensions: size === 'tiny' ? tinyWav2Vec2 : wav2vec2Base }),
  },
];
