import { testEncoderModelTypes } from '@accel/testkit';
import { sentenceEmbeddingsSkill } from '../src/index.js';

// Every model type the skill declares, each on a forged model of that type (testkit's forgedEncoderModels, but
// MiniLM for bert, as in similarity.test.ts), against transformers.js's feature-extraction pipeline on the same files.
testEncoderModelTypes({
  skill: sentenceEmbeddingsSkill,
  name: 'sentence embeddings',
  modelRoot: new URL('../../../.cache/models/tiny', import.meta.url).pathname,
  modelTypes: ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'mpnet'],
  models: { bert: 'Xenova/all-MiniLM-L6-v2' },
  cases: [{ title: 'mean pooling, normalised', pooling: 'mean', normalize: true }],
});
