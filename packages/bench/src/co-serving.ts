import { Accel, type BackendV1, type SkillV1 } from '@accel/core';
import type { CoServingResult, CoServingSide } from './bench-result.js';
import { benchSentences } from './inputs/sentences.js';
import { loadTransformers, localFolderOptions } from './subjects/transformers-library.js';

/** Sends batches to one model until the deadline; returns items per second. */
type Server = { readonly name: string; run(texts: string[]): Promise<unknown> };

async function serveUntil(server: Server, texts: string[], deadline: number): Promise<number> {
  const startedAt = performance.now();
  let items = 0;
  let finishedAt = startedAt;
  while (performance.now() < deadline) {
    await server.run(texts);
    items += texts.length;
    finishedAt = performance.now();
  }
  return finishedAt > startedAt ? (items * 1000) / (finishedAt - startedAt) : 0;
}

/**
 * Each model alone (nothing else loaded), then both loaded and served at once; returns each
 * one's throughput together ÷ alone. `open` loads the given models and returns their servers.
 */
async function measureSides(
  names: readonly [string, string],
  open: (names: readonly string[]) => Promise<{ servers: Server[]; close(): Promise<void> }>,
  texts: string[],
  phaseMs: number,
): Promise<CoServingSide[]> {
  const alone: number[] = [];
  for (const name of names) {
    const { servers, close } = await open([name]);
    try {
      await servers[0]!.run(texts);
      alone.push(await serveUntil(servers[0]!, texts, performance.now() + phaseMs));
    } finally {
      await close();
    }
  }
  const { servers, close } = await open(names);
  try {
    await Promise.all(servers.map((server) => server.run(texts)));
    const deadline = performance.now() + phaseMs;
    const together = await Promise.all(servers.map((server) => serveUntil(server, texts, deadline)));
    return names.map((name, index) => ({
      model: name,
      aloneItemsPerSecond: alone[index]!,
      togetherItemsPerSecond: together[index]!,
      fraction: together[index]! / alone[index]!,
    }));
  } finally {
    await close();
  }
}

export interface CoServingOptions {
  readonly skill: SkillV1;
  readonly createBackend: () => BackendV1;
  /** Model folder; each side loads its own copy (its own session). */
  readonly model: string;
  readonly batchSize: number;
  readonly phaseMs: number;
  readonly log: (message: string) => void;
}

/**
 * Two models served from one process, each sent batches back to back: accel with two endpoints
 * in one registry (worker isolation, the thread budget shared), and the naive way, two
 * transformers.js pipelines called concurrently.
 */
export async function measureCoServing(options: CoServingOptions): Promise<CoServingResult> {
  const texts = benchSentences(options.batchSize);
  const names = ['model A', 'model B'] as const;
  options.log('two models: accel');
  const accel = await measureSides(
    names,
    async (opened) => {
      const registry = new Accel({ backends: [options.createBackend()], skills: [options.skill] });
      for (const name of opened) registry.addEndpoint({ id: name, skill: options.skill, model: options.model, backend: 'cpu' });
      await registry.init();
      return {
        servers: opened.map((name) => ({ name, run: (batch: string[]) => registry.infer(options.skill, batch as never, { endpoint: name } as never) })),
        close: () => registry.dispose(),
      };
    },
    texts,
    options.phaseMs,
  );
  options.log('two models: naive (two pipelines)');
  const { pipeline } = await loadTransformers();
  const naive = await measureSides(
    names,
    async (opened) => {
      const extractors = await Promise.all(opened.map(() => pipeline('feature-extraction', options.model, localFolderOptions)));
      const call = (index: number, batch: string[]) =>
        (extractors[index] as unknown as (texts: string[], settings: object) => Promise<unknown>)(batch, { pooling: 'mean', normalize: true });
      return {
        servers: opened.map((name, index) => ({ name, run: (batch: string[]) => call(index, batch) })),
        close: async () => {
          for (const extractor of extractors) await (extractor as unknown as { dispose?: () => Promise<void> }).dispose?.();
        },
      };
    },
    texts,
    options.phaseMs,
  );
  return {
    description: `two copies of the MiniLM model (two sessions) in one process, each sent batches of ${options.batchSize} back to back for ${(options.phaseMs / 1000).toFixed(1)} s; alone = only that model loaded`,
    backend: 'cpu',
    status: 'measured',
    accel,
    naive,
  };
}
