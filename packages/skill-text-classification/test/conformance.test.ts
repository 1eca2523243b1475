import { testSkill } from '@accel/testkit';
import { textClassificationSkill } from '../src/index.js';
import { cases } from './conformance-cases.js';

// The conformance suite on every backend package (skipped, with the reason, where one cannot run);
// the inputs, bad inputs and output checks are in conformance-cases.ts.
await testSkill(textClassificationSkill, cases);
