/**
 * Fresh training pairs from the same training digits, for models that may use them freely:
 * re-pairing the 2N digits every epoch (targets from their classes) and small random shifts.
 * Only the round's training pairs go in; the test pairs never do.
 */
import { permutation, type Rng } from '../rng.js';
import { bilinear } from './bilinear.js';
import { DIGIT_PIXELS, type PairSet, repairDigits, SIDE } from './pairs.js';

/** The set's 2N digits shuffled into N new pairs, each target recomputed from the two classes. */
export function repair(set: PairSet, rng: Rng): PairSet {
  return repairDigits(set, permutation(2 * set.count, rng));
}

/** The random affine jitter applied to each training digit: uniform in ±each bound. */
export interface AffineJitter {
  /** Rotation bound, in degrees. */
  rotateDegrees: number;
  /** Scale bound, as a fraction (0.1: zoom between 0.9× and 1.1×). */
  scale: number;
  /** Translation bound along each axis, in pixels (continuous). */
  translatePixels: number;
}

/** One digit's transform: rotation (radians), zoom factor and translation (pixels). */
export interface Warp {
  angle: number;
  zoom: number;
  tx: number;
  ty: number;
}

/**
 * Resamples the 14×14 digit at `src[offset…]` into `dst[offset…]`, bilinearly. Output pixel p
 * reads the input at M·(p − c) + c + t, with M the rotation by `angle` divided by `zoom` and c
 * the image centre: the map of PyTorch's affine_grid + grid_sample (align_corners = false).
 * Reads from outside the image give `background` (a blank pixel, standardised).
 */
export function warpDigit(src: Float32Array, dst: Float32Array, offset: number, warp: Warp, background: number): void {
  const centre = (SIDE - 1) / 2;
  const [cos, sin] = [Math.cos(warp.angle) / warp.zoom, Math.sin(warp.angle) / warp.zoom];
  // Reads the input minus the background, so outside the image reads as 0.
  const at = (c: number, r: number) => (r >= 0 && r < SIDE && c >= 0 && c < SIDE ? src[offset + r * SIDE + c] - background : 0);
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const x = cos * (c - centre) - sin * (r - centre) + centre + warp.tx;
      const y = sin * (c - centre) + cos * (r - centre) + centre + warp.ty;
      dst[offset + r * SIDE + c] = bilinear(at, x, y) + background;
    }
  }
}

/** Every digit of the set warped by its own random draw of `jitter`. */
export function affineDigits(set: PairSet, jitter: AffineJitter, background: number, rng: Rng): PairSet {
  const input = new Float32Array(set.input.length);
  const uniform = (bound: number) => (2 * rng.next() - 1) * bound;
  for (let d = 0; d < 2 * set.count; d++) {
    const warp = {
      angle: (uniform(jitter.rotateDegrees) * Math.PI) / 180,
      zoom: 1 + uniform(jitter.scale),
      tx: uniform(jitter.translatePixels),
      ty: uniform(jitter.translatePixels),
    };
    warpDigit(set.input, input, d * DIGIT_PIXELS, warp, background);
  }
  return { ...set, input };
}
