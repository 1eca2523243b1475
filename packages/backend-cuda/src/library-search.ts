import type { SystemAccess } from './system-access.js';

/** Where a shared library was found. */
export interface LibraryLocation {
  readonly path: string;
  /** True when the dynamic loader finds it (LD_LIBRARY_PATH, the ldconfig cache, the system folders). */
  readonly loadable: boolean;
}

/** Looks shared libraries up the way the dynamic loader would, and then in the usual install folders it does not search. */
export interface LibrarySearch {
  find(file: string): Promise<LibraryLocation | undefined>;
  /** What was searched, for the probe's details. */
  readonly searched: string;
}

const multiarchTriplets: Readonly<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const cudaTargets: Readonly<Record<string, string>> = { x64: 'x86_64-linux', arm64: 'sbsa-linux' };

/** Parses `ldconfig -p`: lines like `\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9`. */
export function parseLdconfigCache(output: string): Map<string, string> {
  const cache = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[3] !== undefined && !cache.has(match[1])) cache.set(match[1], match[3]);
  }
  return cache;
}

async function readLdconfigCache(system: SystemAccess): Promise<Map<string, string>> {
  // ldconfig lives in /sbin, which is not on every user's PATH.
  for (const program of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const outcome = await system.runCommand(program, ['-p']);
    if (outcome.found) return outcome.exitCode === 0 ? parseLdconfigCache(outcome.stdout) : new Map();
  }
  return new Map();
}

async function pythonSitePackages(system: SystemAccess, prefix: string, folderNames: readonly string[]): Promise<string[]> {
  const versions = (await system.listFolder(`${prefix}/lib`)).filter((entry) => /^python3\.\d+$/.test(entry)).sort();
  return versions.flatMap((version) => folderNames.map((name) => `${prefix}/lib/${version}/${name}`));
}

/** Install folders the loader does not search unless told to: CUDA toolkits, conda, pip's `nvidia/*\/lib` wheels. */
async function installFolders(system: SystemAccess): Promise<string[]> {
  const environment = system.environment();
  const target = cudaTargets[system.arch] ?? 'x86_64-linux';
  const toolkits = ['cuda', ...(await system.listFolder('/usr/local')).filter((entry) => /^cuda-\d/.test(entry)).sort().reverse()];
  const folders = toolkits.flatMap((toolkit) => [`/usr/local/${toolkit}/lib64`, `/usr/local/${toolkit}/lib`, `/usr/local/${toolkit}/targets/${target}/lib`]);

  const sites: string[] = [];
  if (environment.VIRTUAL_ENV) sites.push(...(await pythonSitePackages(system, environment.VIRTUAL_ENV, ['site-packages'])));
  if (environment.CONDA_PREFIX) {
    folders.push(`${environment.CONDA_PREFIX}/lib`);
    sites.push(...(await pythonSitePackages(system, environment.CONDA_PREFIX, ['site-packages'])));
  }
  if (environment.HOME) sites.push(...(await pythonSitePackages(system, `${environment.HOME}/.local`, ['site-packages'])));
  sites.push(...(await pythonSitePackages(system, '/usr/local', ['dist-packages', 'site-packages'])), '/usr/lib/python3/dist-packages');
  for (const site of sites) {
    for (const component of (await system.listFolder(`${site}/nvidia`)).sort()) folders.push(`${site}/nvidia/${component}/lib`);
  }
  return folders;
}

/** Builds a search over this machine's loader path and install folders. */
export async function createLibrarySearch(system: SystemAccess): Promise<LibrarySearch> {
  const triplet = multiarchTriplets[system.arch];
  const libraryPath = (system.environment().LD_LIBRARY_PATH ?? '').split(':').filter((folder) => folder !== '');
  const systemFolders = [...(triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : []), '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
  const cache = await readLdconfigCache(system);
  const otherFolders = await installFolders(system);

  const findIn = async (folders: readonly string[], file: string): Promise<string | undefined> => {
    for (const folder of folders) {
      const path = `${folder.replace(/\/+$/, '')}/${file}`;
      if (await system.pathExists(path)) return path;
    }
    return undefined;
  };

  return {
    searched: 'LD_LIBRARY_PATH, the ldconfig cache, the system library folders, /usr/local/cuda*, conda and pip (nvidia/*/lib) folders',
    async find(file) {
      const onLoaderPath = (await findIn(libraryPath, file)) ?? cache.get(file) ?? (await findIn(systemFolders, file));
      if (onLoaderPath !== undefined) return { path: onLoaderPath, loadable: true };
      const elsewhere = await findIn(otherFolders, file);
      return elsewhere === undefined ? undefined : { path: elsewhere, loadable: false };
    },
  };
}
