/** `seconds` of 16 kHz mono audio: a few drifting tones and a little deterministic noise, like speech-band content. */
export function synthesizeAudio(seconds: number, sampleRate = 16000): { samples: Float32Array; sampleRate: number } {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let noise = 12345;
  for (let index = 0; index < samples.length; index += 1) {
    const time = index / sampleRate;
    noise = (noise * 1103515245 + 12345) & 0x7fffffff;
    const pitch = 180 + 60 * Math.sin(2 * Math.PI * 0.5 * time);
    samples[index] =
      0.25 * Math.sin(2 * Math.PI * pitch * time) + 0.1 * Math.sin(2 * Math.PI * 3 * pitch * time) + 0.02 * (noise / 0x7fffffff - 0.5);
  }
  return { samples, sampleRate };
}
