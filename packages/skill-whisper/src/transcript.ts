import type { WhisperChunk } from './whisper-schemas.js';

/** One decoded window: its full token sequence (prompt included) and its `[length, left, right]` stride in seconds. */
export interface DecodedWindow {
  readonly tokens: readonly number[];
  readonly stride: readonly [number, number, number];
}

/** The part of transformers.js's `WhisperTokenizer` that merges windows (used by its ASR pipeline too). */
export interface AsrDecoder {
  _decode_asr(
    sequences: Array<{ tokens: number[]; stride: number[] }>,
    options: { time_precision: number; return_timestamps: boolean; force_full_sequences: boolean },
  ): [string, { chunks?: Array<{ text: string; timestamp: [number | null, number | null] }> }];
}

/**
 * Stitches a transcript's windows with transformers.js's `_decode_asr` (longest common token
 * sequence in the overlaps; timestamps shifted by each window's offset) and makes the segments
 * safe to consume: times clamped to the audio, a missing end (text after the last timestamp)
 * set to the next segment's start or the end of the audio, each start no earlier than the
 * previous end, and empty segments dropped.
 */
export function stitchTranscript(
  decoder: AsrDecoder,
  windows: readonly DecodedWindow[],
  { returnTimestamps, timePrecision, duration }: { returnTimestamps: boolean; timePrecision: number; duration: number },
): { text: string; chunks?: WhisperChunk[] } {
  const [text, { chunks }] = decoder._decode_asr(
    windows.map((window) => ({ tokens: [...window.tokens], stride: [...window.stride] })),
    { time_precision: timePrecision, return_timestamps: returnTimestamps, force_full_sequences: false },
  );
  if (!returnTimestamps) return { text: text.trim() };
  const ordered: WhisperChunk[] = [];
  let previousEnd = 0;
  (chunks ?? []).forEach((chunk, index, all) => {
    const chunkText = chunk.text.trim();
    if (chunkText.length === 0) return;
    const clamp = (value: number, low: number) => Math.min(Math.max(value, low), duration);
    const start = clamp(chunk.timestamp[0] ?? previousEnd, previousEnd);
    const end = clamp(chunk.timestamp[1] ?? all[index + 1]?.timestamp[0] ?? duration, start);
    ordered.push({ text: chunkText, start: round(start), end: round(end) });
    previousEnd = end;
  });
  return { text: text.trim(), chunks: ordered };
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
