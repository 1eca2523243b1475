import { InvalidInputError } from '../errors/invalid-input-error.js';
import { readFileBytes } from './media-io.js';
import type { AudioInput } from './media-source.js';
import { readAudio, type DecodedAudio } from './read-audio.js';

/** True for a value shaped like an `AudioInput` (path, bytes, or samples with a rate). */
export function isAudioInput(value: unknown): value is AudioInput {
  if (typeof value === 'string' || value instanceof Uint8Array) return true;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'samples' in value && 'sampleRate' in value;
}

function withIndex(reason: string, index: number | undefined): InvalidInputError {
  return new InvalidInputError({ reason, ...(index === undefined ? {} : { index }) });
}

function describe(source: AudioInput): string {
  if (typeof source === 'string') return source;
  if (source instanceof Uint8Array) return `a ${source.byteLength}-byte buffer`;
  return 'the given samples';
}

const text = (bytes: Uint8Array, start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));

/** A WAV whose `data` chunk declares more bytes than the file holds. */
function wavTruncation(bytes: Uint8Array): string | undefined {
  if (bytes.length < 12 || text(bytes, 0, 4) !== 'RIFF' || text(bytes, 8, 4) !== 'WAVE') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const size = view.getUint32(offset + 4, true);
    if (text(bytes, offset, 4) === 'data') {
      // 0 and 0xFFFFFFFF mean "unknown length" (streamed writers); nothing to check then.
      if (size === 0 || size === 0xffffffff) return undefined;
      const available = bytes.length - offset - 8;
      return size > available ? `its data chunk declares ${size} bytes but only ${available} are present` : undefined;
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

const bitrates: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const sampleRates: Record<number, readonly number[]> = { 3: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 0: [11_025, 12_000, 8_000] };

/** Length in bytes of the MPEG audio frame whose header starts at `offset`, or undefined if there is none. */
function mpegFrameLength(bytes: Uint8Array, offset: number): number | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const [first, second, third] = [bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!];
  if (first !== 0xff || (second & 0xe0) !== 0xe0) return undefined;
  const version = (second >> 3) & 3;
  const layer = 4 - ((second >> 1) & 3);
  const bitrateIndex = third >> 4;
  const rateIndex = (third >> 2) & 3;
  if (version === 1 || layer === 4 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const bitrate = bitrates[`${version === 3 ? 1 : 2}-${layer}`]![bitrateIndex]! * 1000;
  const rate = sampleRates[version]![rateIndex]!;
  const padding = (third >> 1) & 1;
  if (layer === 1) return (Math.floor((12 * bitrate) / rate) + padding) * 4;
  const factor = layer === 3 && version !== 3 ? 72 : 144;
  return Math.floor((factor * bitrate) / rate) + padding;
}

/** An MP3 whose last frame is cut short: walks the frames from the first one to the end of the file. */
function mp3Truncation(bytes: Uint8Array): string | undefined {
  let offset = 0;
  if (text(bytes, 0, 3) === 'ID3' && bytes.length >= 10) {
    const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
    offset = 10 + size + ((bytes[5]! & 0x10) !== 0 ? 10 : 0);
  } else if (mpegFrameLength(bytes, 0) === undefined) {
    return undefined;
  }
  while (offset < bytes.length && bytes[offset] === 0) offset += 1;
  if (mpegFrameLength(bytes, offset) === undefined) return undefined;
  for (;;) {
    const length = mpegFrameLength(bytes, offset);
    if (length === undefined) return undefined; // trailing tag or unknown data: no verdict
    if (offset + length > bytes.length) {
      return `its last MPEG frame needs ${length} bytes but only ${bytes.length - offset} are left`;
    }
    offset += length;
    if (offset === bytes.length) return undefined;
  }
}

/** Why an encoded WAV or MP3 file looks cut short, or undefined when it looks complete (or is another format). */
export function findTruncation(bytes: Uint8Array): string | undefined {
  return wavTruncation(bytes) ?? mp3Truncation(bytes);
}

/**
 * Decodes one audio input with `readAudio` at `sampleRate`, and refuses a WAV or MP3 file that is
 * cut short. Every failure is a one-line `InvalidInputError` naming the file, with `index` for lists.
 */
export async function decodeAudio(source: AudioInput, sampleRate: number, index: number | undefined): Promise<DecodedAudio> {
  try {
    const audio = await readAudio(source, { sampleRate });
    if (typeof source === 'string' || source instanceof Uint8Array) {
      const bytes = typeof source === 'string' ? await readFileBytes(source) : source;
      const truncation = findTruncation(bytes);
      if (truncation !== undefined) throw withIndex(`${describe(source)} is truncated: ${truncation}`, index);
    }
    return audio;
  } catch (error) {
    if (InvalidInputError.isInstance(error)) {
      const reason = error.reason.split('\n')[0]!.trim();
      if (error.index === index && reason === error.reason) throw error;
      throw new InvalidInputError({ reason, ...(index === undefined ? {} : { index }), cause: error });
    }
    throw withIndex(`cannot read ${describe(source)} as audio: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, index);
  }
}
