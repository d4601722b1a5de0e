/**
 * This machine's wasm SIMD peak for float32, measured: a loop of 12 independent f32x4
 * multiply-then-add chains (enough in flight to keep every vector unit busy, few enough to stay
 * in registers), built with our SIMD assembler. Also with relaxed SIMD's fused multiply-add
 * where the runtime has it. Kernels are then reported as a share of these peaks.
 */
import { setFlagsFromString } from 'node:v8';
import { buildModule, Fn, SIMD } from '../src/engine/simd/assembler.js';

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

function measure(bytes: Uint8Array<ArrayBuffer>): number {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const run = (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as { run(n: number): void }).run;
  const iterations = 2_000_000;
  run(10_000); // tier up
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    run(iterations);
    best = Math.min(best, performance.now() - t0);
  }
  return (iterations * CHAINS * 4 * 2) / (best * 1e6); // GFLOP/s: 4 lanes, multiply + add
}

export interface Peak {
  /** f32x4.mul + f32x4.add, what XNNPACK's wasm SIMD kernels and ours use. */
  mulAdd: number;
  /** f32x4.relaxed_madd, or null when this runtime has no relaxed SIMD. */
  fused: number | null;
}

export function measurePeak(): Peak {
  setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20; newer Node has it on
  const fusedBytes = peakModule(true);
  return { mulAdd: measure(peakModule(false)), fused: WebAssembly.validate(fusedBytes) ? measure(fusedBytes) : null };
}
