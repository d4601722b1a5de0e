/**
 * Which path each of our kernels takes where it has more than one. A run uses the defaults
 * (every fast path on). Tests switch a path off to compare it, bit for bit, with the path it
 * replaced, and benchmarks to time both; every such switch is a field here, read by the
 * kernels at each call, rather than a setter in each kernel's file.
 */

/** Conv2DBackpropFilter's XNNPACK routes (see ./kernels/conv2d-backprop-filter.ts). */
export type FilterGradStrategy = 'dy-as-filter' | 'x-as-filter' | 'gather-gemm';

export interface Routes {
  /** Our wasm SIMD loops; false: their JavaScript loops over the same memory. */
  simd: boolean;
  /** Conv2D by our direct SIMD convolution where it applies; false: XNNPACK or the scatter, as chosen. */
  simdConv2D: boolean;
  /** Conv2D's GEMM + scatter form where it applies: always (true), never (false), or by estimated cost (undefined). */
  conv2DScatter: boolean | undefined;
  /** Conv2DBackpropFilter by our SIMD register tiles at stride 1; false: the XNNPACK routes. */
  simdFilterTiles: boolean;
  /** Conv2DBackpropFilter's XNNPACK route, or undefined: by estimated cost. */
  filterGradStrategy: FilterGradStrategy | undefined;
  /** Whether the cost-based choice may pick 'gather-gemm'. */
  gatherGemm: boolean;
  /** Evaluation's bias → batch norm → ReLU → max-pool as one kernel (ops/inference-tail.ts); false: the separate ops. */
  fusedInferenceTail: boolean;
  /**
   * Fast mode (`--fast`): the convolution loops with relaxed SIMD's fused multiply-add where the
   * runtime has it (simd/kernels.ts). Not bit-identical to exact mode; never the default.
   */
  fast: boolean;
}

const DEFAULTS: Readonly<Routes> = {
  simd: true,
  simdConv2D: true,
  conv2DScatter: undefined,
  simdFilterTiles: true,
  filterGradStrategy: undefined,
  gatherGemm: true,
  fusedInferenceTail: true,
  fast: false,
};

/** The routes in force. */
export const routes: Readonly<Routes> = { ...DEFAULTS };

/** For tests and benchmarks: changes the named routes until the next change or `resetRoutes`. */
export function setRoutes(changes: Partial<Routes>): void {
  Object.assign(routes, changes);
}

/** Back to the defaults (every fast path). */
export function resetRoutes(): void {
  Object.assign(routes, DEFAULTS);
}
