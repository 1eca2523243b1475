import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type InferenceSessionV1, InvalidModelError, modelFileForDtype, type SkillLoadContext } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { xclipSkill } from '../src/index.js';

// tools/xclip-export/export_xclip.py (Python, not run here: no ML stack or hub) writes the graphs that
// tools/xclip-export/contract.json declares. These tests hold that declaration to what the skill loads:
// the file names, and sessions with exactly the contract's input and output names and shapes.

type Dim = string | { readonly fixed: number | string };
interface ValueSpec {
  readonly name: string;
  readonly type: string;
  readonly dims: readonly Dim[];
}
interface Contract {
  readonly quantizedSuffix: string;
  readonly copiedFiles: readonly string[];
  readonly graphs: Record<string, { readonly inputs: readonly ValueSpec[]; readonly outputs: readonly ValueSpec[] }>;
}

const contract = JSON.parse(await readFile(new URL('../../../tools/xclip-export/contract.json', import.meta.url), 'utf8')) as Contract;
const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;
/** Names the skill documents as optional: `attention_mask` is fed when declared, `logits_per_text` is not read. */
const optionalNames = new Set(['text_model:attention_mask', 'prompt_model:logits_per_text']);

let directory = '';
let fixedDims: Record<string, number> = {};

beforeAll(async () => {
  ({ directory } = await forgeModel('microsoft/xclip-base-patch32', { root: modelRoot }));
  const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as {
    projection_dim: number;
    vision_config: { num_frames: number; image_size: number; patch_size: number };
  };
  const { vision_config: vision } = config;
  // The values export_xclip.py's fixed_dims() gives these keys for the same config.
  fixedDims = {
    projection_dim: config.projection_dim,
    'vision_config.num_frames': vision.num_frames,
    'vision_config.image_size': vision.image_size,
    patches: (vision.image_size / vision.patch_size) ** 2,
  };
});

function shapeOf(dims: readonly Dim[]): Array<number | string> {
  return dims.map((dim) => (typeof dim === 'string' ? dim : typeof dim.fixed === 'number' ? dim.fixed : fixedDims[dim.fixed]!));
}

/** A session that declares what the export writes for `graph` (renamed per `rename`); loading never runs it. */
function exportedSession(graph: string, rename: Record<string, string>): InferenceSessionV1 {
  const spec = contract.graphs[graph];
  if (spec === undefined) throw new Error(`the skill asked for a session the export does not write: ${graph}`);
  const metadata = (values: readonly ValueSpec[]) =>
    values.map((value) => ({ name: rename[value.name] ?? value.name, isTensor: true, type: value.type, shape: shapeOf(value.dims) }));
  const inputMetadata = metadata(spec.inputs);
  const outputMetadata = metadata(spec.outputs);
  return {
    inputNames: inputMetadata.map((value) => value.name),
    outputNames: outputMetadata.map((value) => value.name),
    inputMetadata,
    outputMetadata,
    run: () => Promise.reject(new Error('not run in this test')),
    release: () => Promise.resolve(),
  };
}

function loadContext(renamed?: { graph: string; from: string }): SkillLoadContext {
  return {
    model: { id: 'exported-xclip', directory, source: 'folder' },
    backend: 'cpu',
    device: 'cpu',
    dtype: 'fp32',
    contextLength: undefined,
    createSession: (names) => {
      const name = typeof names === 'string' ? names : names[0]!;
      return Promise.resolve(exportedSession(name, renamed?.graph === name ? { [renamed.from]: `${renamed.from}_renamed` } : {}));
    },
    recordFile: () => {},
    readJson: async <T>(relativePath: string) => JSON.parse(await readFile(join(directory, relativePath), 'utf8')) as T,
  };
}

describe('the X-CLIP export recipe (tools/xclip-export)', () => {
  it('writes exactly the files the skill requires, for fp32 and for q8 (--quantize)', () => {
    const graphs = Object.keys(contract.graphs);
    expect([...xclipSkill.requiredFiles('fp32')].sort()).toEqual([...contract.copiedFiles, ...graphs.map((graph) => `onnx/${graph}.onnx`)].sort());
    expect([...xclipSkill.requiredFiles('q8')].sort()).toEqual(
      [...contract.copiedFiles, ...graphs.map((graph) => `onnx/${graph}${contract.quantizedSuffix}.onnx`)].sort(),
    );
    for (const graph of graphs) expect(modelFileForDtype(graph, 'q8')).toBe(`onnx/${graph}${contract.quantizedSuffix}.onnx`);
  });

  it('fixes the frame count in pixel_values, where the skill reads it', () => {
    const pixelValues = contract.graphs.vision_model!.inputs.find((value) => value.name === 'pixel_values')!;
    expect(pixelValues.dims[1]).toEqual({ fixed: 'vision_config.num_frames' });
    expect(shapeOf(pixelValues.dims)).toEqual(['batch_size', 8, 3, fixedDims['vision_config.image_size'], fixedDims['vision_config.image_size']]);
  });

  it('declares graphs the skill loads', async () => {
    const loaded = await xclipSkill.doLoad(loadContext());
    await loaded.dispose();
  });

  for (const [graph, spec] of Object.entries(contract.graphs)) {
    for (const { name } of [...spec.inputs, ...spec.outputs]) {
      const optional = optionalNames.has(`${graph}:${name}`);
      it(`${optional ? 'still loads' : 'is refused'} when ${graph}'s ${name} is named otherwise`, async () => {
        const loading = xclipSkill.doLoad(loadContext({ graph, from: name }));
        if (optional) {
          await (await loading).dispose();
          return;
        }
        const error = await loading.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(InvalidModelError.isInstance(error)).toBe(true);
        expect((error as InvalidModelError).file).toBe(`onnx/${graph}.onnx`);
        expect((error as InvalidModelError).reason).toContain(`${name}_renamed`);
      });
    }
  }
});
