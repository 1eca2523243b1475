import { AccelWorkerClient, decodeAudioFile, decodeImageFile } from './accel-client.js';
import type { EndpointSpec, SkillName } from './protocol.js';

/**
 * The example page: three endpoints (sentence embeddings, whisper, CLIP) on WebAssembly in a Web
 * Worker, models served by this origin under /models (or hub ids, cached in the Cache API).
 * `window.accelDemo` is what the end-to-end test drives; the form below does the same by hand.
 */

const client = new AccelWorkerClient();

/** Long tasks (> 50 ms) on this thread, as the browser reports them. */
const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

const defaultEndpoints: EndpointSpec[] = [
  { skill: 'sentence-embeddings', model: '/models/Xenova/all-MiniLM-L6-v2' },
  { skill: 'whisper', model: '/models/Xenova/whisper-tiny' },
  { skill: 'clip', model: '/models/Xenova/clip-vit-base-patch32' },
];

/** A typed error as the test compares it: class name, code, message. */
function describeError(error: unknown) {
  const value = error as { name?: string; code?: string; message?: string };
  return { name: value.name, code: value.code, message: value.message };
}

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ReturnType<typeof describeError> }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

const demo = {
  crossOriginIsolated: self.crossOriginIsolated,
  hardwareConcurrency: navigator.hardwareConcurrency,
  init: (endpoints: EndpointSpec[] = defaultEndpoints, options: Parameters<AccelWorkerClient['init']>[1] = {}) => client.init(endpoints, options),
  /** The files the Cache API holds for hub models (cache `accel-models`). */
  cachedModelFiles: async () => (await (await caches.open('accel-models')).keys()).map((request) => request.url),
  infer: (skill: SkillName, input: unknown, options?: Record<string, unknown>) => settle(client.infer(skill, input, options)),
  /** Fetches an audio file, decodes it on this page, and transcribes it, counting long tasks meanwhile. */
  async transcribe(url: string, options?: Record<string, unknown>) {
    const audio = await decodeAudioFile(await (await fetch(url)).arrayBuffer());
    const before = longTasks.length;
    const startedAt = performance.now();
    const outcome = await settle(client.infer('whisper', audio, options));
    // Long-task entries arrive after the task ends: give the observer a frame to report.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return { outcome, samples: Array.from(audio.samples), longTasks: longTasks.slice(before), ms: performance.now() - startedAt };
  },
  /** Decodes an image (bytes) on this page and runs CLIP on its RGBA pixels, with the rest of the input (`labels`, `texts`). */
  async clip(bytes: number[], input: Record<string, unknown> = {}, options?: Record<string, unknown>) {
    const image = await decodeImageFile(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    return settle(client.infer('clip', { ...input, images: [image] }, options));
  },
  /** A PNG drawn and encoded by this browser (a gradient), for the test to decode in Node too. */
  async gradientPng(width: number, height: number): Promise<number[]> {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d')!;
    const image = context.createImageData(width, height);
    for (let index = 0; index < width * height; index += 1) {
      const [x, y] = [index % width, Math.floor(index / width)];
      image.data.set([(x * 255) / (width - 1), (y * 255) / (height - 1), ((x + y) * 97) % 256, 255], index * 4);
    }
    context.putImageData(image, 0, 0);
    return Array.from(new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer()));
  },
  longTasks,
};
(globalThis as { accelDemo?: typeof demo }).accelDemo = demo;

// The form: load the endpoints, then embed text, transcribe an audio file or classify an image.
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const show = (value: unknown) => {
  $('output').textContent = JSON.stringify(value, (_key, entry: unknown) => (entry instanceof Float32Array ? Array.from(entry.subarray(0, 8)) : entry), 2);
};
$<HTMLButtonElement>('load').onclick = async () => {
  $('status').textContent = 'loading…';
  const outcome = await settle(client.init(defaultEndpoints));
  $('status').textContent = outcome.ok ? `ready (crossOriginIsolated: ${self.crossOriginIsolated})` : `failed: ${outcome.error.message}`;
};
$<HTMLButtonElement>('embed').onclick = async () => show(await demo.infer('sentence-embeddings', $<HTMLTextAreaElement>('text').value.split('\n').filter(Boolean)));
$<HTMLInputElement>('audio').onchange = async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) show(await settle(client.infer('whisper', await decodeAudioFile(await file.arrayBuffer()))));
};
$<HTMLInputElement>('image').onchange = async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  const labels = $<HTMLInputElement>('labels').value.split(',').map((label) => label.trim()).filter(Boolean);
  if (file) show(await settle(client.infer('clip', { images: [await decodeImageFile(file)], ...(labels.length > 0 ? { labels } : {}) })));
};
$('status').textContent = `idle (crossOriginIsolated: ${self.crossOriginIsolated}, ${navigator.hardwareConcurrency} cores)`;
