import type { AnyResolutionLayout } from './any-resolution.js';

/** The vision encoder's outputs for a batch of views (each image's base view, then its tiles). */
export interface TileFeatures {
  /** [views, stride, width], flattened: each view's featuresPerSide² features, then `stride − featuresPerSide²` rows the packing skips. */
  readonly features: Float32Array;
  readonly featuresPerTile: number;
  /** Rows per view in `features` (featuresPerTile, or featuresPerTile + 1 when the export appends `image_newline`). */
  readonly stride?: number;
  readonly width: number;
  /** `image_newline` [width], or undefined where the model has none to give (no newline tokens then). */
  readonly newline: Float32Array | undefined;
}

/** One bilinear axis step as PyTorch's `interpolate(mode="bilinear", align_corners=False)` computes it for an output size. */
function bilinearTaps(inputSize: number, outputSize: number): Array<{ low: number; high: number; weight: number }> {
  const scale = inputSize / outputSize;
  return Array.from({ length: outputSize }, (_, index) => {
    const source = Math.max((index + 0.5) * scale - 0.5, 0);
    const low = Math.floor(source);
    const high = low < inputSize - 1 ? low + 1 : low;
    return { low, high, weight: source - low };
  });
}

/**
 * Scales a [rows, columns, width] feature grid (channels last) to [outputRows, outputColumns],
 * bilinearly, as LLaVA-OneVision's `anyres_max_N` does with `nn.functional.interpolate`.
 */
export function resizeFeatureGrid(grid: Float32Array, [rows, columns]: readonly [number, number], width: number, [outputRows, outputColumns]: readonly [number, number]): Float32Array {
  if (rows === outputRows && columns === outputColumns) return grid;
  const rowTaps = bilinearTaps(rows, outputRows);
  const columnTaps = bilinearTaps(columns, outputColumns);
  const output = new Float32Array(outputRows * outputColumns * width);
  for (const [y, rowTap] of rowTaps.entries()) {
    for (const [x, columnTap] of columnTaps.entries()) {
      const corners = [
        [rowTap.low, columnTap.low, (1 - rowTap.weight) * (1 - columnTap.weight)],
        [rowTap.low, columnTap.high, (1 - rowTap.weight) * columnTap.weight],
        [rowTap.high, columnTap.low, rowTap.weight * (1 - columnTap.weight)],
        [rowTap.high, columnTap.high, rowTap.weight * columnTap.weight],
      ] as const;
      const target = (y * outputColumns + x) * width;
      for (const [row, column, weight] of corners) {
        if (weight === 0) continue;
        const source = (row * columns + column) * width;
        for (let channel = 0; channel < width; channel += 1) output[target + channel]! += weight * grid[source + channel]!;
      }
    }
  }
  return output;
}

/**
 * Assembles each image's features in LLaVA-Next / OneVision order (Hugging Face's
 * `pack_image_features`): the base view's features, then the tiles' features as one grid,
 * unpadded, scaled down where the layout says so (`anyres_max_N`), row by row with the newline
 * embedding after each row. Images follow each other; returns [total, width], flattened.
 */
export function packImageFeatures({ features, featuresPerTile, stride = featuresPerTile, width, newline }: TileFeatures, layouts: readonly AnyResolutionLayout[]): Float32Array {
  const side = Math.round(Math.sqrt(featuresPerTile));
  const packed = new Float32Array(layouts.reduce((sum, layout) => sum + layout.features, 0) * width);
  let written = 0;
  let firstTile = 0;
  const featureAt = (tile: number, feature: number) => {
    const start = (tile * stride + feature) * width;
    return features.subarray(start, start + width);
  };
  for (const layout of layouts) {
    for (let feature = 0; feature < featuresPerTile; feature += 1) {
      packed.set(featureAt(firstTile, feature), written);
      written += width;
    }
    const [top, bottom] = layout.keptRows;
    const [left, right] = layout.keptColumns;
    const kept = new Float32Array((bottom - top) * (right - left) * width);
    let keptOffset = 0;
    for (let row = top; row < bottom; row += 1) {
      for (let column = left; column < right; column += 1) {
        const tile = firstTile + 1 + Math.floor(row / side) * layout.columns + Math.floor(column / side);
        kept.set(featureAt(tile, (row % side) * side + (column % side)), keptOffset);
        keptOffset += width;
      }
    }
    const [rows, columns] = layout.packedGrid;
    const grid = resizeFeatureGrid(kept, [bottom - top, right - left], width, [rows, columns]);
    for (let row = 0; row < rows; row += 1) {
      packed.set(grid.subarray(row * columns * width, (row + 1) * columns * width), written);
      written += columns * width;
      if (newline !== undefined) {
        packed.set(newline, written);
        written += width;
      }
    }
    firstTile += layout.tiles;
  }
  if (written !== packed.length) throw new Error(`packed ${written / width} features for layouts that take ${packed.length / width}`);
  return packed;
}
