import { describe, expect, it } from 'vitest';
import { onDemand } from '../src/index.js';

/** A load the test finishes by hand, counting how often it started. */
function manualLoad() {
  const starts: Array<{ resolve(value: string): void; reject(error: Error): void }> = [];
  const load = () => new Promise<string>((resolve, reject) => starts.push({ resolve, reject }));
  return { load, starts };
}

describe('onDemand', () => {
  it('loads on the first get, and gets made while it loads share that one load', async () => {
    const { load, starts } = manualLoad();
    const part = onDemand(load, () => undefined);
    expect(starts).toHaveLength(0);
    expect(part.loaded).toBe(false);
    const gets = [part.get(), part.get(), part.get()];
    expect(starts).toHaveLength(1);
    starts[0]!.resolve('tower');
    expect(await Promise.all(gets)).toEqual(['tower', 'tower', 'tower']);
    expect(part.loaded).toBe(true);
    expect(await part.get()).toBe('tower');
    expect(starts).toHaveLength(1);
  });

  it('forgets a failed load, so the next get tries again', async () => {
    const { load, starts } = manualLoad();
    const part = onDemand(load, () => undefined);
    const first = part.get();
    starts[0]!.reject(new Error('no such file'));
    await expect(first).rejects.toThrow('no such file');
    expect(part.loaded).toBe(false);
    const second = part.get();
    expect(starts).toHaveLength(2);
    starts[1]!.resolve('tower');
    expect(await second).toBe('tower');
  });

  it('dispose waits for a load in flight, releases what loaded once, and refuses later gets', async () => {
    const { load, starts } = manualLoad();
    const released: string[] = [];
    const part = onDemand(load, (value) => void released.push(value));
    const get = part.get();
    const disposed = part.dispose();
    expect(released).toEqual([]);
    starts[0]!.resolve('tower');
    await disposed;
    expect(await get).toBe('tower');
    expect(released).toEqual(['tower']);
    expect(part.loaded).toBe(false);
    await expect(part.get()).rejects.toThrow(/released/);
    await part.dispose();
    expect(released).toEqual(['tower']);
  });

  it('dispose of a part never loaded releases nothing', async () => {
    const released: string[] = [];
    const part = onDemand(async () => 'tower', (value) => void released.push(value));
    await part.dispose();
    expect(released).toEqual([]);
  });
});
