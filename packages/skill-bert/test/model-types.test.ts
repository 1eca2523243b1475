import { testEncoderModelTypes } from '@accel/testkit';
import { bertSkill } from '../src/index.js';

// Every model type the skill declares, each on a forged model of that type (testkit's forgedEncoderModels;
// bert's also in embeddings.test.ts), against transformers.js's feature-extraction pipeline on the same files.
testEncoderModelTypes({
  skill: bertSkill,
  name: 'bert embeddings',
  modelRoot: new URL('../../../.cache/models/tiny', import.meta.url).pathname,
  modelTypes: ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'mpnet'],
  cases: [
    { title: 'mean pooling', options: { pooling: 'mean' }, pooling: 'mean', normalize: false },
    { title: 'cls pooling', options: { pooling: 'cls' }, pooling: 'cls', normalize: false },
  ],
});
