/** How a cost curve grows, fitted by least squares. */
export interface CurveFit {
  /**
   * The growth exponent: the slope of log(cost) on log(x). 1 is linear (twice the work, twice the
   * time), below 1 is a fixed cost being amortised, above 1 grows faster than the work.
   */
  readonly exponent: number;
  /** The slope of cost on x: the cost of one more unit (item, token, second of audio), in the cost's unit. */
  readonly perUnit: number;
  /** Where that line crosses x = 0: the fixed cost every request pays. */
  readonly intercept: number;
}

/** Slope and intercept of the least-squares line through the points. */
export function leastSquares(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  if (xs.length !== ys.length) throw new RangeError(`${xs.length} x values against ${ys.length} y values`);
  if (xs.length < 2) throw new RangeError('a line needs at least two points');
  const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  xs.forEach((x, index) => {
    covariance += (x - meanX) * (ys[index]! - meanY);
    variance += (x - meanX) ** 2;
  });
  if (variance === 0) throw new RangeError('every x value is the same');
  const slope = covariance / variance;
  return { slope, intercept: meanY - slope * meanX };
}

/** The growth exponent (log-log slope) and the linear per-unit cost of a curve; every x and cost must be positive. */
export function fitCurve(xs: readonly number[], costs: readonly number[]): CurveFit {
  if ([...xs, ...costs].some((value) => !(value > 0) || !Number.isFinite(value))) throw new RangeError('a curve fit needs positive, finite x values and costs');
  const logLog = leastSquares(xs.map(Math.log), costs.map(Math.log));
  const linear = leastSquares(xs, costs);
  return { exponent: logLog.slope, perUnit: linear.slope, intercept: linear.intercept };
}

/** One step of a sweep, from one point to the next: how much each side's cost grew. */
export interface GrowthStep {
  readonly from: number;
  readonly to: number;
  /** accel's cost at `to` ÷ its cost at `from`. */
  readonly accelGrowth: number;
  /** raw onnxruntime's cost at `to` ÷ its cost at `from`. */
  readonly rawGrowth: number;
  /** accelGrowth ÷ rawGrowth: above 1 when accel's cost grew faster over this step. */
  readonly excess: number;
}

/** The consecutive steps of a sweep, in order of x. */
export function growthSteps(points: ReadonlyArray<{ readonly x: number; readonly accel: number; readonly raw: number }>): GrowthStep[] {
  const sorted = [...points].sort((left, right) => left.x - right.x);
  return sorted.slice(1).map((point, index) => {
    const previous = sorted[index]!;
    const accelGrowth = point.accel / previous.accel;
    const rawGrowth = point.raw / previous.raw;
    return { from: previous.x, to: point.x, accelGrowth, rawGrowth, excess: accelGrowth / rawGrowth };
  });
}
