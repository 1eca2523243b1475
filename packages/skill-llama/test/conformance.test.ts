import { testSkill } from '@accel/testkit';
import { llamaSkill } from '../src/index.js';
import { cases } from './conformance-cases.js';

// The conformance suite on every backend package (skipped, with the reason, where one cannot run);
// the inputs, bad inputs and output checks are in conformance-cases.ts (twice: OPT, then SmolLM2).
await testSkill(llamaSkill, cases);
