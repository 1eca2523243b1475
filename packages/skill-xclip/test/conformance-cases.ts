import type { SkillCases } from '@accel/testkit';
import { afterAll, expect } from 'vitest';
import type { XclipInput, XclipOutput, xclipSkill } from '../src/index.js';
import { patternFrames, videoFolders } from './frames.js';

const dimensions = 32;
const videos = await videoFolders();
afterAll(() => videos.remove());

function expectXclipOutput(output: XclipOutput, input: XclipInput): void {
  const request = input as { video?: unknown; videos?: unknown[]; texts?: unknown; labels?: readonly string[] };
  const videoCount = request.videos?.length ?? 1;
  if (output.task === 'zero-shot-video-classification') {
    expect(output.classifications).toHaveLength(videoCount);
    for (const ranking of output.classifications) {
      expect(ranking.map((entry) => entry.label).sort()).toEqual([...request.labels!].sort());
      expect(Math.abs(ranking.reduce((sum, entry) => sum + entry.score, 0) - 1)).toBeLessThan(1e-6);
    }
    return;
  }
  const count = output.task === 'video-embedding' ? videoCount : Array.isArray(request.texts) ? request.texts.length : 1;
  expect(output.embeddings).toHaveLength(count);
  expect(output.dimensions).toBe(dimensions);
  for (const embedding of output.embeddings) {
    expect(embedding).toBeInstanceOf(Float32Array);
    expect(embedding).toHaveLength(dimensions);
    expect(embedding.every(Number.isFinite)).toBe(true);
  }
}

/** xclip's conformance data, on its default model (microsoft/xclip-base-patch32). */
export const cases: SkillCases<typeof xclipSkill> = {
  inputs: [
    { video: videos.walk, labels: ['walking', 'running', 'cooking'] },
    { videos: [patternFrames(7, 5), videos.run] },
    { texts: ['a person walking a dog', 'cooking dinner'] },
  ],
  invalidInputs: [
    { name: 'null', input: null },
    { name: 'an empty object', input: {} },
    { name: 'an unknown field', input: { frames: videos.walk } },
    { name: 'an empty path', input: { video: '' } },
    { name: 'an empty frame list', input: { video: [] } },
    { name: 'a frame that is a number', input: { video: [42] } },
    { name: 'an empty videos list', input: { videos: [] } },
    { name: 'video and videos together', input: { video: videos.walk, videos: [videos.run] } },
    { name: 'texts with labels', input: { texts: 'a', labels: ['b'] } },
    { name: 'labels without a video', input: { labels: ['walking'] } },
    { name: 'no labels', input: { video: videos.walk, labels: [] } },
    { name: 'a repeated label', input: { video: videos.walk, labels: ['walking', 'walking'] } },
    { name: 'an empty text', input: { texts: [''] } },
    { name: 'a template without {}', input: { video: videos.walk, labels: ['a', 'b'] }, options: { template: 'video' } },
    { name: 'a non-boolean normalize', input: { texts: 'a' }, options: { normalize: 1 } },
    { name: 'a missing folder', input: { video: `${videos.root}/missing` } },
    { name: 'a folder without frames', input: { video: videos.noFrames } },
    { name: 'a truncated frame', input: { video: videos.corrupt } },
    { name: 'an empty frame file', input: { videos: [videos.walk, videos.emptyFrameFolder] } },
    { name: 'a text file named .png among the frames', input: { video: videos.frameFiles(videos.textFrameFolder, 8) } },
    { name: 'a file that is not a video', input: { video: videos.notAVideo } },
  ],
  expectOutput: expectXclipOutput,
};
