import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(shared, { test: { testTimeout: 90_000, hookTimeout: 120_000 } });
