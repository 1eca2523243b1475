import type { SkillV1 } from '@accel/core';
import { synthesizeAudio } from '../inputs/test-audio.js';
import { createAccelSubject } from '../subjects/accel-subject.js';
import { onnxRuntimeFor } from '../subjects/onnx-runtime.js';
import { createSpeechRecognitionPipelineSubject } from '../subjects/pipeline-speech-recognition.js';
import { createRawWhisperSubject } from '../subjects/raw-whisper.js';
import type { BenchProfile } from './bench-profile.js';

const audioSeconds = 30;

/** `whisper` on Xenova/whisper-tiny: one 30 s window of 16 kHz audio, greedy, up to the run's token count (32 in a full run). */
export const whisperTinyProfile: BenchProfile = {
  id: 'whisper-tiny',
  skill: { name: 'whisper', load: async () => (await import('@accel/skill-whisper')).whisperSkill as SkillV1 },
  model: 'Xenova/whisper-tiny',
  family: 'speech',
  measures: ['speech'],
  // A seed headline: --quick measures one 30 s window, 32 tokens, on the CPU (about 1 s a sample).
  quickBackends: ['cpu'],
  async prepare({ model, settings }) {
    const audio = synthesizeAudio(audioSeconds);
    const newTokens = settings.newTokens;
    return {
      audioSeconds,
      accel: (skill, backend, endpoint) =>
        createAccelSubject({ skill, backend, endpoint, model, samples: [audio], request: (samples) => ({ input: samples[0], options: { maxNewTokens: newTokens, language: 'en' } }) }),
      async peers(backend) {
        const runtime = onnxRuntimeFor(backend);
        return [
          runtime
            ? createRawWhisperSubject({ runtime: await runtime(), model, audio: audio.samples, newTokens })
            : { role: 'onnxruntime', label: 'encoder + greedy loop', skipped: `no direct runtime peer for ${backend}` },
          backend === 'cpu'
            ? createSpeechRecognitionPipelineSubject({ model, audio: audio.samples, newTokens })
            : { role: 'pipeline', label: "pipeline('automatic-speech-recognition')", skipped: `transformers.js in Node has no ${backend} device` },
        ];
      },
    };
  },
};
