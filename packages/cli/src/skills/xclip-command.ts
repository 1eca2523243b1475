import { InvalidInputError } from '@accel/core';
import { formatRanking, formatVector, labelsOf, templateOptions } from './clip-command.js';
import type { SkillCommand } from './skill-command.js';

type XclipCommandOutput =
  | { task: 'video-embedding' | 'text-embedding'; embeddings: Float32Array[] }
  | { task: 'zero-shot-video-classification'; classifications: Array<Array<{ label: string; score: number }>> };

/**
 * `accel run xclip --frames dir/ --labels "…"`: zero-shot video classification of one video — a
 * folder of frames, a video file (needs ffmpeg) or comma-separated frame files; `--frames` alone:
 * the video's embedding; texts alone: text embeddings.
 */
export const xclipCommand: SkillCommand = {
  name: 'xclip',
  packageName: '@accel/skill-xclip',
  exportName: 'xclipSkill',
  usage: 'accel run xclip --frames <folder | video file | frame,frame,…> [--labels "cooking,dancing" [--template "{}"]] | accel run xclip <text>…',
  flags: { frames: { type: 'string' }, labels: { type: 'string' }, template: { type: 'string' } },
  toRequest(positionals, flags) {
    const frames = typeof flags.frames === 'string' ? flags.frames.trim() : undefined;
    const labels = labelsOf(flags);
    const options = templateOptions(flags, labels);
    if (frames === undefined || frames === '') {
      if (labels !== undefined) throw new InvalidInputError({ reason: 'accel run xclip --labels needs --frames <folder | video file | frame files>' });
      if (positionals.length === 0) throw new InvalidInputError({ reason: 'accel run xclip needs --frames <folder | video file> or texts, e.g. accel run xclip --frames dir/ --labels "cooking,dancing"' });
      return { input: { texts: [...positionals] } };
    }
    if (positionals.length > 0) throw new InvalidInputError({ reason: 'accel run xclip takes --frames or texts, not both (use --labels to classify the video)' });
    const video = frames.includes(',') ? frames.split(',').map((frame) => frame.trim()).filter((frame) => frame.length > 0) : frames;
    return { input: labels === undefined ? { video } : { video, labels }, ...(options ? { options } : {}) };
  },
  formatOutput(output, positionals, flags) {
    const result = output as XclipCommandOutput;
    const name = typeof flags.frames === 'string' ? flags.frames : 'video';
    switch (result.task) {
      case 'zero-shot-video-classification':
        return formatRanking(name, result.classifications[0] ?? []);
      case 'video-embedding':
        return `${name} → ${formatVector(result.embeddings[0] ?? [])}`;
      case 'text-embedding':
        return result.embeddings.map((embedding, index) => `${JSON.stringify(positionals[index])} → ${formatVector(embedding)}`).join('\n');
    }
  },
};
