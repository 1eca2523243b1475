/**
 * A memory probe child of `accel bench`, started by `child_process.fork` with its setup in
 * `ACCEL_BENCH_MEMORY_PROBE`: it measures one subject of one profile in a process of its own, so
 * that no other subject's leftovers (freed memory the allocator reuses, libraries already mapped)
 * flatter or burden it. It reads its RSS first, imports what every subject of the cell shares (the
 * bench's own modules, the backend's onnxruntime package, transformers.js, with which the peers
 * prepare their inputs), reads the baseline, then builds the subject, loads it and sends the same
 * first requests as the timing (`firstRequest`, `firstBatch`), sampling RSS all along; the peak is
 * the highest sample or the kernel's high-water mark. It answers once over IPC and exits.
 *
 * Only `node:` modules and the sampler are imported statically, so the fresh reading is taken
 * before anything heavy loads.
 */
import { kernelPeakRss, maxRssBytes, PeakRssSampler, resetKernelPeakRss } from '../peak-rss-sampler.js';
import { memoryProbeSetupVariable, type MemoryProbeReply, type MemoryProbeSetup } from './memory-messages.js';

const freshRssBytes = process.memoryUsage.rss();

/** Two full collections when the child runs with `--expose-gc` (the probe starts it so). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

const send = (reply: MemoryProbeReply): Promise<void> => new Promise((resolve) => process.send!(reply, () => resolve()));

async function measure(setup: MemoryProbeSetup): Promise<MemoryProbeReply> {
  const [{ benchProfiles }, { benchBackends }, { onnxRuntimeFor }, { loadTransformers }, { firstBatch, firstRequest }] = await Promise.all([
    import('../profiles/index.js'),
    import('../backends.js'),
    import('../subjects/onnx-runtime.js'),
    import('../subjects/transformers-library.js'),
    import('../measure-subjects.js'),
  ]);
  const profile = benchProfiles.find((candidate) => candidate.id === setup.profile);
  if (profile === undefined) return { type: 'failed', message: `unknown bench profile ${setup.profile}` };
  // Shared by every subject of the cell: accel's backend runs this onnxruntime package (in its
  // worker) as the raw peer does (on the main thread), and the peers prepare inputs with transformers.js.
  await onnxRuntimeFor(setup.backend)?.();
  await loadTransformers();
  const prepared = await profile.prepare({ model: setup.model, inputsDirectory: setup.inputsDirectory, settings: setup.settings });
  const measures = setup.settings.mode === 'quick' ? (profile.quickMeasures ?? profile.measures) : profile.measures;

  // The imports' and the preparation's garbage must not sit in the baseline (a later collection would hide the subject's memory behind it).
  collectGarbage();
  // The kernel's peak from here on only: importing the shared libraries may have peaked above the baseline.
  const reset = resetKernelPeakRss();
  const maxRssAtPoint = maxRssBytes();
  const sampler = new PeakRssSampler(setup.intervalMs);
  const baselineRssBytes = sampler.startBytes;
  let subject;
  if (setup.role === 'accel') {
    const known = benchBackends.find((candidate) => candidate.name === setup.backend);
    if (known === undefined) return { type: 'failed', message: `unknown backend ${setup.backend}` };
    const [skill, create] = await Promise.all([profile.skill.load(), known.load()]);
    subject = prepared.accel(skill, create(), { replicas: setup.replicas });
  } else {
    const peer = (await prepared.peers(setup.backend)).find((candidate) => candidate.role === setup.role);
    if (peer === undefined) return { type: 'skipped', label: setup.role, reason: `no ${setup.role} peer for ${setup.profile}` };
    if ('skipped' in peer) return { type: 'skipped', label: peer.label, reason: peer.skipped };
    subject = peer;
  }
  try {
    await subject.load();
    sampler.sample();
    await firstRequest(subject, measures);
    sampler.sample();
    await firstBatch(subject, measures, setup.settings);
  } catch (error) {
    sampler.stop();
    return { type: 'failed', label: subject.label, message: error instanceof Error ? error.message : String(error) };
  }
  const sampled = sampler.stop();
  const kernel = kernelPeakRss({ reset, maxRssAtPoint });
  // What the subject holds once loaded and answering, with this thread's garbage collected: a
  // load's transient peak (file buffers, weights being converted) varies from one run to the next.
  collectGarbage();
  const heldRssBytes = process.memoryUsage.rss() - baselineRssBytes;
  const peakRssBytes = Math.max(sampled.peakBytes, kernel?.bytes ?? 0);
  const measurement = {
    peakRssBytes,
    baselineRssBytes,
    addedRssBytes: peakRssBytes - baselineRssBytes,
    heldRssBytes,
    freshRssBytes,
    kernelPeak: kernel?.source ?? ('samples only' as const),
    samples: sampled.samples,
  };
  await subject.dispose().catch(() => undefined);
  return { type: 'measured', label: subject.label, measurement };
}

async function main(): Promise<void> {
  const setup = JSON.parse(process.env[memoryProbeSetupVariable] ?? 'null') as MemoryProbeSetup | null;
  if (setup === null || process.send === undefined) throw new Error(`run by accel bench through child_process.fork, with ${memoryProbeSetupVariable} set`);
  let reply: MemoryProbeReply;
  try {
    reply = await measure(setup);
  } catch (error) {
    reply = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  await send(reply);
  process.disconnect();
  // A runtime's threads must not keep the child alive once it has answered.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
