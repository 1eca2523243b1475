import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Speech and broken audio files made with espeak-ng and sox in a temporary folder. */
export interface SpeechFixtures {
  readonly folder: string;
  /** About 3 s of speech, 16 kHz mono WAV. */
  readonly shortWav: string;
  /** Another sentence, 16 kHz mono WAV. */
  readonly otherWav: string;
  /** The short sentence as MP3. */
  readonly shortMp3: string;
  /** 70 s: speech repeated, 16 kHz mono WAV. */
  readonly longWav: string;
  /** The first half of `shortMp3`'s bytes. */
  readonly truncatedMp3: string;
  /** A zero-byte file. */
  readonly emptyWav: string;
  /** A text file named .wav. */
  readonly textWav: string;
  remove(): Promise<void>;
}

async function speak(folder: string, name: string, text: string): Promise<string> {
  const raw = join(folder, `${name}-raw.wav`);
  const target = join(folder, `${name}.wav`);
  await run('espeak-ng', ['-w', raw, text]);
  await run('sox', [raw, '-r', '16000', '-c', '1', target]);
  return target;
}

export async function createSpeechFixtures(): Promise<SpeechFixtures> {
  const folder = await mkdtemp(join(tmpdir(), 'accel-whisper-'));
  const shortWav = await speak(folder, 'short', 'Hello there. This is a short test of speech recognition.');
  const otherWav = await speak(folder, 'other', 'The quick brown fox jumps over the lazy dog.');
  const paragraph = await speak(
    folder,
    'paragraph',
    'Accel runs model families on whatever hardware a machine has. This recording is long, so it is cut into overlapping windows of thirty seconds, and the pieces are stitched together again.',
  );
  const shortMp3 = join(folder, 'short.mp3');
  await run('sox', [shortWav, shortMp3]);
  const longWav = join(folder, 'long.wav');
  await run('sox', [paragraph, longWav, 'repeat', '12', 'trim', '0', '70']);
  const mp3 = await readFile(shortMp3);
  const truncatedMp3 = join(folder, 'truncated.mp3');
  await writeFile(truncatedMp3, mp3.subarray(0, Math.floor(mp3.length / 2)));
  const emptyWav = join(folder, 'empty.wav');
  await writeFile(emptyWav, new Uint8Array(0));
  const textWav = join(folder, 'notes.wav');
  await writeFile(textWav, 'These are meeting notes, not audio.\n');
  return { folder, shortWav, otherWav, shortMp3, longWav, truncatedMp3, emptyWav, textWav, remove: () => rm(folder, { recursive: true, force: true }) };
}
