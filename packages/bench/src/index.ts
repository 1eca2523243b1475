/**
 * @accel/bench: accel against raw onnxruntime and transformers.js pipelines, on the same model
 * files, in one process and one run. `runBench` measures and returns the result; `writeReports`
 * writes bench.json, bench.md and ratios.svg; `runBenchCommand` is `accel bench` after its flags
 * are parsed (the accel CLI imports this package only when `accel bench` runs).
 */
export { runBench, selectProfiles, type BenchOptions } from './runner.js';
export { runServerBench, type ServerBenchOptions } from './server/run-server-bench.js';
export { evaluateServerGoals, formatServerGoalMeasured } from './server/server-goals.js';
export { renderServerConsoleSummary, renderServerJsonReport, renderServerMarkdownReport, writeServerReports } from './reporters/server-report.js';
export { runClusterBench, type ClusterBenchOptions } from './cluster/run-cluster-bench.js';
export { evaluateClusterGoals } from './cluster/cluster-goals.js';
export { renderClusterConsoleSummary, renderClusterJsonReport, renderClusterMarkdownReport, writeClusterReports } from './reporters/cluster-report.js';
export { runScalingBench, kvCacheBytes, type ScalingBenchOptions } from './scaling/run-scaling-bench.js';
export { evaluateScalingGoals, growthTolerance, ratioThreshold } from './scaling/scaling-goals.js';
export { fitCurve, growthSteps, leastSquares, type CurveFit, type GrowthStep } from './scaling/fit.js';
export { renderScalingChart, renderScalingConsoleSummary, renderScalingJsonReport, renderScalingMarkdownReport, scalingChartFile, writeScalingReports } from './reporters/scaling-report.js';
export type { ScalingBenchResult, ScalingGoalResult, ScalingPoint, ScalingSide, ScalingSweep, SweepId } from './scaling/scaling-result.js';
export type { ClusterBenchResult, ClusterLatencyResult, ClusterThroughputResult, CpuPerRequest, LatencySide, ThroughputSide } from './cluster/cluster-bench-result.js';
export type {
  ConcurrentSide,
  FirstTokenSide,
  RequestAccounting,
  RequestLatency,
  ServerBenchResult,
  ServerEmbeddingsResult,
  ServerGoalResult,
  ServerStreamingResult,
} from './server/server-bench-result.js';
export { benchFlags, benchHelp, benchUsage, runBenchCommand, type BenchCommandFlags, type BenchCommandIo } from './bench-command.js';
export { benchBackends, type BenchBackend, type BackendFactory } from './backends.js';
export { benchProfiles } from './profiles/index.js';
export type { BenchProfile, BenchSkill, MeasureName, PreparedProfile, ProfileContext } from './profiles/bench-profile.js';
export type { ModelSize } from './model-cache.js';
export type { ProgressOutput } from './progress-bar.js';
export { evaluateGoals, formatGoalMeasured, formatGoalSpread } from './goals.js';
export { combineGoals, combineRatios, spreadOf } from './repeat.js';
export { embeddingAgreement, tokenAgreement, type AgreementResult } from './agreement.js';
export { computeRatios, findRatio } from './ratios.js';
export { renderConsoleSummary, type TableRenderer } from './reporters/console-summary.js';
export { renderJsonReport } from './reporters/json-report.js';
export { renderMarkdownReport } from './reporters/markdown-report.js';
export { renderLineChart, renderResultChart, type LineChart, type LineSeries } from './reporters/svg-chart.js';
export { writeReports } from './reporters/write-reports.js';
export type {
  BackendAvailability,
  BatchMeasurement,
  BenchResult,
  CellResult,
  CellMemoryResult,
  CoServingResult,
  CoServingSide,
  ConcurrentMeasurement,
  GenerationMeasurement,
  GoalResult,
  GoalSpread,
  LatencyMeasurement,
  BenchRunHeader,
  MachineDescription,
  MemoryMeasurement,
  ProfileFamily,
  RatioResult,
  RatioSpread,
  RepeatResult,
  RunResult,
  SpeechMeasurement,
  Spread,
  SubjectMeasurements,
  SubjectMemoryResult,
  SubjectResult,
  SubjectRole,
} from './bench-result.js';
