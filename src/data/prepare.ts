/**
 * Any picture of one digit → a 28×28 MNIST-style digit, as MNIST's own were made: ink found
 * in its bounding box, scaled (aspect kept) to fit 20×20, then placed in 28×28 so that its
 * centre of mass sits at the centre. Light-on-dark and dark-on-light pictures both work: the
 * border tells which is the background. Pure: pixels in, bytes out (Node's `predict` and the
 * browser app share it).
 */
import { UserError } from '../errors.js';
import { bilinear } from './bilinear.js';
import { MNIST_SIDE } from './digits.js';

/** The box MNIST scaled every digit into. */
const BOX = 20;

/** RGBA pixels → grey 0–255 (Rec. 601 luma), transparent pixels read as the page they would show on: white. */
export function rgbaToGrey(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    const a = rgba[4 * i + 3] / 255;
    const luma = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
    grey[i] = a * luma + (1 - a) * 255;
  }
  return grey;
}

/** Ink 0–255 (digit bright on black): the grey image, inverted when its border is light. */
function ink(grey: Float32Array, width: number, height: number): Float32Array {
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(grey[x], grey[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(grey[y * width], grey[y * width + width - 1]);
  border.sort((a, b) => a - b);
  const background = border[Math.floor(border.length / 2)];
  return background > 127 ? grey.map((v) => 255 - v) : grey;
}

/** The picture as a 28×28 MNIST-style digit (light on dark, bytes). */
export function mnistStyle(grey: Float32Array, width: number, height: number): Uint8Array {
  if (width < 1 || height < 1 || grey.length !== width * height) throw new UserError(`an image of ${width}×${height} holding ${grey.length} pixels`);
  const img = ink(grey, width, height);
  const peak = img.reduce((a, b) => Math.max(a, b), 0);
  if (peak < 32) throw new UserError('no digit found: the image is blank (no pixel stands out from the background)');
  // Bounding box of the ink (faint noise below a tenth of the peak ignored).
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (img[y * width + x] > peak / 10) [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
    }
  }
  const [boxW, boxH] = [right - left + 1, bottom - top + 1];
  const scale = BOX / Math.max(boxW, boxH);
  const [outW, outH] = [Math.max(1, Math.round(boxW * scale)), Math.max(1, Math.round(boxH * scale))];
  // Each output pixel averages a 4×4 grid of bilinear samples of its footprint (anti-aliased, as MNIST's were).
  const S = 4;
  const at = (c: number, r: number) => (c >= 0 && c < width && r >= 0 && r < height ? img[r * width + c] : 0); // 0 outside
  // A sample at (x, y) in pixel units has its pixel centres at integers + 0.5.
  const sample = (x: number, y: number) => bilinear(at, x - 0.5, y - 0.5);
  const small = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let sum = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          sum += sample(left + (ox + (sx + 0.5) / S) / scale, top + (oy + (sy + 0.5) / S) / scale);
        }
      }
      small[oy * outW + ox] = sum / (S * S);
    }
  }
  // Centre of mass → the centre of the 28×28 field.
  let [mass, cx, cy] = [0, 0, 0];
  small.forEach((v, i) => {
    mass += v;
    cx += v * ((i % outW) + 0.5);
    cy += v * (Math.floor(i / outW) + 0.5);
  });
  const shiftX = Math.round(MNIST_SIDE / 2 - cx / mass);
  const shiftY = Math.round(MNIST_SIDE / 2 - cy / mass);
  const out = new Uint8Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const [tx, ty] = [x + shiftX, y + shiftY];
      if (tx >= 0 && tx < MNIST_SIDE && ty >= 0 && ty < MNIST_SIDE) out[ty * MNIST_SIDE + tx] = Math.min(255, Math.round((small[y * outW + x] * 255) / peak));
    }
  }
  return out;
}

/** RGBA pixels (a PNG's, a canvas's) → a 28×28 MNIST-style digit: `predict` and the browser app prepare digits with this one function. */
export function digitFromRgba(rgba: ArrayLike<number>, width: number, height: number): Uint8Array {
  return mnistStyle(rgbaToGrey(rgba, width, height), width, height);
}
