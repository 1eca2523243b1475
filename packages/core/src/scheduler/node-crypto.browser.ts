import type * as NodeCrypto from 'node:crypto';

/** The browser build of `node-crypto.js`: no Node hash, so content ids use `crypto.subtle`. */
export const loadNodeCrypto = async (): Promise<typeof NodeCrypto | undefined> => undefined;
