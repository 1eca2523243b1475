import type { BertDimensions } from './families/bert.js';
import { bertFiles } from './families/bert.js';
import type { Gpt2Dimensions } from './families/gpt2.js';
import { gpt2Files } from './families/gpt2.js';
import type { ForgeFile } from './files/file-content.js';

export type ForgeSize = 'tiny' | 'full';

export interface Preset {
  readonly id: string;
  readonly family: string;
  readonly description: string;
  /** The folder's files; cheap to call, weights are produced only when a file is written. */
  files(size: ForgeSize): ForgeFile[];
}

const tinyBert: BertDimensions = { layers: 2, hidden: 32, heads: 4, intermediate: 64, maxPositions: 128 };
const tinyGpt2: Gpt2Dimensions = { layers: 2, hidden: 32, heads: 4, maxPositions: 128 };

function bertPreset(id: string, description: string, full: BertDimensions, sentenceTransformers = false): Preset {
  return {
    id,
    family: 'bert',
    description,
    files: (size) => bertFiles({ id, dimensions: size === 'tiny' ? tinyBert : full, sentenceTransformers }),
  };
}

function gpt2Preset(id: string, description: string, full: Gpt2Dimensions): Preset {
  return {
    id,
    family: 'gpt2',
    description,
    files: (size) => gpt2Files({ id, dimensions: size === 'tiny' ? tinyGpt2 : full }),
  };
}

export const presets: readonly Preset[] = [
  bertPreset(
    'prajjwal1/bert-tiny',
    'BERT encoder (BertModel); full: 2 layers, hidden 128, 2 heads, ffn 512, vocab 30522',
    { layers: 2, hidden: 128, heads: 2, intermediate: 512, maxPositions: 512, vocabularySize: 30522 },
  ),
  bertPreset(
    'Xenova/all-MiniLM-L6-v2',
    'sentence embeddings (BertModel + mean pooling files); full: 6 layers, hidden 384, 12 heads, ffn 1536, vocab 30522',
    { layers: 6, hidden: 384, heads: 12, intermediate: 1536, maxPositions: 512, vocabularySize: 30522 },
    true,
  ),
  gpt2Preset(
    'Xenova/gpt2',
    'GPT-2 decoder with KV cache (GPT2LMHeadModel); full: 12 layers, hidden 768, 12 heads, vocab 50257, 1024 positions',
    { layers: 12, hidden: 768, heads: 12, maxPositions: 1024, vocabularySize: 50257 },
  ),
];

export function findPreset(id: string): Preset {
  const preset = presets.find((candidate) => candidate.id === id);
  if (preset === undefined) {
    throw new Error(`Unknown model id "${id}". Known ids: ${presets.map((candidate) => candidate.id).join(', ')}`);
  }
  return preset;
}
