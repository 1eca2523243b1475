import { testEncoderModelTypes } from '@accel/testkit';
import { bertSkill } from '../src/index.js';

// Every model type the skill declares, each on a forged model of that type (bert: also embeddings.test.ts),
// against transformers.js's feature-extraction pipeline on the same files.
testEncoderModelTypes({
  skill: bertSkill,
  name: 'bert embeddings',
  modelRoot: new URL('../../../.cache/models/tiny', import.meta.url).pathname,
  modelTypes: [
    { modelType: 'bert', id: 'onnx-community/bert-tiny-ONNX' },
    { modelType: 'distilbert', id: 'Xenova/distilbert-base-uncased' },
    { modelType: 'roberta', id: 'Xenova/all-distilroberta-v1' },
    { modelType: 'xlm-roberta', id: 'Xenova/paraphrase-multilingual-mpnet-base-v2' },
    { modelType: 'mpnet', id: 'Xenova/all-mpnet-base-v2' },
  ],
  cases: [
    { title: 'mean pooling', options: { pooling: 'mean' }, pooling: 'mean', normalize: false },
    { title: 'cls pooling', options: { pooling: 'cls' }, pooling: 'cls', normalize: false },
  ],
});
