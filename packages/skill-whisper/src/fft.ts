interface Stage {
  readonly radix: number;
  /** Sub-sequence length `n` at this stage (the transform length divided by the radices before it). */
  readonly length: number;
  /** Stride between the interleaved sub-sequences. */
  readonly stride: number;
  /** W_length^(p·k) for p < length / radix and k < radix, as [cos, sin] pairs, row p. */
  readonly twiddles: Float64Array;
}

function factorize(size: number): number[] {
  const factors: number[] = [];
  let rest = size;
  for (const radix of [4, 2, 3, 5]) {
    while (rest % radix === 0) {
      factors.push(radix);
      rest /= radix;
    }
  }
  for (let candidate = 7; rest > 1; candidate += 2) {
    while (rest % candidate === 0) {
      factors.push(candidate);
      rest /= candidate;
    }
  }
  return factors;
}

/**
 * A complex FFT of any length, fastest when the length has only the factors 2, 3 and 5: Stockham
 * autosort, decimation in frequency, one pass per factor. Forward transform, no scaling.
 */
export class ComplexFft {
  private readonly stages: Stage[] = [];
  private readonly scratchReal: Float64Array;
  private readonly scratchImaginary: Float64Array;
  /** W_r^(j·k) for each radix r used, as [cos, sin] pairs, row j. */
  private readonly radixTables = new Map<number, Float64Array>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`FFT size must be a positive integer, got ${size}`);
    let length = size;
    let stride = 1;
    for (const radix of factorize(size)) {
      const groups = length / radix;
      const twiddles = new Float64Array(groups * radix * 2);
      for (let p = 0; p < groups; p += 1) {
        for (let k = 0; k < radix; k += 1) {
          const angle = (-2 * Math.PI * p * k) / length;
          twiddles[(p * radix + k) * 2] = Math.cos(angle);
          twiddles[(p * radix + k) * 2 + 1] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, length, stride, twiddles });
      if (!this.radixTables.has(radix)) {
        const table = new Float64Array(radix * radix * 2);
        for (let j = 0; j < radix; j += 1) {
          for (let k = 0; k < radix; k += 1) {
            const angle = (-2 * Math.PI * ((j * k) % radix)) / radix;
            table[(j * radix + k) * 2] = Math.cos(angle);
            table[(j * radix + k) * 2 + 1] = Math.sin(angle);
          }
        }
        this.radixTables.set(radix, table);
      }
      length = groups;
      stride *= radix;
    }
    this.scratchReal = new Float64Array(size);
    this.scratchImaginary = new Float64Array(size);
  }

  /** Transforms `real` + i·`imaginary` in place. */
  transform(real: Float64Array, imaginary: Float64Array): void {
    let source: Buffers = { real, imaginary };
    let target: Buffers = { real: this.scratchReal, imaginary: this.scratchImaginary };
    for (const stage of this.stages) {
      if (stage.radix === 2) radix2(stage, source, target);
      else if (stage.radix === 4) radix4(stage, source, target);
      else if (stage.radix === 5) radix5(stage, source, target);
      else radixAny(stage, this.radixTables.get(stage.radix)!, source, target);
      [source, target] = [target, source];
    }
    if (source.real !== real) {
      real.set(source.real);
      imaginary.set(source.imaginary);
    }
  }
}

interface Buffers {
  readonly real: Float64Array;
  readonly imaginary: Float64Array;
}

/** Writes output k of butterfly (p, q), multiplied by its twiddle W_length^(p·k). */
function store(stage: Stage, target: Buffers, p: number, q: number, k: number, real: number, imaginary: number): void {
  const out = q + stage.stride * (stage.radix * p + k);
  const wReal = stage.twiddles[(p * stage.radix + k) * 2]!;
  const wImaginary = stage.twiddles[(p * stage.radix + k) * 2 + 1]!;
  target.real[out] = real * wReal - imaginary * wImaginary;
  target.imaginary[out] = real * wImaginary + imaginary * wReal;
}

function radix2(stage: Stage, source: Buffers, target: Buffers): void {
  const { stride } = stage;
  const groups = stage.length / 2;
  for (let p = 0; p < groups; p += 1) {
    for (let q = 0; q < stride; q += 1) {
      const a = q + stride * p;
      const b = a + stride * groups;
      const out = q + stride * 2 * p;
      target.real[out] = source.real[a]! + source.real[b]!;
      target.imaginary[out] = source.imaginary[a]! + source.imaginary[b]!;
      store(stage, target, p, q, 1, source.real[a]! - source.real[b]!, source.imaginary[a]! - source.imaginary[b]!);
    }
  }
}

function radix4(stage: Stage, source: Buffers, target: Buffers): void {
  const { stride } = stage;
  const groups = stage.length / 4;
  const step = stride * groups;
  for (let p = 0; p < groups; p += 1) {
    for (let q = 0; q < stride; q += 1) {
      const a0 = q + stride * p;
      const [a1, a2, a3] = [a0 + step, a0 + 2 * step, a0 + 3 * step];
      const s02Real = source.real[a0]! + source.real[a2]!;
      const s02Imaginary = source.imaginary[a0]! + source.imaginary[a2]!;
      const d02Real = source.real[a0]! - source.real[a2]!;
      const d02Imaginary = source.imaginary[a0]! - source.imaginary[a2]!;
      const s13Real = source.real[a1]! + source.real[a3]!;
      const s13Imaginary = source.imaginary[a1]! + source.imaginary[a3]!;
      const d13Real = source.real[a1]! - source.real[a3]!;
      const d13Imaginary = source.imaginary[a1]! - source.imaginary[a3]!;
      // X0 = s02 + s13, X1 = d02 − i·d13, X2 = s02 − s13, X3 = d02 + i·d13
      const out = q + stride * 4 * p;
      target.real[out] = s02Real + s13Real;
      target.imaginary[out] = s02Imaginary + s13Imaginary;
      store(stage, target, p, q, 1, d02Real + d13Imaginary, d02Imaginary - d13Real);
      store(stage, target, p, q, 2, s02Real - s13Real, s02Imaginary - s13Imaginary);
      store(stage, target, p, q, 3, d02Real - d13Imaginary, d02Imaginary + d13Real);
    }
  }
}

const cos1 = Math.cos((2 * Math.PI) / 5);
const cos2 = Math.cos((4 * Math.PI) / 5);
const sin1 = Math.sin((2 * Math.PI) / 5);
const sin2 = Math.sin((4 * Math.PI) / 5);

function radix5(stage: Stage, source: Buffers, target: Buffers): void {
  const { stride } = stage;
  const groups = stage.length / 5;
  const step = stride * groups;
  for (let p = 0; p < groups; p += 1) {
    for (let q = 0; q < stride; q += 1) {
      const a0 = q + stride * p;
      const x0Real = source.real[a0]!;
      const x0Imaginary = source.imaginary[a0]!;
      const t1Real = source.real[a0 + step]! + source.real[a0 + 4 * step]!;
      const t1Imaginary = source.imaginary[a0 + step]! + source.imaginary[a0 + 4 * step]!;
      const t2Real = source.real[a0 + 2 * step]! + source.real[a0 + 3 * step]!;
      const t2Imaginary = source.imaginary[a0 + 2 * step]! + source.imaginary[a0 + 3 * step]!;
      const t3Real = source.real[a0 + step]! - source.real[a0 + 4 * step]!;
      const t3Imaginary = source.imaginary[a0 + step]! - source.imaginary[a0 + 4 * step]!;
      const t4Real = source.real[a0 + 2 * step]! - source.real[a0 + 3 * step]!;
      const t4Imaginary = source.imaginary[a0 + 2 * step]! - source.imaginary[a0 + 3 * step]!;
      const b1Real = x0Real + cos1 * t1Real + cos2 * t2Real;
      const b1Imaginary = x0Imaginary + cos1 * t1Imaginary + cos2 * t2Imaginary;
      const b2Real = x0Real + cos2 * t1Real + cos1 * t2Real;
      const b2Imaginary = x0Imaginary + cos2 * t1Imaginary + cos1 * t2Imaginary;
      const d1Real = sin1 * t3Real + sin2 * t4Real;
      const d1Imaginary = sin1 * t3Imaginary + sin2 * t4Imaginary;
      const d2Real = sin2 * t3Real - sin1 * t4Real;
      const d2Imaginary = sin2 * t3Imaginary - sin1 * t4Imaginary;
      // X1 = b1 − i·d1, X4 = b1 + i·d1, X2 = b2 − i·d2, X3 = b2 + i·d2
      const out = q + stride * 5 * p;
      target.real[out] = x0Real + t1Real + t2Real;
      target.imaginary[out] = x0Imaginary + t1Imaginary + t2Imaginary;
      store(stage, target, p, q, 1, b1Real + d1Imaginary, b1Imaginary - d1Real);
      store(stage, target, p, q, 2, b2Real + d2Imaginary, b2Imaginary - d2Real);
      store(stage, target, p, q, 3, b2Real - d2Imaginary, b2Imaginary + d2Real);
      store(stage, target, p, q, 4, b1Real - d1Imaginary, b1Imaginary + d1Real);
    }
  }
}

function radixAny(stage: Stage, table: Float64Array, source: Buffers, target: Buffers): void {
  const { radix, stride } = stage;
  const groups = stage.length / radix;
  for (let p = 0; p < groups; p += 1) {
    for (let q = 0; q < stride; q += 1) {
      for (let k = 0; k < radix; k += 1) {
        let sumReal = 0;
        let sumImaginary = 0;
        for (let j = 0; j < radix; j += 1) {
          const index = q + stride * (p + j * groups);
          const wReal = table[(j * radix + k) * 2]!;
          const wImaginary = table[(j * radix + k) * 2 + 1]!;
          sumReal += source.real[index]! * wReal - source.imaginary[index]! * wImaginary;
          sumImaginary += source.real[index]! * wImaginary + source.imaginary[index]! * wReal;
        }
        store(stage, target, p, q, k, sumReal, sumImaginary);
      }
    }
  }
}

/**
 * Power spectrum |X[k]|², k = 0 … n/2, of a real frame of even length n, through a complex FFT of
 * half the length (even samples as the real part, odd ones as the imaginary part).
 */
export class RealPowerSpectrum {
  private readonly half: ComplexFft;
  private readonly real: Float64Array;
  private readonly imaginary: Float64Array;
  private readonly cosines: Float64Array;
  private readonly sines: Float64Array;

  constructor(readonly size: number) {
    if (size % 2 !== 0) throw new Error(`the real FFT needs an even length, got ${size}`);
    const half = size / 2;
    this.half = new ComplexFft(half);
    this.real = new Float64Array(half);
    this.imaginary = new Float64Array(half);
    this.cosines = Float64Array.from({ length: half + 1 }, (_, k) => Math.cos((-2 * Math.PI * k) / size));
    this.sines = Float64Array.from({ length: half + 1 }, (_, k) => Math.sin((-2 * Math.PI * k) / size));
  }

  /** Writes the n/2 + 1 powers of `frame` (length n) into `power`. */
  compute(frame: Float64Array, power: Float64Array): void {
    const half = this.size / 2;
    for (let index = 0; index < half; index += 1) {
      this.real[index] = frame[2 * index]!;
      this.imaginary[index] = frame[2 * index + 1]!;
    }
    this.half.transform(this.real, this.imaginary);
    for (let k = 0; k <= half; k += 1) {
      const zReal = this.real[k % half]!;
      const zImaginary = this.imaginary[k % half]!;
      const cReal = this.real[(half - k) % half]!;
      const cImaginary = -this.imaginary[(half - k) % half]!;
      const evenReal = (zReal + cReal) / 2;
      const evenImaginary = (zImaginary + cImaginary) / 2;
      // odd = (z − c) / (2i)
      const oddReal = (zImaginary - cImaginary) / 2;
      const oddImaginary = -(zReal - cReal) / 2;
      const wReal = this.cosines[k]!;
      const wImaginary = this.sines[k]!;
      const xReal = evenReal + oddReal * wReal - oddImaginary * wImaginary;
      const xImaginary = evenImaginary + oddReal * wImaginary + oddImaginary * wReal;
      power[k] = xReal * xReal + xImaginary * xImaginary;
    }
  }
}
