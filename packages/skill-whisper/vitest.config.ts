import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Whisper decodes a 30-second window per request even on the tiny model, so the conformance
// kit's memory-stability case needs more than the shared 60-second limit.
export default mergeConfig(shared, { test: { testTimeout: 180_000 } });
