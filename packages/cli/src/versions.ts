import { createRequire } from 'node:module';
import { knownBackends } from './known-packages.js';
import { installedSkillNames, skillPackageName } from './skill-packages.js';

const require = createRequire(import.meta.url);

/** Every @accel package the CLI can use: core, the kit, the bench and forge, each backend and each installed skill. */
function accelPackages(): string[] {
  return ['@accel/core', '@accel/transformers-kit', '@accel/bench', '@accel/model-forge', ...knownBackends.map((known) => known.packageName), ...installedSkillNames().map(skillPackageName)];
}

function versionOf(packageName: string): string | undefined {
  try {
    return (require(`${packageName}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The CLI's version, then each installed @accel package's (those not installed are left out). */
export function installedVersions(): Array<{ packageName: string; version: string }> {
  const versions = [{ packageName: '@accel/cli', version: (require('../package.json') as { version: string }).version }];
  for (const packageName of accelPackages()) {
    const version = versionOf(packageName);
    if (version !== undefined) versions.push({ packageName, version });
  }
  return versions;
}
