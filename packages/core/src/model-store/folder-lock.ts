import { mkdir, open, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A lock nobody refreshed for this long belongs to a process that died; it is taken over. */
const staleMs = 30_000;
const refreshMs = 5_000;

/**
 * Runs `work` holding `<directory>.lock`, so two processes (two `accel` commands, a server and a
 * pull) never write the same model folder at once. The holder refreshes the lock's mtime while it
 * works; a lock left unrefreshed for 30 s by a process that died is taken over. `onWait` is
 * called once if another process holds it.
 */
export async function withFolderLock<T>(directory: string, work: () => Promise<T>, onWait?: () => void, signal?: AbortSignal): Promise<T> {
  const lock = `${directory}.lock`;
  await mkdir(dirname(lock), { recursive: true });
  let waited = false;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const modified = await stat(lock).then((stats) => stats.mtimeMs).catch(() => undefined);
      if (modified !== undefined && Date.now() - modified > staleMs) {
        await rm(lock, { force: true });
        continue;
      }
      if (!waited) onWait?.();
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const refresh = setInterval(() => {
    const now = new Date();
    void utimes(lock, now, now).catch(() => undefined);
  }, refreshMs);
  refresh.unref();
  try {
    return await work();
  } finally {
    clearInterval(refresh);
    await rm(lock, { force: true });
  }
}
