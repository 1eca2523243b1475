import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { RgbImage, VideoInput } from './media-source.js';
import { readImage } from './read-image.js';

/**
 * The browser build of `read-video.js`: a list of frames (raw pixels the page decoded) is read as
 * in Node; folders and video files (ffmpeg) need Node.
 */
export function evenlySpacedIndices(total: number, count: number): number[] {
  if (total <= 0) return [];
  return Array.from({ length: count }, (_, index) => Math.min(total - 1, Math.floor(((index + 0.5) * total) / count)));
}

export async function readVideoFrames(input: VideoInput, { frameCount }: { frameCount: number }): Promise<RgbImage[]> {
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new InvalidInputError({ reason: `frameCount must be a positive integer, got ${frameCount}` });
  if (!Array.isArray(input)) {
    throw new InvalidInputError({ reason: 'in a browser a video is a list of frames the page decoded (raw pixels); folders and video files need Node' });
  }
  const frames: VideoInput = input;
  if (frames.length === 0) throw new InvalidInputError({ reason: 'the frame list is empty' });
  return Promise.all(evenlySpacedIndices(frames.length, frameCount).map((index) => readImage(frames[index]!)));
}
