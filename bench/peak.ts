/**
 * This machine's wasm SIMD peak for float32, measured as the faster of two loop shapes, each
 * built with our SIMD assembler, plain (f32x4 mul + add) and, where the runtime has relaxed SIMD,
 * fused multiply-add:
 * - 12 independent multiply-then-add chains in registers (acc = acc·m + c), which a CPU whose
 *   multiply and add each take several cycles runs at its latency, not its throughput;
 * - a register tile like our convolution kernels': 4 input × 2 weight vectors loaded from memory
 *   every iteration into 8 independent accumulators (acc += x·w), which reaches the vector units'
 *   throughput where the chains cannot. On a 2-core AMD EPYC with AVX-512 the chains gave
 *   35–37 GFLOP/s plain and the tile 49–56, with fused multiply-add no faster (48–53): its
 *   multiplies and adds issue on separate pipes.
 * Kernels are then reported as a share of these peaks.
 */
import { setFlagsFromString } from 'node:v8';
import { buildModule, Fn, OP, SIMD } from '../src/engine/simd/assembler.js';

const CHAINS = 12;
const RELAXED_MADD = 0x105; // f32x4.relaxed_madd (relaxed SIMD proposal)

function peakModule(fused: boolean): Uint8Array<ArrayBuffer> {
  const accs = Array.from({ length: CHAINS }, (_, i) => `a${i}`);
  const f = new Fn('run', [['iterations', 'i32']]).locals('i32', 'i').locals('v128', 'm', 'c', ...accs);
  f.f32(0.5).simd(SIMD.f32x4Splat).set('m');
  f.f32(0.5).simd(SIMD.f32x4Splat).set('c');
  for (const a of accs) f.f32(1).simd(SIMD.f32x4Splat).set(a);
  f.forRange('i', 0, 'iterations', 1, () => {
    for (const a of accs) {
      if (fused) f.get(a).get('m').get('c').simd(RELAXED_MADD).set(a);
      else f.get(a).get('m').simd(SIMD.f32x4Mul).get('c').simd(SIMD.f32x4Add).set(a);
    }
  });
  // Keep the results alive: sum them and store at address 0.
  f.i32(0).get(accs[0]!);
  for (const a of accs.slice(1)) f.get(a).simd(SIMD.f32x4Add);
  f.storeV();
  return buildModule([f]);
}

/** The tile: acc[i][j] += x[i]·w[j], x and w loaded from an address that moves each iteration. */
export function tileModule(fused: boolean): Uint8Array<ArrayBuffer> {
  const xs = ['x0', 'x1', 'x2', 'x3'];
  const ws = ['w0', 'w1'];
  const accs = xs.flatMap((x) => ws.map((w) => `a_${x}_${w}`));
  const f = new Fn('run', [['iterations', 'i32']]).locals('i32', 'i', 'p').locals('v128', ...accs, ...xs, ...ws);
  f.forRange('i', 0, 'iterations', 1, () => {
    // p = (i & 63) · 16: 1 KB of inputs, then the weights 2 KB on, all in L1.
    f.get('i').i32(63).emit(OP.i32And).i32(4).emit(OP.i32Shl).set('p');
    for (const [k, x] of xs.entries())
      f.get('p')
        .loadV(k * 16)
        .set(x);
    for (const [k, w] of ws.entries())
      f.get('p')
        .loadV(2048 + k * 16)
        .set(w);
    for (const x of xs)
      for (const w of ws) {
        const a = `a_${x}_${w}`;
        if (fused) f.get(x).get(w).get(a).simd(RELAXED_MADD).set(a);
        else f.get(a).get(x).get(w).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(a);
      }
  });
  f.i32(4096).get(accs[0]!);
  for (const a of accs.slice(1)) f.get(a).simd(SIMD.f32x4Add);
  f.storeV();
  return buildModule([f]);
}

function measure(bytes: Uint8Array<ArrayBuffer>, multiplyAdds: number): number {
  const memory = new WebAssembly.Memory({ initial: 1 });
  new Float32Array(memory.buffer).fill(1e-3); // the tile's inputs: small normal numbers, no denormals
  const run = (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as { run(n: number): void }).run;
  const iterations = 2_000_000;
  run(10_000); // tier up
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    run(iterations);
    best = Math.min(best, performance.now() - t0);
  }
  return (iterations * multiplyAdds * 4 * 2) / (best * 1e6); // GFLOP/s: 4 lanes, multiply + add
}

export interface Peak {
  /** f32x4.mul + f32x4.add, what XNNPACK's wasm SIMD kernels and ours use. */
  mulAdd: number;
  /** f32x4.relaxed_madd, or null when this runtime has no relaxed SIMD. */
  fused: number | null;
}

/** The peaks; `withFused` false skips the fused one (a speed check needs only the plain peak). */
export function measurePeak(withFused = true): Peak {
  setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; newer Node has it on
  const fastest = (fused: boolean) => Math.max(measure(peakModule(fused), CHAINS), measure(tileModule(fused), 8));
  return { mulAdd: fastest(false), fused: withFused && WebAssembly.validate(peakModule(true)) ? fastest(true) : null };
}
