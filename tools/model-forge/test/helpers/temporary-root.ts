import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fresh folders under the system temp folder, removed by `removeAll`. */
export class TemporaryRoots {
  private readonly roots: string[] = [];

  async create(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'model-forge-'));
    this.roots.push(root);
    return root;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
  }
}
