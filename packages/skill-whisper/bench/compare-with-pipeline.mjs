// Same-process comparison on the full-size forged whisper-tiny (random weights, real dimensions):
// accel's whisper skill (cpu backend, one thread, on the calling thread) against the transformers.js
// pipeline on the same files, 30 s of audio, 32 new tokens; and the two log-mel routes alone.
// CPU time (process.cpuUsage) rather than wall time, which a shared machine distorts.
//
//   npx tsc -p packages/skill-whisper/tsconfig.build.json && node packages/skill-whisper/bench/compare-with-pipeline.mjs
import { createCpuBackend } from '@accel/backend-cpu';
import { Accel } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { env, pipeline, WhisperFeatureExtractor } from '@huggingface/transformers';
import { readFile } from 'node:fs/promises';
import { whisperSkill } from '../dist/index.js';
import { createLogMelExtractor } from '../dist/log-mel.js';

const rounds = Number(process.env.ROUNDS ?? 8);
const tokens = Number(process.env.TOKENS ?? 32);
const { directory } = await forgeModel('Xenova/whisper-tiny', { root: new URL('../../../.cache/models/full', import.meta.url).pathname, size: 'full' });
const audio = Float32Array.from({ length: 30 * 16000 }, (_, index) => 0.3 * Math.sin(index * 0.05) * Math.sin(index * 0.0007) + 0.05 * Math.sin(index * 1.3));
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

env.allowRemoteModels = false;
const asr = await pipeline('automatic-speech-recognition', directory, { dtype: 'fp32', local_files_only: true, session_options: { intraOpNumThreads: 1 } });
const inSession = { pipeline: 0, accel: 0 };
for (const session of Object.values(asr.model.sessions)) {
  const run = session.run.bind(session);
  session.run = async (feeds) => {
    const started = cpuMs();
    const outputs = await run(feeds);
    inSession.pipeline += cpuMs() - started;
    return outputs;
  };
}
const cpu = createCpuBackend({ threads: 1 });
const timedCpu = {
  specificationVersion: 'v1',
  name: 'cpu',
  packageName: cpu.packageName,
  probe: () => cpu.probe(),
  async doCreateSession(options) {
    const session = await cpu.doCreateSession(options);
    return {
      ...session,
      async run(feeds) {
        const started = cpuMs();
        const outputs = await session.run(feeds);
        inSession.accel += cpuMs() - started;
        return outputs;
      },
    };
  },
};
const accel = new Accel({ backends: [timedCpu], skills: [whisperSkill] });
accel.addEndpoint({ skill: whisperSkill, model: directory, isolation: 'inline' });
await accel.init();

const totals = { pipeline: [], accel: [] };
const sessions = { pipeline: [], accel: [] };
let realtimeFactor = 0;
for (let round = 0; round < rounds + 2; round += 1) {
  const before = { ...inSession };
  let started = cpuMs();
  await asr(audio, { max_new_tokens: tokens, language: 'en' });
  const pipelineMs = cpuMs() - started;
  started = cpuMs();
  const { provenance } = await accel.infer(whisperSkill, { samples: audio, sampleRate: 16000 }, { maxNewTokens: tokens });
  const accelMs = cpuMs() - started;
  realtimeFactor = provenance.timings.realtimeFactor;
  if (round < 2) continue;
  totals.pipeline.push(pipelineMs);
  totals.accel.push(accelMs);
  sessions.pipeline.push(inSession.pipeline - before.pipeline);
  sessions.accel.push(inSession.accel - before.accel);
}
await accel.dispose();

const config = JSON.parse(await readFile(`${directory}/preprocessor_config.json`, 'utf8'));
const extractor = new WhisperFeatureExtractor(config);
const fast = createLogMelExtractor(extractor);
const melTimes = { transformers: [], fast: [] };
for (let round = 0; round < rounds + 2; round += 1) {
  let started = cpuMs();
  await extractor(audio);
  const transformersMs = cpuMs() - started;
  started = cpuMs();
  await fast.extract([audio]);
  if (round < 2) continue;
  melTimes.transformers.push(transformersMs);
  melTimes.fast.push(cpuMs() - started);
}

const line = (name) =>
  `${name.padEnd(8)} ${median(totals[name]).toFixed(0).padStart(5)} ms CPU per request, of which ${median(sessions[name]).toFixed(0)} ms in session.run`;
console.log(`30 s of audio, ${tokens} new tokens, 1 thread, median of ${rounds}`);
console.log(line('pipeline'));
console.log(line('accel'));
console.log(`accel ÷ pipeline ${(median(totals.accel) / median(totals.pipeline)).toFixed(2)}; accel ÷ its own session time ${(median(totals.accel) / median(sessions.accel)).toFixed(2)}; accel realtimeFactor ${realtimeFactor.toFixed(3)}`);
console.log(`log-mel of one 30 s window: WhisperFeatureExtractor ${median(melTimes.transformers).toFixed(0)} ms CPU, fast route ${median(melTimes.fast).toFixed(0)} ms CPU`);
