import type { BackendProbe } from '@accel/core';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import { renderTable } from '../render-table.js';

export interface DoctorRow {
  readonly backend: string;
  readonly packageName: string;
  readonly installed: boolean;
  readonly probe?: BackendProbe;
  readonly reason?: string;
  readonly fix?: string;
}

/** Probes every backend package the CLI knows: installed or not, available or not, and why. */
export async function collectDoctorRows(): Promise<DoctorRow[]> {
  const rows: DoctorRow[] = [];
  for (const known of knownBackends) {
    const imported = await importKnown<BackendFactory>(known);
    if ('missing' in imported) {
      rows.push({ backend: known.name, packageName: known.packageName, installed: false, reason: imported.missing, fix: `npm install ${known.packageName}` });
      continue;
    }
    const probe = await imported.value().probe();
    rows.push({
      backend: known.name,
      packageName: known.packageName,
      installed: true,
      probe,
      ...(probe.reason ? { reason: probe.reason } : {}),
      ...(probe.fix ? { fix: probe.fix } : {}),
    });
  }
  return rows;
}

export function renderDoctor(rows: readonly DoctorRow[]): string {
  const table = renderTable(
    ['backend', 'available', 'devices', 'dtypes', 'runtime', 'reason / fix'],
    rows.map((row) => [
      row.backend,
      row.probe?.available ? 'yes' : 'no',
      row.probe?.devices.map((device) => `${device.label} (${device.name}${device.cores ? `, ${device.cores} cores` : ''})`).join(', ') || '-',
      row.probe?.dtypes.join(' ') || '-',
      row.probe?.runtime ?? '-',
      row.probe?.available ? (row.probe.details ? Object.entries(row.probe.details).map(([key, value]) => `${key}=${value}`).join(' ') : '') : `${row.reason ?? ''}${row.fix ? ` — fix: ${row.fix}` : ''}`,
    ]),
  );
  return table;
}
