/**
 * Fresh training pairs from the same training digits, for models that may use them freely:
 * re-pairing the 2N digits every epoch (targets from their classes) and small random shifts.
 * Only the round's training pairs go in; the test pairs never do.
 */
import { permutation, type Rng } from '../rng.js';
import { DIGIT_PIXELS, SIDE, type PairSet } from './pairs.js';

/** The set's 2N digits shuffled into N new pairs, each target recomputed from the two classes. */
export function repair(set: PairSet, rng: Rng): PairSet {
  const order = permutation(2 * set.count, rng);
  const input = new Float32Array(set.input.length);
  const classes = new Int32Array(2 * set.count);
  const poolIndex = new Int32Array(2 * set.count);
  order.forEach((from, slot) => {
    input.set(set.input.subarray(from * DIGIT_PIXELS, (from + 1) * DIGIT_PIXELS), slot * DIGIT_PIXELS);
    classes[slot] = set.classes[from];
    poolIndex[slot] = set.poolIndex[from];
  });
  const target = Int32Array.from({ length: set.count }, (_, i) => (classes[2 * i] <= classes[2 * i + 1] ? 1 : 0));
  return { input, target, classes, poolIndex, count: set.count };
}

/**
 * Every digit moved by a random whole-pixel offset in [−maxShift, maxShift]² (each digit its
 * own), the uncovered border filled with `background` (the standardised value of a 0 pixel).
 */
export function shiftDigits(set: PairSet, maxShift: number, background: number, rng: Rng): PairSet {
  const input = new Float32Array(set.input.length).fill(background);
  const span = 2 * maxShift + 1;
  for (let d = 0; d < 2 * set.count; d++) {
    const dy = Math.floor(rng.next() * span) - maxShift;
    const dx = Math.floor(rng.next() * span) - maxShift;
    const base = d * DIGIT_PIXELS;
    for (let r = Math.max(0, dy); r < Math.min(SIDE, SIDE + dy); r++) {
      const from = base + (r - dy) * SIDE;
      const to = base + r * SIDE;
      for (let c = Math.max(0, dx); c < Math.min(SIDE, SIDE + dx); c++) input[to + c] = set.input[from + c - dx];
    }
  }
  return { ...set, input };
}
