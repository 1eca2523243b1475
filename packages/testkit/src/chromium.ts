import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/**
 * The Chromium to drive: `$ACCEL_CHROMIUM` when set, else the first of `chromium`,
 * `chromium-browser`, `google-chrome` on the PATH (Debian's `chromium`, which `.ci/run` installs).
 * Undefined when none is there.
 */
export function chromiumExecutable(): string | undefined {
  const given = process.env.ACCEL_CHROMIUM;
  if (given !== undefined && given !== '') return given;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (found !== '') return found;
    } catch {
      // not on the PATH
    }
  }
  return undefined;
}

/** Why a browser test cannot run here (for `describe.skipIf(reason)` and its title), or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return chromiumExecutable() === undefined ? 'no Chromium found (apt-get install chromium, or set ACCEL_CHROMIUM to its path)' : undefined;
}

export interface LaunchedChromium {
  /** A browser context on a fresh profile. */
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium through playwright-core (no browser download: the installed one) on a
 * fresh profile in the temp folder, with `--no-sandbox` (containers run as root) and everything
 * that would reach the network at start (sync, component updates, QUIC) off. Throws when
 * Chromium is missing; test suites check `chromiumMissing()` first and skip with its reason.
 */
export async function launchChromium(options: { args?: readonly string[] } = {}): Promise<LaunchedChromium> {
  const executablePath = chromiumExecutable();
  if (executablePath === undefined) throw new Error(chromiumMissing());
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'accel-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        ...(options.args ?? []),
      ],
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
