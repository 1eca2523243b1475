// `npm start`: serves the built app (dist) with COOP/COEP and the model folders under /models/
// (default .cache/models/tiny at the repository root: `npm run forge -- --size tiny --out .cache/models/tiny
// Xenova/all-MiniLM-L6-v2 Xenova/whisper-tiny Xenova/clip-vit-base-patch32`). ACCEL_MODELS_DIR and PORT override.
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './static-server.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const models = process.env.ACCEL_MODELS_DIR ?? here('../../../.cache/models/tiny');
const server = await startStaticServer({ root: here('../dist'), mounts: { '/models/': models }, port: Number(process.env.PORT ?? 5174) });
console.log(`accel in the browser: ${server.url}/  (models from ${models})`);
