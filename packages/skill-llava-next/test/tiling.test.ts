import { describe, expect, it } from 'vitest';
import { anyResolutionLayout, limitedGrid, selectBestResolution, type AnyResolutionGeometry } from '../src/any-resolution.js';
import { packImageFeatures, resizeFeatureGrid } from '../src/pack-image-features.js';
import { tileImage } from '../src/tile-image.js';

/** LLaVA-OneVision's 36 pinpoints, (1…6 rows) × (1…6 columns) tiles of `size`, rows outer. */
const oneVisionPinpoints = (size: number) => Array.from({ length: 36 }, (_, index): [number, number] => [(Math.floor(index / 6) + 1) * size, ((index % 6) + 1) * size]);
/** The tiny forged default model: 32-pixel views, patch 8 (4 × 4 = 16 features per view), OneVision's pinpoints at 32, anyres_max_9. */
const tinyOneVision: AnyResolutionGeometry = { tileSize: 32, featuresPerSide: 4, pinpoints: oneVisionPinpoints(32), maxTiles: 9 };
/** llava-onevision-qwen2-0.5b-ov-hf: 384-pixel views, patch 14 (27 × 27 = 729 features per view), pinpoints 384…2304, anyres_max_9. */
const realOneVision: AnyResolutionGeometry = { tileSize: 384, featuresPerSide: 27, pinpoints: oneVisionPinpoints(384), maxTiles: 9 };
/** LLaVA-Next's five pinpoints scaled from 336 to 32 (no anyres_max limit). */
const tiny: AnyResolutionGeometry = {
  tileSize: 32,
  featuresPerSide: 4,
  pinpoints: [[32, 64], [64, 32], [64, 64], [96, 32], [32, 96]],
};
/** Real LLaVA-Next (llava-v1.6): 336-pixel tiles, patch 14 (24 × 24 = 576 features per tile). */
const real: AnyResolutionGeometry = {
  tileSize: 336,
  featuresPerSide: 24,
  pinpoints: [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]],
};

describe('any-resolution layout, against hand-computed cases', () => {
  it('square 64×64: the 2×2 grid, nothing to unpad → 16 + 8 × (8 + 1) = 88 tokens, 5 tiles', () => {
    // Pinpoints [h, w] → scale = min(w/64, h/64), effective = min(⌊64s⌋², 64²), wasted = h·w − effective:
    //   [32,64] s=.5 → 32·32=1024, wasted 1024   [64,32] same   [64,64] s=1 → 4096, wasted 0  ← best
    //   [96,32] s=.5 → 1024                       [32,96] s=.5 → 1024
    // Resize to fit 64×64: 64×64, no padding. Tiles: base + 2×2 = 5.
    // Feature grid (2·4)×(2·4) = 8×8; aspect 1 = 1, so unpadding keeps ⌊64·8/64⌋ = 8 columns: 8×8.
    // Tokens: 16 (base) + 8 rows × (8 + 1 newline) = 88.
    expect(anyResolutionLayout([64, 64], tiny)).toEqual({
      imageSize: [64, 64],
      resolution: [64, 64],
      rows: 2,
      columns: 2,
      resized: [64, 64],
      offset: { top: 0, left: 0 },
      tiles: 5,
      featureGrid: [8, 8],
      keptRows: [0, 8],
      keptColumns: [0, 8],
      packedGrid: [8, 8],
      features: 88,
    });
  });

  it('tall 32 wide × 160 high: a 3×1 grid, unpadding drops a column each side → 16 + 12 × (2 + 1) = 52 tokens', () => {
    // [32,64] s=min(64/32, 32/160)=.2 → ⌊6.4⌋·32 = 192    [64,32] s=.4 → 12·64 = 768
    // [64,64] s=.4 → 768 (wasted 3328)                     [96,32] s=.6 → ⌊19.2⌋·96 = 1824 ← best
    // [32,96] s=.2 → 192
    // Resize to fit 96×32: scale_w = 1 ≥ scale_h = .6 → height 96, width min(⌈32·.6⌉, 32) = 20;
    // pad 12 columns: 6 left, 6 right. Tiles: base + 3×1 = 4.
    // Feature grid 12×4; image aspect 32/160 = .2 < 4/12, so keep ⌊32·12/160⌋ = ⌊2.4⌋ = 2 columns,
    // padding (4 − 2) / 2 = 1 each side: columns [1, 3).
    // Tokens: 16 + 12 rows × (2 + 1) = 52.
    const layout = anyResolutionLayout([160, 32], tiny);
    expect(layout).toMatchObject({ resolution: [96, 32], rows: 3, columns: 1, resized: [96, 20], offset: { top: 0, left: 6 }, tiles: 4 });
    expect(layout).toMatchObject({ featureGrid: [12, 4], keptRows: [0, 12], keptColumns: [1, 3], features: 52 });
  });

  it('small 20×20: upscaled into a 1×2 grid, half of it padding → 16 + 4 × (4 + 1) = 36 tokens', () => {
    // Every pinpoint holds the whole image: effective = min(…, 20·20) = 400 for all, so the least
    // wasted wins, the first of equals: [32,64] and [64,32] both waste 2048 − 400 = 1648 → [32,64].
    // Resize to fit 32×64: scale_w = 3.2 ≥ scale_h = 1.6 → height 32, width min(⌈20·1.6⌉, 64) = 32;
    // pad 32 columns: 16 left, 16 right. Tiles: base + 1×2 = 3.
    // Feature grid 4×8; aspect 1 < 8/4, keep ⌊20·4/20⌋ = 4 columns, padding (8 − 4)/2 = 2: [2, 6).
    // Tokens: 16 + 4 rows × (4 + 1) = 36.
    const layout = anyResolutionLayout([20, 20], tiny);
    expect(layout).toMatchObject({ resolution: [32, 64], rows: 1, columns: 2, resized: [32, 32], offset: { top: 0, left: 16 }, tiles: 3 });
    expect(layout).toMatchObject({ featureGrid: [4, 8], keptRows: [0, 4], keptColumns: [2, 6], features: 36 });
  });

  it('wide 200×40: a 1×3 grid, unpadding drops a row each side → 16 + 2 × (12 + 1) = 42 tokens', () => {
    // [32,64] s=min(64/200, 32/40)=.32 → 64·⌊12.8⌋ = 768   [64,32] s=.16 → 32·6 = 192
    // [64,64] s=.32 → 768                                   [96,32] s=.16 → 192
    // [32,96] s=min(.48, .8)=.48 → 96·⌊19.2⌋ = 1824 ← best
    // Resize to fit 32×96: scale_w = .48 < scale_h = .8 → width 96, height min(⌈40·.48⌉, 32) = 20;
    // pad 12 rows: 6 above, 6 below. Tiles: base + 1×3 = 4.
    // Feature grid 4×12; aspect 200/40 = 5 > 12/4, keep ⌊40·12/200⌋ = ⌊2.4⌋ = 2 rows, padding 1: [1, 3).
    // Tokens: 16 + 2 rows × (12 + 1) = 42.
    const layout = anyResolutionLayout([40, 200], tiny);
    expect(layout).toMatchObject({ resolution: [32, 96], rows: 1, columns: 3, resized: [20, 96], offset: { top: 6, left: 0 }, tiles: 4 });
    expect(layout).toMatchObject({ featureGrid: [4, 12], keptRows: [1, 3], keptColumns: [0, 12], features: 42 });
  });

  it('a 640×480 photo at real LLaVA-Next size: 2×2 grid of 336 tiles → 576 + 36 × (48 + 1) = 2340 tokens', () => {
    // [336,672] s=.7 → 448·336 = 150528   [672,336] s=.525 → 336·252 = 84672
    // [672,672] s=1.05 → 672·504 capped at 640·480 = 307200 ← best      [1008,336], [336,1008] lower.
    // Resize to 672 wide, ⌈480·1.05⌉ = 504 high; pad 168 rows: 84 above. Feature grid 48×48;
    // aspect 4/3 > 1, keep ⌊480·48/640⌋ = 36 rows, padding 6: [6, 42). Tokens 576 + 36 × 49 = 2340.
    expect(anyResolutionLayout([480, 640], real)).toMatchObject({ resolution: [672, 672], tiles: 5, resized: [504, 672], offset: { top: 84, left: 0 }, keptRows: [6, 42], features: 2340 });
  });

  it('prefers more of the image kept over less area wasted', () => {
    expect(selectBestResolution([30, 30], [[32, 32], [64, 64]])).toEqual([32, 32]);
    expect(selectBestResolution([60, 60], [[32, 32], [64, 64]])).toEqual([64, 64]);
  });
});

describe('LLaVA-OneVision layout (anyres_max_9), against hand-computed cases', () => {
  it('lists the pinpoints as the conversion does: [384, 384], [384, 768], … [2304, 2304]', () => {
    expect(realOneVision.pinpoints).toHaveLength(36);
    expect(realOneVision.pinpoints.slice(0, 2)).toEqual([[384, 384], [384, 768]]);
    expect(realOneVision.pinpoints.at(6)).toEqual([768, 384]);
    expect(realOneVision.pinpoints.at(-1)).toEqual([2304, 2304]);
  });

  it('small 20×20: the 1×1 pinpoint (least wasted of equals), 2 views → 16 + 4 × (4 + 1) = 36 tokens', () => {
    // Every pinpoint holds all 400 pixels (scale ≥ 1.6); [32,32] wastes 1024 − 400 = 624, the least.
    // Resize to fit 32×32 (scale 1.6 both ways): 32×32, no padding. Feature grid 4×4, nothing to unpad.
    expect(anyResolutionLayout([20, 20], tinyOneVision)).toMatchObject({ resolution: [32, 32], rows: 1, columns: 1, tiles: 2, keptRows: [0, 4], keptColumns: [0, 4], packedGrid: [4, 4], features: 36 });
  });

  it('wide 200×40: a 2×6 grid (no pinpoint holds it whole), two rows unpadded off each side → 16 + 4 × (24 + 1) = 116 tokens', () => {
    // Widest pinpoints are 192: scale = min(192/200, H/40) ≤ .96. [32,192]: .8 → 160·32 = 5120;
    // [64,192]: .96 → 192·⌊38.4⌋ = 7296 ← best (taller ones tie on 7296 but waste more).
    // Resize: scale_w .96 < scale_h 1.6 → width 192, height min(⌈38.4⌉, 64) = 39; pad 25 rows: 12 above.
    // Feature grid 8×24; aspect 5 > 3 → keep ⌊40·24/200⌋ = ⌊4.8⌋ = 4 rows, padding (8 − 4)/2 = 2: rows [2, 6).
    // Ratio √(4·24 / (9·16)) < 1.1: no downscaling. Tokens 16 + 4 × 25 = 116; views 1 + 2·6 = 13.
    expect(anyResolutionLayout([40, 200], tinyOneVision)).toMatchObject({
      resolution: [64, 192],
      rows: 2,
      columns: 6,
      resized: [39, 192],
      offset: { top: 12, left: 0 },
      tiles: 13,
      featureGrid: [8, 24],
      keptRows: [2, 6],
      packedGrid: [4, 24],
      features: 116,
    });
  });

  it('square 128×128: a 4×4 grid of 16×16 features, scaled down by anyres_max_9 to 12×12 → 16 + 12 × 13 = 172 tokens', () => {
    // [128,128] holds it at scale 1 and wastes nothing. 17 views. Nothing to unpad: 16×16 features.
    // ratio = √(16·16 / (9 · 4²)) = 4/3 > 1.1 → ⌊16 / (4/3)⌋ = 12 rows and columns.
    expect(anyResolutionLayout([128, 128], tinyOneVision)).toMatchObject({ resolution: [128, 128], tiles: 17, featureGrid: [16, 16], keptRows: [0, 16], keptColumns: [0, 16], packedGrid: [12, 12], features: 172 });
  });

  it('without newlines (an export that gives none), each row takes one token less', () => {
    expect(anyResolutionLayout([128, 128], { ...tinyOneVision, newlines: false }).features).toBe(16 + 12 * 12);
  });

  it('a 640×480 photo at real size: 2×2 grid of 384 tiles → 729 + 40 × (54 + 1) = 2929 tokens', () => {
    // Holding all 640·480 pixels needs W ≥ 640 and H ≥ 480: [768,768] wastes the least of those.
    // Resize: scale_w 1.2 < scale_h 1.6 → 768 wide, ⌈480·1.2⌉ = 576 high; pad 192 rows: 96 above.
    // Feature grid 54×54; aspect 4/3 > 1 → keep ⌊480·54/640⌋ = ⌊40.5⌋ = 40 rows, padding 7: [7, 47).
    // Ratio √(40·54 / (9·729)) ≈ .57: no downscaling. Tokens 729 + 40 × 55 = 2929; views 5.
    expect(anyResolutionLayout([480, 640], realOneVision)).toMatchObject({ resolution: [768, 768], tiles: 5, resized: [576, 768], offset: { top: 96, left: 0 }, keptRows: [7, 47], packedGrid: [40, 54], features: 2929 });
  });

  it('a 2000×2000 image at real size: 6×6 grid, 162×162 features halved to 81×81 → 729 + 81 × 82 = 7371 tokens', () => {
    // Only [2304,2304] holds it whole (scale 1.152). 37 views. ratio = √(162² / (9 · 27²)) = 2 → 81.
    expect(anyResolutionLayout([2000, 2000], realOneVision)).toMatchObject({ resolution: [2304, 2304], tiles: 37, featureGrid: [162, 162], packedGrid: [81, 81], features: 7371 });
  });

  it('limits a grid only past a ratio of 1.1, and not at all without anyres_max', () => {
    // 13×13 at g = 4, N = 9: ratio = 13/12 ≈ 1.083 → kept. 14×14: ratio = 14/12, and 14 / ratio is 12 on
    // paper, but the double ratio is 1.1666666666666667 and Python's 14 // 1.1666666666666667 is 11.0
    // (12 × ratio > 14): the processor and the model both take 11, and so does the skill.
    expect(limitedGrid([13, 13], 4, 9)).toEqual([13, 13]);
    expect(limitedGrid([14, 14], 4, 9)).toEqual([11, 11]);
    expect(limitedGrid([14, 14], 4, undefined)).toEqual([14, 14]);
  });
});

describe('feature packing', () => {
  it('puts the base features first, then the unpadded grid row by row with a newline after each row', () => {
    // 20×20: tiles [base, left, right], 16 features each; feature value = 100 · tile + index in tile.
    const layout = anyResolutionLayout([20, 20], tiny);
    const features = Float32Array.from({ length: 3 * 16 }, (_, index) => 100 * Math.floor(index / 16) + (index % 16));
    const packed = Array.from(packImageFeatures({ features, featuresPerTile: 16, width: 1, newline: Float32Array.of(-1) }, [layout]));
    const base = Array.from({ length: 16 }, (_, index) => index);
    // Grid columns 2..5: columns 2, 3 of the left tile (1), then columns 0, 1 of the right tile (2).
    const rows = [0, 1, 2, 3].flatMap((y) => [100 + 4 * y + 2, 100 + 4 * y + 3, 200 + 4 * y, 200 + 4 * y + 1, -1]);
    expect(packed).toEqual([...base, ...rows]);
    expect(packed).toHaveLength(layout.features);
  });

  it('skips the newline row each view carries (stride g² + 1) and scales an oversized grid down bilinearly', () => {
    // 128×128 on the tiny OneVision geometry: 17 views of 16 features + 1 appended newline row.
    // Grid feature at (row, column) of the 16×16 grid = 100 · row + column; bilinear resizing of a
    // linear function gives its value at the source coordinate: s(i) = max((i + .5) · 16/12 − .5, 0).
    const layout = anyResolutionLayout([128, 128], tinyOneVision);
    const stride = 17;
    const features = new Float32Array(17 * stride).fill(Number.NaN);
    for (let feature = 0; feature < 16; feature += 1) features[feature] = -5; // base view
    for (let row = 0; row < 16; row += 1) {
      for (let column = 0; column < 16; column += 1) {
        const view = 1 + Math.floor(row / 4) * 4 + Math.floor(column / 4);
        features[view * stride + (row % 4) * 4 + (column % 4)] = 100 * row + column;
      }
    }
    const packed = packImageFeatures({ features, featuresPerTile: 16, stride, width: 1, newline: Float32Array.of(-1) }, [layout]);
    expect(packed).toHaveLength(172);
    expect(Array.from(packed.subarray(0, 16))).toEqual(Array.from({ length: 16 }, () => -5));
    const source = (index: number) => Math.max(((index + 0.5) * 16) / 12 - 0.5, 0);
    for (let row = 0; row < 12; row += 1) {
      for (let column = 0; column < 12; column += 1) expect(packed[16 + row * 13 + column]).toBeCloseTo(100 * source(row) + source(column), 3);
      expect(packed[16 + row * 13 + 12]).toBe(-1);
    }
  });

  it('resizes like PyTorch: corners clamp at the first and last source rows', () => {
    // 4 → 2: s(0) = .5·2 − .5 = .5 → mean of rows 0, 1; s(1) = 1.5·2 − .5 = 2.5 → mean of rows 2, 3.
    expect(Array.from(resizeFeatureGrid(Float32Array.of(0, 10, 20, 30), [4, 1], 1, [2, 1]))).toEqual([5, 25]);
    // 2 → 4 (upscaling, as PyTorch would): s = −.25 → 0, .25, .75, 1.25 → high clamps to the last row.
    expect(Array.from(resizeFeatureGrid(Float32Array.of(0, 10), [2, 1], 1, [4, 1]))).toEqual([0, 2.5, 7.5, 10]);
  });

  it('packs several images one after another', () => {
    const layouts = [anyResolutionLayout([20, 20], tiny), anyResolutionLayout([64, 64], tiny)];
    const features = new Float32Array((3 + 5) * 16 * 2);
    const packed = packImageFeatures({ features, featuresPerTile: 16, width: 2, newline: Float32Array.of(7, 7) }, layouts);
    expect(packed).toHaveLength((36 + 88) * 2);
  });
});

describe('tiles', () => {
  it('writes the base image, then the padded grid tile by tile, normalised', async () => {
    // A white 20×20 image → resolution 32×64, resized to 32×32 at columns 16..47 of the canvas.
    const image = { data: new Uint8Array(20 * 20 * 3).fill(255), width: 20, height: 20, channels: 3 as const };
    const normalization = { tileSize: 32, kernel: 'cubic' as const, rescaleFactor: 1 / 255, mean: [0.5, 0.5, 0.5] as const, standardDeviation: [0.5, 0.5, 0.5] as const };
    const values = await tileImage(image, anyResolutionLayout([20, 20], tiny), normalization);
    expect(values).toHaveLength(3 * 3 * 32 * 32);
    const at = (tile: number, channel: number, y: number, x: number) => values[((tile * 3 + channel) * 32 + y) * 32 + x]!;
    expect(at(0, 0, 10, 10)).toBeCloseTo(1);
    expect(at(1, 1, 5, 3)).toBeCloseTo(-1);
    expect(at(1, 2, 5, 20)).toBeCloseTo(1);
    expect(at(2, 0, 30, 10)).toBeCloseTo(1);
    expect(at(2, 0, 30, 20)).toBeCloseTo(-1);
  });
});
