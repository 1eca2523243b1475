import { testEncoderModelTypes } from '@accel/testkit';
import { sentenceEmbeddingsSkill } from '../src/index.js';

// Every model type the skill declares, each on a forged model of that type (bert: also similarity.test.ts),
// against transformers.js's feature-extraction pipeline on the same files.
testEncoderModelTypes({
  skill: sentenceEmbeddingsSkill,
  name: 'sentence embeddings',
  modelRoot: new URL('../../../.cache/models/tiny', import.meta.url).pathname,
  modelTypes: [
    { modelType: 'bert', id: 'Xenova/all-MiniLM-L6-v2' },
    { modelType: 'distilbert', id: 'Xenova/distilbert-base-uncased' },
    { modelType: 'roberta', id: 'Xenova/all-distilroberta-v1' },
    { modelType: 'xlm-roberta', id: 'Xenova/paraphrase-multilingual-mpnet-base-v2' },
    { modelType: 'mpnet', id: 'Xenova/all-mpnet-base-v2' },
  ],
  cases: [{ title: 'mean pooling, normalised', pooling: 'mean', normalize: true }],
});
