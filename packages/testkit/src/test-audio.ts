import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

function hasCommand(command: string, flag: string): boolean {
  try {
    execFileSync(command, [flag], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Audio fixtures for a test file: a temporary folder (removed when the file's tests end), speech
 * made with espeak-ng + sox, WAV writing, a voiced test signal, and the broken files every audio
 * skill must refuse. `speechToolsMissing` says why speech cannot be made here (never in CI, which
 * installs the tools, so a missing tool fails there instead of skipping).
 */
export function createAudioFixtures() {
  const fixtureFolder = mkdtempSync(join(tmpdir(), 'accel-audio-'));
  afterAll(() => rmSync(fixtureFolder, { recursive: true, force: true }));

  /**
   * Why speech fixtures cannot be made here, or undefined when espeak-ng and sox are installed.
   * CI installs both (see .ci/run), so there a missing tool fails the run instead of skipping.
   */
  const speechToolsMissing: string | undefined = (() => {
    const missing = [hasCommand('espeak-ng', '--version') ? undefined : 'espeak-ng', hasCommand('sox', '--version') ? undefined : 'sox'].filter(Boolean);
    if (missing.length === 0 || process.env.CI) return undefined;
    return `${missing.join(' and ')} not installed (apt-get install espeak-ng sox libsox-fmt-mp3)`;
  })();


  /** Speaks `text` with espeak-ng and converts it with sox to `name` (the extension picks the format: .wav, .flac, .mp3). */
  function speak(text: string, name: string, rate = 16_000): string {
    const raw = join(fixtureFolder, `${name}.espeak.wav`);
    const target = join(fixtureFolder, name);
    execFileSync('espeak-ng', ['-w', raw, text]);
    execFileSync('sox', [raw, '-r', String(rate), '-c', '1', target]);
    return target;
  }

  /** A 16-bit PCM mono WAV file of `samples`. */
  function writeWav(name: string, samples: Float32Array, rate: number): string {
    const buffer = Buffer.alloc(44 + samples.length * 2);
    buffer.write('RIFF', 0);
    buffer.writeUInt32LE(36 + samples.length * 2, 4);
    buffer.write('WAVEfmt ', 8);
    buffer.writeUInt32LE(16, 16);
    buffer.writeUInt16LE(1, 20);
    buffer.writeUInt16LE(1, 22);
    buffer.writeUInt32LE(rate, 24);
    buffer.writeUInt32LE(rate * 2, 28);
    buffer.writeUInt16LE(2, 32);
    buffer.writeUInt16LE(16, 34);
    buffer.write('data', 36);
    buffer.writeUInt32LE(samples.length * 2, 40);
    samples.forEach((value, index) => buffer.writeInt16LE(Math.round(Math.max(-1, Math.min(1, value)) * 32_767), 44 + index * 2));
    const path = join(fixtureFolder, name);
    writeFileSync(path, buffer);
    return path;
  }

  /** A voiced, vowel-like test signal: a 140 Hz buzz with formant-like partials, amplitude-modulated like syllables. */
  function voiced(seconds: number, rate: number, pitch = 140): Float32Array {
    return Float32Array.from({ length: Math.round(seconds * rate) }, (_, index) => {
      const time = index / rate;
      const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 3.3 * time);
      return envelope * (0.3 * Math.sin(2 * Math.PI * pitch * time) + 0.12 * Math.sin(2 * Math.PI * 730 * time) + 0.06 * Math.sin(2 * Math.PI * 1090 * time));
    });
  }

  /** The broken files every audio skill must refuse item by item: zero bytes, text named .wav, a cut mp3 and a cut wav. */
  function brokenFiles(speechMp3: string | undefined): Record<string, string> {
    const empty = join(fixtureFolder, 'empty.wav');
    writeFileSync(empty, '');
    const text = join(fixtureFolder, 'notes.wav');
    writeFileSync(text, 'this is a text file with a .wav name, not audio\n');
    const cutWav = join(fixtureFolder, 'cut.wav');
    const wav = readFileSync(writeWav('whole.wav', voiced(1, 16_000), 16_000));
    writeFileSync(cutWav, wav.subarray(0, Math.floor(wav.length * 0.6)));
    const files: Record<string, string> = { 'a zero-byte file': empty, 'a text file renamed .wav': text, 'a truncated wav': cutWav };
    if (speechMp3 !== undefined) {
      const mp3 = readFileSync(speechMp3);
      const cutMp3 = join(fixtureFolder, 'cut.mp3');
      writeFileSync(cutMp3, mp3.subarray(0, Math.floor(mp3.length * 0.6) + 1));
      files['a truncated mp3'] = cutMp3;
    }
    return files;
  }

  return { fixtureFolder, speechToolsMissing, speak, writeWav, voiced, brokenFiles };
}
