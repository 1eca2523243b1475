import { createRequire } from 'node:module';

const packageJson = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const forgeName = packageJson.name;
export const forgeVersion = packageJson.version;
