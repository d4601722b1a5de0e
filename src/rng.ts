/**
 * Seeded randomness. Every random choice in digit-pairs (pair sampling, initial weights,
 * dropout masks, shuffling) draws from an Rng made here, so one seed fixes every number.
 */

/** A deterministic stream of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** Mixes 32-bit words into one (murmur3's finaliser), so nearby seeds give unrelated streams. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * sfc32 (small fast counter) seeded from `seed` and a stream label, e.g. `makeRng(7, 'init')`.
 * Distinct labels give independent streams from the same round seed, so adding a random draw
 * in one stage never shifts the numbers of another.
 */
export function makeRng(seed: number, stream: string): Rng {
  let h = mix32(seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32));
  for (let i = 0; i < stream.length; i++) h = mix32(h ^ stream.charCodeAt(i));
  let a = mix32(h ^ 0x9e3779b9),
    b = mix32(a ^ 0x243f6a88),
    c = mix32(b ^ 0xb7e15162),
    d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // warm-up, as sfc32's authors recommend
  return { next };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** `n` draws from U(-bound, bound): PyTorch's default Linear/Conv initialisation. */
export function uniformArray(n: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}
