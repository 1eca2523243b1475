import type { BackendProbe } from '@accel/core';
import { importKnown, knownBackends, type BackendFactory } from '../known-packages.js';
import { renderTable } from '../render-table.js';

export interface DoctorRow {
  readonly backend: string;
  readonly packageName: string;
  readonly installed: boolean;
  readonly available: boolean;
  readonly probe?: BackendProbe;
  readonly reason?: string;
  readonly fix?: string;
}

/** Probes every backend package the CLI knows: installed or not, available or not, why, and the fix. */
export async function collectDoctorRows(): Promise<DoctorRow[]> {
  const rows: DoctorRow[] = [];
  for (const known of knownBackends) {
    const imported = await importKnown<BackendFactory>(known);
    if ('missing' in imported) {
      rows.push({ backend: known.name, packageName: known.packageName, installed: false, available: false, reason: imported.missing, fix: `npm install ${known.packageName}` });
      continue;
    }
    const probe = await imported.value().probe();
    rows.push({
      backend: known.name,
      packageName: known.packageName,
      installed: true,
      available: probe.available,
      probe,
      ...(probe.reason ? { reason: probe.reason } : {}),
      ...(probe.fix ? { fix: probe.fix } : {}),
    });
  }
  return rows;
}

function describeDevices(probe: BackendProbe | undefined): string {
  if (probe === undefined || probe.devices.length === 0) return '-';
  return probe.devices
    .map((device) => {
      const extras = [
        device.cores ? `${device.cores} cores` : undefined,
        device.memoryBytes ? `${(device.memoryBytes / 2 ** 30).toFixed(1)} GiB` : undefined,
      ].filter(Boolean);
      return `${device.label} (${device.name}${extras.length > 0 ? `, ${extras.join(', ')}` : ''})`;
    })
    .join(', ');
}

export function renderDoctor(rows: readonly DoctorRow[]): string {
  const table = renderTable(
    ['backend', 'available', 'devices', 'dtypes', 'runtime'],
    rows.map((row) => [row.backend, row.available ? 'yes' : 'no', describeDevices(row.probe), row.probe?.dtypes.join(' ') || '-', row.probe?.runtime ?? '-']),
  );
  const notes = rows.flatMap((row) => {
    if (row.available) {
      const details = Object.entries(row.probe?.details ?? {}).map(([key, value]) => `${key}=${value}`);
      return details.length > 0 ? [`${row.backend}: ${details.join(' ')}`] : [];
    }
    return [`${row.backend}: unavailable: ${row.reason ?? 'no reason given'}`, ...(row.fix ? [`${' '.repeat(row.backend.length)}  fix: ${row.fix}`] : [])];
  });
  return notes.length > 0 ? `${table}\n\n${notes.join('\n')}` : table;
}
