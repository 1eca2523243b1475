export { main, type CommandIo } from './main.js';
export { collectDoctorRows, renderDoctor, type DoctorRow } from './commands/doctor.js';
export { runSkill, type RunOptions, type RunResult } from './commands/run.js';
export { renderSmoke, runSmoke, type SmokeRow } from './commands/smoke.js';
