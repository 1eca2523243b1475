/**
 * `@accel/testkit/reports`: the conformance matrix — recording cells, writing `matrix.{json,md}`,
 * relativizing machine paths, finding contradictions — without vitest, so tools that only read or
 * write reports (`npm run matrix`, a benchmark) can use it outside a test run.
 */
export {
  findMatrixContradictions,
  machinePlaces,
  readMatrixCells,
  relativizeMachinePaths,
  recordMatrixCell,
  renderMatrixMarkdown,
  writeMatrixReport,
  type CaseRecord,
  type CellStatus,
  type MatrixCell,
  type MachinePlaces,
  type MatrixReport,
} from './matrix-report.js';
export { defaultReportDirectory, findWorkspaceRoot } from './workspace-report-directory.js';
