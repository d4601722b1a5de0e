/** Bilinear sampling, shared by the training jitter (./augment.ts) and the preparation of pictures (./prepare.ts). */

/**
 * The value at the continuous position (x, y), with pixel (column c, row r) at integer
 * coordinates (c, r): a blend of the four pixels around it, each weighed by its nearness.
 * `at(c, r)` reads a pixel, and decides what lies outside the image.
 */
export function bilinear(at: (column: number, row: number) => number, x: number, y: number): number {
  const [x0, y0] = [Math.floor(x), Math.floor(y)];
  const [fx, fy] = [x - x0, y - y0];
  return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}
