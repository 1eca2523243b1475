import { float, int, ints, string } from '../onnx/attributes.js';
import type { GraphBuilder, Value } from '../onnx/graph-builder.js';
import { float32Values, int32Values } from '../onnx/tensor-data.js';
import { gelu, layerNorm, linear, mergeHeads, splitHeads } from './layers.js';
import type { Parameters } from './parameters.js';

/** HTSAT (a Swin transformer over the log-mel spectrogram), as CLAP's audio tower. */
export interface HtsatDimensions {
  /** Mel bins of `input_features` (64). */
  readonly melBins: number;
  /** Side of the square "image" the spectrogram is folded into (256). */
  readonly specSize: number;
  /** Patch side of the patch embedding (4). */
  readonly patchSize: number;
  /** Channels after the patch embedding (96); doubled by every patch merging. */
  readonly embedDim: number;
  /** Swin blocks per stage ([2, 2, 6, 2]). */
  readonly depths: readonly number[];
  /** Attention heads per stage ([4, 8, 16, 32]). */
  readonly heads: readonly number[];
  /** Attention window side (8). */
  readonly windowSize: number;
  /** Feed-forward width as a multiple of the channels (4). */
  readonly mlpRatio: number;
  readonly layerNormEpsilon: number;
}

/** Channels of the audio tower's pooled output. */
export function htsatHiddenSize(dimensions: HtsatDimensions): number {
  return dimensions.embedDim * 2 ** (dimensions.depths.length - 1);
}

const maskedWindowScore = -100;

/** Swin's relative position index of a `window`×`window` window: [window², window²] into a (2·window−1)² table. */
function relativePositionIndex(window: number): number[] {
  const index: number[] = [];
  for (let first = 0; first < window * window; first += 1) {
    for (let second = 0; second < window * window; second += 1) {
      const rowOffset = Math.floor(first / window) - Math.floor(second / window) + window - 1;
      const columnOffset = (first % window) - (second % window) + window - 1;
      index.push(rowOffset * (2 * window - 1) + columnOffset);
    }
  }
  return index;
}

/**
 * Region ids of the shifted-window attention mask, per window: [windows, window²]. Tokens of
 * one window that came from different regions of the rolled map must not attend to each other.
 */
function shiftRegionIds(resolution: number, window: number, shift: number): number[] {
  const region = (position: number) => (position < resolution - window ? 0 : position < resolution - shift ? 1 : 2);
  const perWindow = resolution / window;
  const ids: number[] = [];
  for (let windowRow = 0; windowRow < perWindow; windowRow += 1) {
    for (let windowColumn = 0; windowColumn < perWindow; windowColumn += 1) {
      for (let row = 0; row < window; row += 1) {
        for (let column = 0; column < window; column += 1) {
          ids.push(region(windowRow * window + row) * 3 + region(windowColumn * window + column));
        }
      }
    }
  }
  return ids;
}

/** Rolls a [batch, R, R, C] map by `shift` along axes 1 and 2 (torch.roll semantics), with Slice + Concat. */
function roll(graph: GraphBuilder, input: Value, resolution: number, shift: number): Value {
  const split = ((-shift % resolution) + resolution) % resolution;
  let rolled = input;
  for (const axis of [1, 2]) {
    const axes = graph.constant('int64', [axis]);
    const head = graph.op('Slice', [rolled, graph.constant('int64', [0]), graph.constant('int64', [split]), axes]);
    const tail = graph.op('Slice', [rolled, graph.constant('int64', [split]), graph.constant('int64', [resolution]), axes]);
    rolled = graph.op('Concat', [tail, head], { axis: int(axis) });
  }
  return rolled;
}

interface StageGeometry {
  readonly resolution: number;
  readonly channels: number;
  readonly heads: number;
  readonly window: number;
  readonly shift: number;
}

/** One Swin block: (shifted) window attention with a relative position bias, then the MLP; pre-LayerNorm, residuals. */
function swinBlock(
  graph: GraphBuilder,
  parameters: Parameters,
  prefix: string,
  input: Value,
  stage: StageGeometry,
  shifted: boolean,
  dimensions: HtsatDimensions,
  masks: { readonly relativeIndex: Value; readonly shiftMask: Value | undefined },
): Value {
  const { relativeIndex, shiftMask } = masks;
  const { resolution, channels, heads, window } = stage;
  const shift = shifted ? stage.shift : 0;
  const headDim = channels / heads;
  const perWindow = resolution / window;
  const tokens = window * window;
  const windowed = graph.scope(`${prefix}.attention`, () => {
    const normalized = layerNorm(graph, parameters, `${prefix}.layernorm_before`, input, channels, dimensions.layerNormEpsilon);
    let map = graph.op('Reshape', [normalized, graph.constant('int64', [-1, resolution, resolution, channels])]);
    if (shift > 0) map = roll(graph, map, resolution, -shift);
    const partitioned = graph.op('Reshape', [map, graph.constant('int64', [-1, perWindow, window, perWindow, window, channels])]);
    const windows = graph.op('Reshape', [graph.op('Transpose', [partitioned], { perm: ints([0, 1, 3, 2, 4, 5]) }), graph.constant('int64', [-1, tokens, channels])]);
    const project = (name: string) => linear(graph, parameters, `${prefix}.attention.self.${name}`, windows, channels, channels);
    const query = splitHeads(graph, project('query'), heads, headDim);
    const key = splitHeads(graph, project('key'), heads, headDim, true);
    const value = splitHeads(graph, project('value'), heads, headDim);
    const table = parameters.uniform(`${prefix}.attention.self.relative_position_bias_table`, [(2 * window - 1) ** 2, heads], 1);
    const bias = graph.op('Transpose', [graph.op('Gather', [table, relativeIndex])], { perm: ints([2, 0, 1]) });
    const scores = graph.op('Mul', [graph.op('MatMul', [query, key]), graph.constant('float32', [1 / Math.sqrt(headDim)], [])]);
    let biased = graph.op('Add', [scores, bias]);
    if (shift > 0 && shiftMask !== undefined) {
      const perImage = graph.op('Reshape', [biased, graph.constant('int64', [-1, perWindow * perWindow, heads, tokens, tokens])]);
      biased = graph.op('Reshape', [graph.op('Add', [perImage, shiftMask]), graph.constant('int64', [-1, heads, tokens, tokens])]);
    }
    const attended = graph.op('MatMul', [graph.op('Softmax', [biased], { axis: int(-1) }), value]);
    const projected = linear(graph, parameters, `${prefix}.attention.output.dense`, mergeHeads(graph, attended, channels), channels, channels);
    const unpartitioned = graph.op('Reshape', [projected, graph.constant('int64', [-1, perWindow, perWindow, window, window, channels])]);
    let restored = graph.op('Reshape', [graph.op('Transpose', [unpartitioned], { perm: ints([0, 1, 3, 2, 4, 5]) }), graph.constant('int64', [-1, resolution, resolution, channels])]);
    if (shift > 0) restored = roll(graph, restored, resolution, shift);
    return graph.op('Reshape', [restored, graph.constant('int64', [-1, resolution * resolution, channels])]);
  });
  const attentionOutput = graph.op('Add', [input, windowed], {}, { name: `${prefix}/residual` });
  const hiddenWidth = channels * dimensions.mlpRatio;
  const normalized = layerNorm(graph, parameters, `${prefix}.layernorm_after`, attentionOutput, channels, dimensions.layerNormEpsilon);
  const expanded = gelu(graph, linear(graph, parameters, `${prefix}.intermediate.dense`, normalized, channels, hiddenWidth));
  const feedForward = linear(graph, parameters, `${prefix}.output.dense`, expanded, hiddenWidth, channels);
  return graph.op('Add', [attentionOutput, feedForward], {}, { name: `${prefix}/mlp_residual` });
}

/** The additive shifted-window mask [windows, 1, window², window²] (0 within a region, −100 across), from the region ids. */
function shiftedWindowMask(graph: GraphBuilder, name: string, stage: StageGeometry): Value {
  const perWindow = stage.resolution / stage.window;
  const tokens = stage.window * stage.window;
  const ids = graph.initializer(name, 'float32', [perWindow * perWindow, tokens], float32Values(shiftRegionIds(stage.resolution, stage.window, stage.shift)));
  return graph.scope(name, () => {
    const same = graph.op('Equal', [graph.op('Unsqueeze', [ids, graph.constant('int64', [1])]), graph.op('Unsqueeze', [ids, graph.constant('int64', [2])])]);
    const mask = graph.op('Where', [same, graph.constant('float32', [0], []), graph.constant('float32', [maskedWindowScore], [])]);
    return graph.op('Unsqueeze', [mask, graph.constant('int64', [1])]);
  });
}

/** Swin patch merging: 2×2 neighbours concatenated (x0, x1, x2, x3 order), LayerNorm, Linear 4C → 2C without bias. */
function patchMerging(graph: GraphBuilder, parameters: Parameters, prefix: string, input: Value, resolution: number, channels: number, epsilon: number): Value {
  return graph.scope(prefix, () => {
    const half = resolution / 2;
    const grouped = graph.op('Reshape', [input, graph.constant('int64', [-1, half, 2, half, 2, channels])]);
    const merged = graph.op('Reshape', [graph.op('Transpose', [grouped], { perm: ints([0, 1, 3, 4, 2, 5]) }), graph.constant('int64', [-1, half * half, 4 * channels])]);
    const normalized = layerNorm(graph, parameters, `${prefix}.norm`, merged, 4 * channels, epsilon);
    return graph.op('MatMul', [normalized, parameters.uniform(`${prefix}.reduction.weight`, [4 * channels, 2 * channels], 4 * channels)]);
  });
}

/**
 * HTSAT as Hugging Face's ClapAudioEncoder runs it without fusion: `input_features`
 * [batch, 1, frames, mel] → BatchNorm over mel bins → bicubic resize of time to specSize·(specSize/mel)
 * → fold into a specSize² image → 4×4 patch embedding + LayerNorm → Swin stages (window attention,
 * shifted on odd blocks, relative position bias, patch merging between stages) → LayerNorm →
 * average over tokens. Returns the pooled [batch, hidden] output.
 */
export function buildHtsatEncoder(graph: GraphBuilder, parameters: Parameters, inputFeatures: Value, dimensions: HtsatDimensions, prefix = 'audio_model.audio_encoder'): Value {
  const { melBins, specSize, patchSize, embedDim, windowSize, layerNormEpsilon } = dimensions;
  const frequencyRatio = specSize / melBins;
  if (!Number.isInteger(frequencyRatio)) throw new Error(`spec size ${specSize} is not a multiple of ${melBins} mel bins`);
  const patches = specSize / patchSize;
  const image = graph.scope(`${prefix}.reshape_mel2img`, () => {
    // Inference BatchNorm folded into a scale and shift per mel bin, sized for dB features (mean ≈ −40, std ≈ 20).
    const scale = parameters.filled(`${prefix}.batch_norm.weight`, [melBins], 0.05);
    const shift = parameters.filled(`${prefix}.batch_norm.bias`, [melBins], 2);
    const normalized = graph.op('Add', [graph.op('Mul', [inputFeatures, scale]), shift]);
    const leading = graph.op('Slice', [graph.op('Shape', [normalized]), graph.constant('int64', [0]), graph.constant('int64', [2])]);
    const sizes = graph.op('Concat', [leading, graph.constant('int64', [specSize * frequencyRatio, melBins])], { axis: int(0) });
    const resized = graph.op('Resize', [normalized, null, null, sizes], {
      mode: string('cubic'),
      coordinate_transformation_mode: string('align_corners'),
      cubic_coeff_a: float(-0.75),
    });
    const folded = graph.op('Reshape', [resized, graph.constant('int64', [-1, frequencyRatio, specSize, melBins])]);
    return graph.op('Reshape', [graph.op('Transpose', [folded], { perm: ints([0, 1, 3, 2]) }), graph.constant('int64', [-1, 1, specSize, specSize])]);
  });
  const embedded = graph.scope(`${prefix}.patch_embed`, () => {
    const weight = parameters.uniform(`${prefix}.patch_embed.proj.weight`, [embedDim, 1, patchSize, patchSize], patchSize * patchSize);
    const bias = parameters.uniform(`${prefix}.patch_embed.proj.bias`, [embedDim], patchSize * patchSize);
    const convolved = graph.op('Conv', [image, weight, bias], { kernel_shape: ints([patchSize, patchSize]), strides: ints([patchSize, patchSize]) });
    const flattened = graph.op('Transpose', [graph.op('Reshape', [convolved, graph.constant('int64', [0, embedDim, patches * patches])])], { perm: ints([0, 2, 1]) });
    return layerNorm(graph, parameters, `${prefix}.patch_embed.norm`, flattened, embedDim, layerNormEpsilon);
  });

  const relativeIndices = new Map<number, Value>();
  let hidden = embedded;
  let resolution = patches;
  let channels = embedDim;
  dimensions.depths.forEach((depth, stageIndex) => {
    const window = Math.min(windowSize, resolution);
    const stage: StageGeometry = { resolution, channels, heads: dimensions.heads[stageIndex]!, window, shift: resolution <= windowSize ? 0 : Math.floor(windowSize / 2) };
    if (channels % stage.heads !== 0) throw new Error(`stage ${stageIndex}: ${channels} channels are not divisible by ${stage.heads} heads`);
    const stagePrefix = `${prefix}.layers.${stageIndex}`;
    const shiftMask = stage.shift > 0 && depth > 1 ? shiftedWindowMask(graph, `${stagePrefix}.shift_region_ids`, stage) : undefined;
    let relativeIndex = relativeIndices.get(window);
    if (relativeIndex === undefined) {
      relativeIndex = graph.initializer(`${prefix}.relative_position_index_${window}`, 'int32', [window * window, window * window], int32Values(relativePositionIndex(window)));
      relativeIndices.set(window, relativeIndex);
    }
    for (let block = 0; block < depth; block += 1) {
      const shifted = block % 2 === 1 && stage.shift > 0;
      hidden = swinBlock(graph, parameters, `${stagePrefix}.blocks.${block}`, hidden, stage, shifted, dimensions, { relativeIndex, shiftMask });
    }
    if (stageIndex < dimensions.depths.length - 1) {
      hidden = patchMerging(graph, parameters, `${stagePrefix}.downsample`, hidden, resolution, channels, layerNormEpsilon);
      resolution /= 2;
      channels *= 2;
    }
  });
  const normalized = layerNorm(graph, parameters, `${prefix}.norm`, hidden, channels, layerNormEpsilon);
  return graph.scope(`${prefix}.avgpool`, () => graph.op('ReduceMean', [normalized], { axes: ints([1]), keepdims: int(0) }));
}
