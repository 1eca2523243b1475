import type { AnyResolutionLayout } from './any-resolution.js';

/** The vision encoder's outputs for a batch of tiles. */
export interface TileFeatures {
  /** [tiles, featuresPerSide², width], flattened. */
  readonly features: Float32Array;
  readonly featuresPerTile: number;
  readonly width: number;
  /** `image_newline` [width]. */
  readonly newline: Float32Array;
}

/**
 * Assembles each image's features in LLaVA-Next order (Hugging Face's `pack_image_features`):
 * the base image's features, then the tiles' features as one grid, row by row, unpadded, with
 * the newline embedding after each row. Images follow each other; returns [total, width], flattened.
 */
export function packImageFeatures({ features, featuresPerTile, width, newline }: TileFeatures, layouts: readonly AnyResolutionLayout[]): Float32Array {
  const side = Math.round(Math.sqrt(featuresPerTile));
  const packed = new Float32Array(layouts.reduce((sum, layout) => sum + layout.features, 0) * width);
  let written = 0;
  let firstTile = 0;
  const copyFeature = (tile: number, feature: number) => {
    const start = (tile * featuresPerTile + feature) * width;
    packed.set(features.subarray(start, start + width), written);
    written += width;
  };
  for (const layout of layouts) {
    for (let feature = 0; feature < featuresPerTile; feature += 1) copyFeature(firstTile, feature);
    for (let row = layout.keptRows[0]; row < layout.keptRows[1]; row += 1) {
      for (let column = layout.keptColumns[0]; column < layout.keptColumns[1]; column += 1) {
        const tile = firstTile + 1 + Math.floor(row / side) * layout.columns + Math.floor(column / side);
        copyFeature(tile, (row % side) * side + (column % side));
      }
      packed.set(newline, written);
      written += width;
    }
    firstTile += layout.tiles;
  }
  return packed;
}
