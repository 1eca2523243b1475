import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Audio tests decode, resample and run real clips, and the conformance memory check loads the
// model dozens of times: allow them more than the shared 60 s on a busy 2-core machine.
export default mergeConfig(shared, { test: { testTimeout: 180_000, hookTimeout: 120_000 } });
