import type { ScalingGoalResult, ScalingPoint, ScalingSweep } from './scaling-result.js';

/** Goal (a): accel ÷ raw onnxruntime at every point of every sweep. */
export const ratioThreshold = 1.2;

/**
 * Goal (b): over a step from one point to the next, accel's cost may grow by at most this much more
 * than raw's (as a fraction) before the step is flagged: same-run ratios on a shared 2-core machine
 * move by about that much between rounds, so a smaller excess is not evidence.
 */
export const growthTolerance = 0.1;

const times = (value: number) => `${value.toFixed(2)}×`;

function pointLabel(sweep: ScalingSweep, point: ScalingPoint): string {
  return `${sweep.variable} ${point.x}`;
}

/** Why a sweep without measured points has no verdict. */
function notRun(sweep: ScalingSweep): string {
  return `${sweep.status}: ${sweep.reason ?? 'not measured'}`;
}

function ratioGoal(sweep: ScalingSweep): ScalingGoalResult {
  const base = {
    id: `${sweep.id}-ratio`,
    sweep: sweep.id,
    measure: `${sweep.title}: accel ÷ raw ORT (${sweep.cost.split(' (')[0]}) at every point, the highest`,
    goal: `≤ ${ratioThreshold}`,
    threshold: ratioThreshold,
  };
  const measured = sweep.points.filter((point) => point.status === 'measured' && point.ratio !== undefined);
  if (measured.length === 0) return { ...base, status: 'skipped', note: notRun(sweep) };
  const highest = measured.reduce((worst, point) => (point.ratio! > worst.ratio! ? point : worst));
  const failed = sweep.points.filter((point) => point.status !== 'measured');
  const over = measured.filter((point) => point.ratio! > ratioThreshold);
  const notes: string[] = [];
  if (over.length > 0) notes.push(`over ${ratioThreshold} at ${over.map((point) => `${pointLabel(sweep, point)} (${times(point.ratio!)})`).join(', ')}`);
  else notes.push(`every measured point within ${ratioThreshold}: highest ${times(highest.ratio!)} at ${pointLabel(sweep, highest)}`);
  // A point that did not run cannot be said to meet the goal: the goal is "at every point".
  if (failed.length > 0) notes.push(`not measured at ${failed.map((point) => `${pointLabel(sweep, point)} (${point.reason ?? 'failed'})`).join(', ')}, so not met`);
  return { ...base, measured: highest.ratio!, status: over.length === 0 && failed.length === 0 ? 'met' : 'not met', note: notes.join('; ') };
}

function growthGoal(sweep: ScalingSweep, tolerance: number): ScalingGoalResult {
  const threshold = 1 + tolerance;
  const base = {
    id: `${sweep.id}-growth`,
    sweep: sweep.id,
    measure: `${sweep.title}: no step where accel's cost grows faster than raw's — accel's growth ÷ raw's growth over each step, the highest (noise tolerance ${(tolerance * 100).toFixed(0)}%)`,
    goal: `≤ ${threshold.toFixed(2)}`,
    threshold,
  };
  const steps = sweep.steps ?? [];
  if (steps.length === 0 || sweep.fits === undefined) return { ...base, status: 'skipped', note: sweep.status === 'measured' ? 'fewer than two points were measured' : notRun(sweep) };
  const highest = steps.reduce((worst, step) => (step.excess > worst.excess ? step : worst));
  const flagged = steps.filter((step) => step.excess > threshold);
  const { accel, raw } = sweep.fits;
  const fitted = `growth exponent accel ${accel.exponent.toFixed(2)}, raw ${raw.exponent.toFixed(2)}; per ${sweep.unit} accel ${accel.perUnit.toFixed(3)} ms, raw ${raw.perUnit.toFixed(3)} ms`;
  const notes = [
    flagged.length > 0
      ? `accel grew faster over ${flagged.map((step) => `${step.from} → ${step.to} (accel ×${step.accelGrowth.toFixed(2)}, raw ×${step.rawGrowth.toFixed(2)})`).join(', ')}`
      : `no step over the tolerance: highest ${times(highest.excess)} over ${highest.from} → ${highest.to}`,
    fitted,
  ];
  const failed = sweep.points.filter((point) => point.status !== 'measured');
  if (failed.length > 0) notes.push(`steps span the unmeasured ${failed.map((point) => pointLabel(sweep, point)).join(', ')}, so not met`);
  return { ...base, measured: highest.excess, status: flagged.length === 0 && failed.length === 0 ? 'met' : 'not met', note: notes.join('; ') };
}

/** Both goals for every sweep: (a) accel ÷ raw ≤ 1.2 at every point, (b) no step where accel's cost grows more than `tolerance` faster than raw's. */
export function evaluateScalingGoals(sweeps: readonly ScalingSweep[], tolerance = growthTolerance): ScalingGoalResult[] {
  return sweeps.flatMap((sweep) => [ratioGoal(sweep), growthGoal(sweep, tolerance)]);
}
