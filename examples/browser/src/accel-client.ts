/**
 * The page's side of the worker: sends requests, rebuilds typed errors, decodes media with the
 * browser's own decoders.
 */
import { deserializeError, type InferResult } from '@accel/core';
import type { EndpointSpec, FromWorker, SkillName, ToWorker } from './protocol.js';

type Pending = { resolve(message: FromWorker): void };

export class AccelWorkerClient {
  private readonly worker = new Worker(new URL('./accel-worker.ts', import.meta.url), { type: 'module', name: 'accel' });
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      this.pending.get(event.data.id)?.resolve(event.data);
      this.pending.delete(event.data.id);
    };
  }

  private async call(message: ToWorker): Promise<FromWorker> {
    const answer = await new Promise<FromWorker>((resolve) => {
      this.pending.set(message.id, { resolve });
      this.worker.postMessage(message);
    });
    if (answer.type === 'error') throw deserializeError(answer.error);
    return answer;
  }

  /** Adds the endpoints to a fresh registry in the worker and loads them. */
  async init(endpoints: readonly EndpointSpec[], options: { threads?: number; models?: Extract<ToWorker, { type: 'init' }>['models'] } = {}): Promise<readonly unknown[]> {
    const answer = await this.call({ type: 'init', id: (this.nextId += 1), endpoints, ...options });
    return answer.type === 'ready' ? answer.statuses : [];
  }

  async infer<Output = unknown>(skill: SkillName, input: unknown, options?: Record<string, unknown>): Promise<InferResult<Output>> {
    const answer = await this.call({ type: 'infer', id: (this.nextId += 1), skill, input, ...(options === undefined ? {} : { options }) });
    return (answer as Extract<FromWorker, { type: 'result' }>).result as InferResult<Output>;
  }
}

/** Whisper's input: mono 16 kHz PCM, decoded and resampled by the browser (OfflineAudioContext at 16 kHz). */
export async function decodeAudioFile(bytes: ArrayBuffer, sampleRate = 16_000): Promise<{ samples: Float32Array; sampleRate: number }> {
  const context = new OfflineAudioContext(1, 1, sampleRate);
  const decoded = await context.decodeAudioData(bytes);
  if (decoded.numberOfChannels === 1) return { samples: decoded.getChannelData(0).slice(), sampleRate };
  // Downmix by rendering through a mono context.
  const mono = new OfflineAudioContext(1, decoded.length, sampleRate);
  const source = mono.createBufferSource();
  source.buffer = decoded;
  source.connect(mono.destination);
  source.start();
  return { samples: (await mono.startRendering()).getChannelData(0).slice(), sampleRate };
}

/** CLIP's input: raw RGBA pixels, decoded by the browser (createImageBitmap, then an OffscreenCanvas). */
export async function decodeImageFile(blob: Blob): Promise<{ data: Uint8Array; width: number; height: number; channels: 4 }> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const { width, height } = bitmap;
  const { data } = context.getImageData(0, 0, width, height);
  bitmap.close();
  return { data: new Uint8Array(data.buffer), width, height, channels: 4 };
}
