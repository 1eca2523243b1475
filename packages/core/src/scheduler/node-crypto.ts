import { memoizeAsync } from '../backend/runtime/memoize-async.js';

/** Node's synchronous hash when available: once loaded, hashing adds no macrotask, so concurrent requests still batch. */
export const loadNodeCrypto = memoizeAsync(() => import('node:crypto').catch(() => undefined));
