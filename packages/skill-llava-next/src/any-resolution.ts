/** [height, width] in pixels (or in features, where said). */
export type Size = readonly [height: number, width: number];

/** What the any-resolution layout of an image depends on. */
export interface AnyResolutionGeometry {
  /** Side of one square tile in pixels (the vision encoder's input, `crop_size`). */
  readonly tileSize: number;
  /** Features along one side of a tile: `tileSize / patch_size`. */
  readonly featuresPerSide: number;
  /** `image_grid_pinpoints`: the [height, width] resolutions an image may be tiled at. */
  readonly pinpoints: readonly Size[];
  /**
   * LLaVA-OneVision's `vision_aspect_ratio: "anyres_max_N"`: N. An unpadded feature grid larger
   * than N tiles' worth (by a ratio over 1.1) is scaled down bilinearly. Omitted: never (LLaVA-Next).
   */
  readonly maxTiles?: number;
  /** Whether each row of the grid is followed by the `image_newline` embedding (default true). */
  readonly newlines?: boolean;
}

/** How one image is tiled and how many image tokens it takes. */
export interface AnyResolutionLayout {
  /** The decoded image's [height, width]. */
  readonly imageSize: Size;
  /** The chosen pinpoint. */
  readonly resolution: Size;
  readonly rows: number;
  readonly columns: number;
  /** The image resized to fit the resolution with its aspect ratio kept, before padding. */
  readonly resized: Size;
  /** Padding above and to the left of the resized image (the rest goes below and to the right). */
  readonly offset: { readonly top: number; readonly left: number };
  /** Vision inputs: the base image plus rows × columns tiles. */
  readonly tiles: number;
  /** The tiles' features as one grid, [rows · featuresPerSide, columns · featuresPerSide]. */
  readonly featureGrid: Size;
  /** The feature rows [start, end) and columns [start, end) kept after unpadding. */
  readonly keptRows: readonly [number, number];
  readonly keptColumns: readonly [number, number];
  /** The grid as it goes into the prompt, [rows, columns]: the kept part, scaled down under `anyres_max_N`. */
  readonly packedGrid: Size;
  /** Image tokens: the base image's features, then each row of the packed grid followed by one newline (when newlines are on). */
  readonly features: number;
}

/**
 * Hugging Face's `select_best_resolution`: the pinpoint where the image, scaled to fit, keeps the
 * most of its own pixels (effective resolution), ties going to the one that wastes the least area;
 * the first such pinpoint in the list wins.
 */
export function selectBestResolution([height, width]: Size, pinpoints: readonly Size[]): Size {
  let best: Size | undefined;
  let bestEffective = 0;
  let leastWasted = Number.POSITIVE_INFINITY;
  for (const [pinHeight, pinWidth] of pinpoints) {
    const scale = Math.min(pinWidth / width, pinHeight / height);
    const effective = Math.min(Math.trunc(width * scale) * Math.trunc(height * scale), width * height);
    const wasted = pinWidth * pinHeight - effective;
    if (effective > bestEffective || (effective === bestEffective && wasted < leastWasted)) {
      best = [pinHeight, pinWidth];
      bestEffective = effective;
      leastWasted = wasted;
    }
  }
  if (best === undefined) throw new Error('image_grid_pinpoints is empty');
  return best;
}

/** Hugging Face's `_get_patch_output_size`: the image scaled to fit `target` with its aspect ratio kept. */
export function fitWithin([height, width]: Size, [targetHeight, targetWidth]: Size): Size {
  const scaleWidth = targetWidth / width;
  const scaleHeight = targetHeight / height;
  if (scaleWidth < scaleHeight) return [Math.min(Math.ceil(height * scaleWidth), targetHeight), targetWidth];
  return [targetHeight, Math.min(Math.ceil(width * scaleHeight), targetWidth)];
}

/** Python's `int(round(value, 7))`: drops float noise, then truncates. */
function truncateRounded(value: number): number {
  return Math.trunc(Math.round(value * 1e7) / 1e7);
}

/**
 * Hugging Face's `unpad_image` on a feature grid: the rows (or columns) that only cover the
 * padding added around an image of `imageSize` are dropped, keeping the centre.
 */
export function unpaddedRange([height, width]: Size, [gridHeight, gridWidth]: Size): { rows: [number, number]; columns: [number, number] } {
  if (width / height > gridWidth / gridHeight) {
    const kept = truncateRounded(height * (gridWidth / width));
    const padding = Math.floor((gridHeight - kept) / 2);
    return { rows: [padding, gridHeight - padding], columns: [0, gridWidth] };
  }
  const kept = truncateRounded(width * (gridHeight / height));
  const padding = Math.floor((gridWidth - kept) / 2);
  return { rows: [0, gridHeight], columns: [padding, gridWidth - padding] };
}

/**
 * LLaVA-OneVision's `anyres_max_N` limit (`pack_image_features` and the processor's
 * `_get_unpadded_features`): with ratio = √(rows · columns / (N · featuresPerSide²)), a grid whose
 * ratio exceeds 1.1 becomes ⌊rows / ratio⌋ × ⌊columns / ratio⌋.
 */
export function limitedGrid([rows, columns]: Size, featuresPerSide: number, maxTiles: number | undefined): Size {
  if (maxTiles === undefined) return [rows, columns];
  const ratio = Math.sqrt((rows * columns) / (maxTiles * featuresPerSide * featuresPerSide));
  return ratio > 1.1 ? [floorDivide(rows, ratio), floorDivide(columns, ratio)] : [rows, columns];
}

/** Python's `a // b` for positive floats (CPython's float_floor_div), which can differ from ⌊a / b⌋ where a / b rounds up to a whole number. */
function floorDivide(dividend: number, divisor: number): number {
  const remainder = dividend % divisor;
  const quotient = (dividend - remainder) / divisor;
  const floored = Math.floor(quotient);
  return quotient - floored > 0.5 ? floored + 1 : floored;
}

/** The any-resolution layout of one image: grid, resize, padding, tiles, unpadding, downscaling and token count. */
export function anyResolutionLayout(imageSize: Size, geometry: AnyResolutionGeometry): AnyResolutionLayout {
  const { tileSize, featuresPerSide } = geometry;
  const resolution = selectBestResolution(imageSize, geometry.pinpoints);
  const rows = Math.floor(resolution[0] / tileSize);
  const columns = Math.floor(resolution[1] / tileSize);
  const resized = fitWithin(imageSize, resolution);
  const featureGrid: Size = [rows * featuresPerSide, columns * featuresPerSide];
  const { rows: keptRows, columns: keptColumns } = unpaddedRange(imageSize, featureGrid);
  const packedGrid = limitedGrid([keptRows[1] - keptRows[0], keptColumns[1] - keptColumns[0]], featuresPerSide, geometry.maxTiles);
  const newline = geometry.newlines === false ? 0 : 1;
  return {
    imageSize,
    resolution,
    rows,
    columns,
    resized,
    offset: { top: Math.floor((resolution[0] - resized[0]) / 2), left: Math.floor((resolution[1] - resized[1]) / 2) },
    tiles: 1 + rows * columns,
    featureGrid,
    keptRows,
    keptColumns,
    packedGrid,
    features: featuresPerSide * featuresPerSide + packedGrid[0] * (packedGrid[1] + newline),
  };
}
