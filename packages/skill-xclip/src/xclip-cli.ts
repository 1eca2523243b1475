import { InvalidInputError, type SkillCliV1 } from '@accel/core';
import { formatRanking, formatVector, splitList } from '@accel/transformers-kit';
import type { XclipInput, XclipOptions, XclipOutput } from './xclip-schemas.js';

/**
 * `accel run xclip --frames dir/ --labels "…"`: zero-shot video classification of one video — a
 * folder of frames, a video file (needs ffmpeg) or comma-separated frame files; `--frames` alone:
 * the video's embedding; texts alone: text embeddings.
 */
export const xclipCli: SkillCliV1<XclipInput, XclipOptions, XclipOutput> = {
  usage: ['accel run xclip --frames <folder | video file | frame,frame,…> [--labels "cooking,dancing" [--template "{}"]] | accel run xclip <text>…'],
  positionals: 'text…',
  flags: {
    frames: { type: 'string', placeholder: '<folder | video file | frame,frame,…>', description: 'the video: a folder of frame images, a video file (needs ffmpeg) or comma-separated frame files' },
    labels: { type: 'string', placeholder: '"cooking,dancing"', description: 'comma-separated labels for zero-shot classification of the video' },
  },
  toRequest({ positionals, flags }) {
    const frames = typeof flags.frames === 'string' ? flags.frames.trim() : undefined;
    const labels = splitList(flags.labels as string | undefined);
    if (labels !== undefined && labels.length === 0) throw new InvalidInputError({ reason: '--labels needs at least one label, e.g. --labels "a cat,a dog"' });
    if (frames === undefined || frames === '') {
      if (labels !== undefined) throw new InvalidInputError({ reason: 'accel run xclip --labels needs --frames <folder | video file | frame files>' });
      if (positionals.length === 0) throw new InvalidInputError({ reason: 'accel run xclip needs --frames <folder | video file> or texts, e.g. accel run xclip --frames dir/ --labels "cooking,dancing"' });
      return { input: { texts: [...positionals] } };
    }
    if (positionals.length > 0) throw new InvalidInputError({ reason: 'accel run xclip takes --frames or texts, not both (use --labels to classify the video)' });
    const video = frames.includes(',') ? frames.split(',').map((frame) => frame.trim()).filter((frame) => frame.length > 0) : frames;
    return { input: labels === undefined ? { video } : { video, labels } };
  },
  format(output, { flags, inputNames }) {
    const name = typeof flags.frames === 'string' ? flags.frames : 'video';
    switch (output.task) {
      case 'zero-shot-video-classification':
        return formatRanking(name, output.classifications[0] ?? []);
      case 'video-embedding':
        return `${name} → ${formatVector(output.embeddings[0] ?? [])}`;
      case 'text-embedding':
        return output.embeddings.map((embedding, index) => `${inputNames[index]} → ${formatVector(embedding)}`).join('\n');
    }
  },
};
