/**
 * SIMD loops over the wasm backend's own heap, for the element-wise work of our kernels
 * (batch norm, MaxPoolGrad, the convolution scatter) that XNNPACK has no operator for.
 * Plain JavaScript runs these at ~1.5–3 ns per element; 4-wide wasm SIMD at a fraction.
 *
 * Every loop walks channel-last data [rows, C] four channels at a time, so C must be a
 * multiple of 4 (callers fall back to JavaScript otherwise). Arguments are byte addresses
 * in the backend's heap (a tensor's memoryOffset) and element counts.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { routes } from '../routes.js';
import { buildModule, Fn, OP, SIMD } from './assembler.js';

const I32X4_EQ = 0x37;
const V128_AND = 0x4e;
const I32_LT_U = 0x49;

/**
 * channelSums / channelDotSums: per-channel sums over rows, accumulated four channels at a
 * time in float32 over blocks of `block` rows, each block's totals added into float64 (so
 * the float32 error stays that of a short sum). `acc` is scratch for 2·C floats; the two
 * results are *added* into acc64[0..C) and acc64[C..2C) (doubles), which the caller zeroes.
 *
 *   channelSums(x, rows, C, shift, acc, acc64, block):     Σ (x − shift),  Σ (x − shift)²
 *   channelDotSums(dy, x, rows, C, mean, acc, acc64, block): Σ dy,  Σ dy·(x − mean)
 */
function channelReduce(name: string, dot: boolean): Fn {
  const f = new Fn(name, [
    ['a', 'i32'],
    ...(dot ? ([['b', 'i32']] as const) : []),
    ['rows', 'i32'],
    ['channels', 'i32'],
    ['center', 'i32'],
    ['acc', 'i32'],
    ['acc64', 'i32'],
    ['block', 'i32'],
  ] as [string, 'i32'][]);
  f.locals('i32', 'rowBytes', 'total', 'off', 'blockEnd', 'c', 'acc2', 'addr', 'sum64', 'sq64');
  f.locals('v128', 'g', 'd');
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('rows').get('rowBytes').emit(OP.i32Mul).set('total');
  f.get('acc').get('rowBytes').emit(OP.i32Add).set('acc2');
  f.get('block').get('rowBytes').emit(OP.i32Mul).set('block'); // block in bytes from here on
  f.forRange('off', 0, 'total', 'block', () => {
    // blockEnd = min(off + block, total)
    f.get('off').get('block').emit(OP.i32Add).tee('blockEnd').get('total').get('blockEnd').get('total').emit(OP.i32LtS, OP.select).set('blockEnd');
    f.forRange('c', 0, 'rowBytes', 16, () => {
      f.get('acc').get('c').emit(OP.i32Add).f32(0).simd(SIMD.f32x4Splat).storeV();
      f.get('acc2').get('c').emit(OP.i32Add).f32(0).simd(SIMD.f32x4Splat).storeV();
    });
    f.forRange('off', 'off', 'blockEnd', 'rowBytes', () => {
      f.forRange('c', 0, 'rowBytes', 16, () => {
        if (dot) {
          // g = dy
          f.get('a').get('off').emit(OP.i32Add).get('c').emit(OP.i32Add).loadV().set('g');
          addDotTerms(f, 'b', 'center');
        } else {
          // d = x − shift
          f.get('a').get('off').emit(OP.i32Add).get('c').emit(OP.i32Add).loadV();
          f.get('center').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Sub).set('d');
          f.get('acc').get('c').emit(OP.i32Add).tee('addr').get('addr').loadV().get('d').simd(SIMD.f32x4Add).storeV();
          f.get('acc2').get('c').emit(OP.i32Add).tee('addr').get('addr').loadV();
          f.get('d').get('d').simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).storeV();
        }
      });
    });
    // The loop above leaves off = blockEnd; step back so forRange's `off += block` lands there.
    f.get('blockEnd').get('block').emit(OP.i32Sub).set('off');
    flushBlock(f);
  });
  return f;
}

/**
 * channelDotSums' step for one 4-channel vector c of the row at `off`, with dy in local g:
 * acc[c] += g; acc2[c] += g·(x[off + c] − center[c]), where `x` and `center` name the locals
 * holding those addresses (uses locals d and addr).
 */
function addDotTerms(f: Fn, x: string, center: string): void {
  f.get(x).get('off').emit(OP.i32Add).get('c').emit(OP.i32Add).loadV();
  f.get(center).get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Sub).set('d');
  f.get('acc').get('c').emit(OP.i32Add).tee('addr').get('addr').loadV().get('g').simd(SIMD.f32x4Add).storeV();
  f.get('acc2').get('c').emit(OP.i32Add).tee('addr').get('addr').loadV();
  f.get('g').get('d').simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).storeV();
}

/** The end of a summing block: acc64[c] += acc[c]; acc64[C + c] += acc2[c] (float64, one channel at a time). */
function flushBlock(f: Fn): void {
  f.forRange('c', 0, 'rowBytes', 4, () => {
    f.get('acc64').get('c').get('c').emit(OP.i32Add, OP.i32Add).tee('sum64');
    f.get('sum64').loadF64().get('acc').get('c').emit(OP.i32Add).loadF32().emit(OP.f64PromoteF32, OP.f64Add).storeF64();
    f.get('sum64').get('rowBytes').get('rowBytes').emit(OP.i32Add, OP.i32Add).tee('sq64');
    f.get('sq64').loadF64().get('acc2').get('c').emit(OP.i32Add).loadF32().emit(OP.f64PromoteF32, OP.f64Add).storeF64();
  });
}

/**
 * The loop of the per-channel passes over a [rows, C] tensor: `body` runs once per 4-channel
 * vector with local `at` = its byte offset in the tensor and `c` = its byte offset in a row
 * (where per-channel coefficients are read).
 */
function forEachChannelVector(f: Fn, body: () => void): void {
  f.locals('i32', 'rowBytes', 'total', 'off', 'c', 'at');
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('rows').get('rowBytes').emit(OP.i32Mul).set('total');
  f.forRange('off', 0, 'total', 'rowBytes', () => {
    f.forRange('c', 0, 'rowBytes', 16, () => {
      f.get('off').get('c').emit(OP.i32Add).set('at');
      body();
    });
  });
}

/** channelAdd(x, y, rows, C, bias): y = x + bias per channel (y may be x), one f32x4.add per vector, as the Add kernel rounds it. */
function channelAdd(): Fn {
  const f = new Fn('channelAdd', [
    ['x', 'i32'],
    ['y', 'i32'],
    ['rows', 'i32'],
    ['channels', 'i32'],
    ['bias', 'i32'],
  ]);
  forEachChannelVector(f, () => {
    f.get('y').get('at').emit(OP.i32Add);
    f.get('x').get('at').emit(OP.i32Add).loadV().get('bias').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add);
    f.storeV();
  });
  return f;
}

/** channelAffine(x, y, rows, C, a, b): y = x·a + b per channel. */
function channelAffine(): Fn {
  const f = new Fn('channelAffine', [
    ['x', 'i32'],
    ['y', 'i32'],
    ['rows', 'i32'],
    ['channels', 'i32'],
    ['a', 'i32'],
    ['b', 'i32'],
  ]);
  forEachChannelVector(f, () => {
    f.get('y').get('at').emit(OP.i32Add);
    f.get('x').get('at').emit(OP.i32Add).loadV().get('a').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Mul);
    f.get('b').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add).storeV();
  });
  return f;
}

/**
 * channelBiasAffine[Relu](x, y, rows, C, bias, a, b): y = (x + bias)·a + b per channel, then
 * max(·, 0) for the Relu variant: an inference layer's bias, batch norm and ReLU in one pass,
 * each step rounded to float32 as the separate Add, FusedBatchNorm (channelAffine) and Relu
 * kernels round it (f32x4.max also maps −0 to +0 and keeps NaN, as the stock Relu does).
 */
function channelBiasAffine(relu: boolean): Fn {
  const f = new Fn(relu ? 'channelBiasAffineRelu' : 'channelBiasAffine', [
    ['x', 'i32'],
    ['y', 'i32'],
    ['rows', 'i32'],
    ['channels', 'i32'],
    ['bias', 'i32'],
    ['a', 'i32'],
    ['b', 'i32'],
  ]);
  forEachChannelVector(f, () => {
    f.get('y').get('at').emit(OP.i32Add);
    f.get('x').get('at').emit(OP.i32Add).loadV().get('bias').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add);
    f.get('a').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Mul);
    f.get('b').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add);
    if (relu) f.f32(0).simd(SIMD.f32x4Splat).simd(SIMD.f32x4Max);
    f.storeV();
  });
  return f;
}

/**
 * channelBiasAffineReluPool(x, y, count, H, W, C, bias, a, b, k): the ReLU variant above followed
 * by MaxPool(k) (stride k, no padding, floor: OH = ⌊H/k⌋), in one pass that writes only the
 * pooled [count, OH, OW, C]. The max starts at +0, so max(0, (x + bias)·a + b over the window)
 * is the max of the window's ReLU outputs; a max is exact, so y equals Relu then MaxPool bit for
 * bit (for finite values: a NaN in a window may come out otherwise).
 */
function channelBiasAffineReluPool(): Fn {
  const f = new Fn('channelBiasAffineReluPool', [
    ['x', 'i32'],
    ['y', 'i32'],
    ['count', 'i32'],
    ['H', 'i32'],
    ['W', 'i32'],
    ['channels', 'i32'],
    ['bias', 'i32'],
    ['a', 'i32'],
    ['b', 'i32'],
    ['k', 'i32'],
  ]);
  f.locals('i32', 'rowBytes', 'rowStride', 'n', 'oh', 'ow', 'c', 'kh', 'kw', 'OH', 'OW', 'pixel', 'row', 'win', 'yAt');
  f.locals('v128', 'm', 'bv', 'av', 'cv');
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('W').get('rowBytes').emit(OP.i32Mul).set('rowStride');
  f.get('H').get('k').emit(OP.i32DivU).set('OH');
  f.get('W').get('k').emit(OP.i32DivU).set('OW');
  f.get('y').set('yAt');
  f.forRange('n', 0, 'count', 1, () => {
    f.forRange('oh', 0, 'OH', 1, () => {
      f.forRange('ow', 0, 'OW', 1, () => {
        // pixel = x + ((n·H + oh·k)·W + ow·k)·rowBytes: the window's first pixel
        f.get('n').get('H').emit(OP.i32Mul).get('oh').get('k').emit(OP.i32Mul, OP.i32Add).get('W').emit(OP.i32Mul);
        f.get('ow').get('k').emit(OP.i32Mul, OP.i32Add).get('rowBytes').emit(OP.i32Mul).get('x').emit(OP.i32Add).set('pixel');
        f.forRange('c', 0, 'rowBytes', 16, () => {
          f.get('bias').get('c').emit(OP.i32Add).loadV().set('bv');
          f.get('a').get('c').emit(OP.i32Add).loadV().set('av');
          f.get('b').get('c').emit(OP.i32Add).loadV().set('cv');
          f.f32(0).simd(SIMD.f32x4Splat).set('m');
          f.get('pixel').get('c').emit(OP.i32Add).set('row');
          f.forRange('kh', 0, 'k', 1, () => {
            f.get('row').set('win');
            f.forRange('kw', 0, 'k', 1, () => {
              f.get('m');
              f.get('win').loadV().get('bv').simd(SIMD.f32x4Add).get('av').simd(SIMD.f32x4Mul).get('cv').simd(SIMD.f32x4Add);
              f.simd(SIMD.f32x4Max).set('m');
              f.addTo('win', 'rowBytes');
            });
            f.addTo('row', 'rowStride');
          });
          f.get('yAt').get('c').emit(OP.i32Add).get('m').storeV();
        });
        f.addTo('yAt', 'rowBytes');
      });
    });
  });
  return f;
}

/** The f32 constants of one Adam step, in adamStep's parameter order. */
export const ADAM_CONSTANTS = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'correction1', 'correction2', 'epsilon', 'negLearningRate'] as const;

/**
 * adamStep(value, m, v, g, value', m', v', bytes, β1, 1−β1, β2, 1−β2, c1, c2, ε, −lr): tfjs's
 * Adam update, op for op, over the first `bytes` of each array (a multiple of 16):
 *   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2);  value' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + value
 * Every f32x4 op rounds as the separate float32 kernels do, so the result is theirs bit for bit.
 * adamStepL2(…, 2λ) first adds the L2 term's gradient, g ← g + value·2λ, as the tape would have
 * added it (../kernels/adam-step.ts).
 */
function adamStep(withL2: boolean): Fn {
  const f = new Fn(withL2 ? 'adamStepL2' : 'adamStep', [
    ['value', 'i32'],
    ['m', 'i32'],
    ['v', 'i32'],
    ['g', 'i32'],
    ['newValue', 'i32'],
    ['newM', 'i32'],
    ['newV', 'i32'],
    ['bytes', 'i32'],
    ...ADAM_CONSTANTS.map((n): [string, 'f32'] => [n, 'f32']),
    ...(withL2 ? [['twiceL2', 'f32'] as [string, 'f32']] : []),
  ]);
  const constants = withL2 ? [...ADAM_CONSTANTS, 'twiceL2'] : ADAM_CONSTANTS;
  f.locals('i32', 'at');
  f.locals('v128', 'gv', 'mv', 'vv', ...constants.map((n) => `${n}V`));
  for (const n of constants) f.get(n).simd(SIMD.f32x4Splat).set(`${n}V`);
  f.forRange('at', 0, 'bytes', 16, () => {
    f.get('g').get('at').emit(OP.i32Add).loadV().set('gv');
    // g + value·2λ
    if (withL2) f.get('gv').get('value').get('at').emit(OP.i32Add).loadV().get('twiceL2V').simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set('gv');
    // m' = m·β1 + g·(1−β1)
    f.get('m').get('at').emit(OP.i32Add).loadV().get('beta1V').simd(SIMD.f32x4Mul);
    f.get('gv').get('oneMinusBeta1V').simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set('mv');
    f.get('newM').get('at').emit(OP.i32Add).get('mv').storeV();
    // v' = v·β2 + (g·g)·(1−β2)
    f.get('v').get('at').emit(OP.i32Add).loadV().get('beta2V').simd(SIMD.f32x4Mul);
    f.get('gv').get('gv').simd(SIMD.f32x4Mul).get('oneMinusBeta2V').simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set('vv');
    f.get('newV').get('at').emit(OP.i32Add).get('vv').storeV();
    // value' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + value
    f.get('newValue').get('at').emit(OP.i32Add);
    f.get('mv').get('correction1V').simd(SIMD.f32x4Div);
    f.get('vv').get('correction2V').simd(SIMD.f32x4Div).simd(SIMD.f32x4Sqrt).get('epsilonV').simd(SIMD.f32x4Add);
    f.simd(SIMD.f32x4Div).get('negLearningRateV').simd(SIMD.f32x4Mul);
    f.get('value').get('at').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add).storeV();
  });
  return f;
}

/**
 * sumOfSquares(x, bytes, out): out[0] = Σ x[i]², each square rounded to float32 and added to a
 * float32 running sum in index order: the stock Square then Sum over all axes on wasm, bit for
 * bit (../kernels/l2-penalty.ts). Scalar on purpose: that order is one dependent chain.
 */
function sumOfSquares(): Fn {
  const f = new Fn('sumOfSquares', [
    ['x', 'i32'],
    ['bytes', 'i32'],
    ['out', 'i32'],
  ]);
  f.locals('i32', 'at');
  f.locals('f32', 'sum', 'v');
  f.f32(0).set('sum');
  f.forRange('at', 0, 'bytes', 4, () => {
    f.get('x').get('at').emit(OP.i32Add).loadF32().tee('v').get('v').emit(OP.f32Mul);
    f.get('sum').emit(OP.f32Add).set('sum');
  });
  f.get('out').get('sum').storeF32();
  return f;
}

/** Rows of a GEMM register tile (gemm4) and of its remainder (gemm1). */
const GEMM_ROWS = [4, 1] as const;

/**
 * gemm{R}(a, b, c, blocks, K, N, aRow, aK, bRow): c = a·b for `blocks` blocks of R rows, where
 * a's element (i, k) is at a + i·aRow + k·aK (bytes: a plain or transposed matrix), b is [K, N]
 * with rows bRow bytes apart, and c is [rows, N]. Every c element is one float32 running sum over
 * k in order, from +0, each product rounded before it is added: what XNNPACK's fully connected
 * operator (the stock wasm BatchMatMul) computes on this machine, bit for bit (checked against it
 * in ../kernels/batch-mat-mul.test.ts).
 *
 * Why: the stock kernel re-creates its XNNPACK operator and re-packs b whenever b is a new tensor,
 * which a dense layer's weights are after every step, and a dense layer's products are small
 * (100 × 144 × 100 in the CNN's head): packing and set-up were most of their time. Tiles of R rows
 * × 8 columns (two vectors, 4·2 accumulators), then a 4-column tile, then scalar columns.
 */
function gemm(rows: (typeof GEMM_ROWS)[number]): Fn {
  const f = new Fn(
    `gemm${rows}`,
    ['a', 'b', 'c', 'blocks', 'K', 'N', 'aRow', 'aK', 'bRow'].map((n) => [n, 'i32'] as [string, 'i32']),
  );
  const rowsOf = Array.from({ length: rows }, (_, r) => r);
  f.locals('i32', 'blk', 'j', 'k', 'bp', 'rowBase', 'cBase', 'nBytes', 'n8', 'n4', ...rowsOf.map((r) => `a${r}`));
  f.locals('v128', 's', 'b0', 'b1', ...rowsOf.flatMap((r) => [`c${r}x0`, `c${r}x1`]));
  f.locals('f32', ...rowsOf.map((r) => `sum${r}`));
  f.get('N').i32(2).emit(OP.i32Shl).set('nBytes');
  f.get('N').i32(-8).emit(OP.i32And).set('n8');
  f.get('N').i32(-4).emit(OP.i32And).set('n4');
  /** bp = b + 4·j: column j of b's first row. */
  const columnOfB = () => f.get('b').get('j').i32(2).emit(OP.i32Shl, OP.i32Add).set('bp');
  /** Pushes the address of c[row r of the block, column j]: cBase + r·nBytes + 4·j. */
  const cAt = (r: number) => f.get('cBase').get('nBytes').i32(r).emit(OP.i32Mul, OP.i32Add).get('j').i32(2).emit(OP.i32Shl, OP.i32Add);
  /** The row pointers a{r} = rowBase + r·aRow. */
  const rowPointers = () => {
    for (const r of rowsOf) {
      f.get('rowBase');
      if (r > 0) f.get('aRow').i32(r).emit(OP.i32Mul, OP.i32Add);
      f.set(`a${r}`);
    }
  };
  /** c[rows, j … j + 4·vectors) from the tile's accumulators, summed over k in order. */
  const tile = (vectors: 1 | 2) => {
    const vs = Array.from({ length: vectors }, (_, v) => v);
    for (const r of rowsOf) for (const v of vs) f.f32(0).simd(SIMD.f32x4Splat).set(`c${r}x${v}`);
    rowPointers();
    columnOfB();
    f.forRange('k', 0, 'K', 1, () => {
      for (const v of vs)
        f.get('bp')
          .loadV(16 * v)
          .set(`b${v}`);
      for (const r of rowsOf) {
        f.get(`a${r}`).simd(V128_LOAD32_SPLAT).emit(2, 0).set('s');
        for (const v of vs) madd(f, `c${r}x${v}`, 's', `b${v}`, false);
        f.addTo(`a${r}`, 'aK');
      }
      f.addTo('bp', 'bRow');
    });
    for (const r of rowsOf)
      for (const v of vs)
        cAt(r)
          .get(`c${r}x${v}`)
          .storeV(16 * v);
  };
  f.get('a').set('rowBase');
  f.get('c').set('cBase');
  f.forRange('blk', 0, 'blocks', 1, () => {
    f.forRange('j', 0, 'n8', 8, () => tile(2));
    f.get('n4').get('n8').emit(OP.i32GtS);
    f.ifTrue(() => {
      f.get('n8').set('j');
      tile(1);
    });
    // the last N mod 4 columns, one running sum per row, the R rows' sums side by side
    f.forRange('j', 'n4', 'N', 1, () => {
      rowPointers();
      for (const r of rowsOf) f.f32(0).set(`sum${r}`);
      columnOfB();
      f.forRange('k', 0, 'K', 1, () => {
        for (const r of rowsOf) {
          f.get(`sum${r}`).get(`a${r}`).loadF32().get('bp').loadF32().emit(OP.f32Mul, OP.f32Add).set(`sum${r}`);
          f.addTo(`a${r}`, 'aK');
        }
        f.addTo('bp', 'bRow');
      });
      for (const r of rowsOf) cAt(r).get(`sum${r}`).storeF32();
    });
    f.get('rowBase').get('aRow').i32(rows).emit(OP.i32Mul, OP.i32Add).set('rowBase');
    f.get('cBase').get('nBytes').i32(rows).emit(OP.i32Mul, OP.i32Add).set('cBase');
  });
  return f;
}

const F32X4_NE = 0x42;

/**
 * reluGrad(dy, x, dx, bytes): dx = dy·step(x), step(x) = 1 if x > 0, NaN if x is NaN, else 0:
 * tfjs's ReLU gradient mul(dy, cast(step(x))), with its zeros' signs and NaNs, in one pass.
 */
function reluGrad(): Fn {
  const f = new Fn('reluGrad', [
    ['dy', 'i32'],
    ['x', 'i32'],
    ['dx', 'i32'],
    ['bytes', 'i32'],
  ]);
  f.locals('i32', 'at');
  f.locals('v128', 'xv', 'one', 'zero');
  f.f32(1).simd(SIMD.f32x4Splat).set('one');
  f.f32(0).simd(SIMD.f32x4Splat).set('zero');
  f.forRange('at', 0, 'bytes', 16, () => {
    f.get('dx').get('at').emit(OP.i32Add);
    f.get('dy').get('at').emit(OP.i32Add).loadV();
    f.get('x').get('at').emit(OP.i32Add).loadV().set('xv');
    // step = x is NaN ? x : (x > 0 ? 1 : 0)
    f.get('xv');
    f.get('one').get('zero').get('xv').get('zero').simd(SIMD.f32x4Gt).simd(SIMD.bitselect);
    f.get('xv').get('xv').simd(F32X4_NE).simd(SIMD.bitselect);
    f.simd(SIMD.f32x4Mul).storeV();
  });
  return f;
}

/** channelAffine2(dy, x, dx, rows, C, a, k, b): dx = a·dy + k·x + b per channel. */
function channelAffine2(): Fn {
  const f = new Fn('channelAffine2', [
    ['dy', 'i32'],
    ['x', 'i32'],
    ['dx', 'i32'],
    ['rows', 'i32'],
    ['channels', 'i32'],
    ['a', 'i32'],
    ['k', 'i32'],
    ['b', 'i32'],
  ]);
  forEachChannelVector(f, () => {
    f.get('dx').get('at').emit(OP.i32Add);
    f.get('dy').get('at').emit(OP.i32Add).loadV().get('a').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Mul);
    f.get('x').get('at').emit(OP.i32Add).loadV().get('k').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Mul);
    f.simd(SIMD.f32x4Add).get('b').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add).storeV();
  });
  return f;
}

/** The parameters after the two pointers, shared by scatterTaps and gatherTaps. */
const TAP_PARAMS: [string, 'i32'][] = [
  ['count', 'i32'],
  ['H', 'i32'],
  ['W', 'i32'],
  ['KH', 'i32'],
  ['KW', 'i32'],
  ['OH', 'i32'],
  ['OW', 'i32'],
  ['channels', 'i32'],
  ['top', 'i32'],
  ['left', 'i32'],
];

/**
 * The loop nest of scatterTaps and gatherTaps: for every sample n, input pixel (ih, iw) and
 * tap (kh, kw), the pixel (oh, ow) = (ih − kh + top, iw − kw + left) of `image` (an
 * [count, OH, OW, C] tensor) that the tap meets. `inside` runs when that pixel exists, with
 * local `row` at its channel row; `outside` (if any) when it falls in the padding. Each tap
 * then advances `taps` (the [count, H, W, KH, KW, C] side) by one channel row (`rowBytes`).
 */
function forEachTap(f: Fn, image: string, taps: string, inside: () => void, outside?: () => void): void {
  f.locals('i32', 'rowBytes', 'imageBytes', 'n', 'imageBase', 'ih', 'iw', 'kh', 'kw', 'oh', 'ow', 'row');
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('OH').get('OW').emit(OP.i32Mul).get('rowBytes').emit(OP.i32Mul).set('imageBytes');
  f.forRange('n', 0, 'count', 1, () => {
    f.get(image).get('n').get('imageBytes').emit(OP.i32Mul, OP.i32Add).set('imageBase');
    f.forRange('ih', 0, 'H', 1, () => {
      f.forRange('iw', 0, 'W', 1, () => {
        f.forRange('kh', 0, 'KH', 1, () => {
          f.get('ih').get('kh').emit(OP.i32Sub).get('top').emit(OP.i32Add).set('oh');
          f.forRange('kw', 0, 'KW', 1, () => {
            f.get('iw').get('kw').emit(OP.i32Sub).get('left').emit(OP.i32Add).set('ow');
            // 0 ≤ oh < OH and 0 ≤ ow < OW, as unsigned comparisons
            f.get('oh').get('OH').emit(I32_LT_U).get('ow').get('OW').emit(I32_LT_U, OP.i32And);
            f.emit(OP.if, 0x40);
            f.get('imageBase').get('oh').get('OW').emit(OP.i32Mul).get('ow').emit(OP.i32Add);
            f.get('rowBytes').emit(OP.i32Mul, OP.i32Add).set('row');
            inside();
            if (outside) {
              f.emit(OP.else);
              outside();
            }
            f.emit(OP.end);
            f.addTo(taps, 'rowBytes');
          });
        });
      });
    });
  });
}

/**
 * scatterTaps(p, y, count, H, W, KH, KW, OH, OW, C, top, left): the convolution scatter of
 * ../kernels/conv2d.ts, y[n, ih−kh+top, iw−kw+left, :] += p[n, ih, iw, kh, kw, :] for the
 * taps that land inside y (which must already hold the running sum, or zeros).
 */
function scatterTaps(): Fn {
  const f = new Fn('scatterTaps', [['p', 'i32'], ['y', 'i32'], ...TAP_PARAMS]);
  f.locals('i32', 'c', 'at');
  forEachTap(f, 'y', 'p', () => {
    f.forRange('c', 0, 'rowBytes', 16, () => {
      f.get('row').get('c').emit(OP.i32Add).tee('at').get('at').loadV();
      f.get('p').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add).storeV();
    });
  });
  return f;
}

/**
 * gatherTaps(dy, q, count, H, W, KH, KW, OH, OW, C, top, left): the transpose of scatterTaps,
 * q[n, ih, iw, kh, kw, :] = dy[n, ih−kh+top, iw−kw+left, :], or zeros where that falls
 * outside dy. (For the filter gradient as one GEMM: dW = xᵀ·q.)
 */
function gatherTaps(): Fn {
  const f = new Fn('gatherTaps', [['dy', 'i32'], ['q', 'i32'], ...TAP_PARAMS]);
  f.locals('i32', 'c');
  forEachTap(
    f,
    'dy',
    'q',
    () =>
      f.forRange('c', 0, 'rowBytes', 16, () => {
        f.get('q').get('c').emit(OP.i32Add).get('row').get('c').emit(OP.i32Add).loadV().storeV();
      }),
    () =>
      f.forRange('c', 0, 'rowBytes', 16, () => {
        f.get('q').get('c').emit(OP.i32Add).f32(0).simd(SIMD.f32x4Splat).storeV();
      }),
  );
  return f;
}

/**
 * maxPoolGradDisjoint(x, dy, dx, count, H, W, OH, OW, KH, KW, C): MaxPoolGrad for pools whose
 * windows tile without overlap or padding (stride = window, 'valid'): dy goes to the first
 * maximum of its window, the window's other positions get 0. Positions no window covers
 * (floor mode) are left untouched: the caller zeroes dx first.
 */
function maxPoolGradDisjoint(): Fn {
  const f = new Fn('maxPoolGradDisjoint', [
    ['x', 'i32'],
    ['dy', 'i32'],
    ['dx', 'i32'],
    ['count', 'i32'],
    ['H', 'i32'],
    ['W', 'i32'],
    ['OH', 'i32'],
    ['OW', 'i32'],
    ['KH', 'i32'],
    ['KW', 'i32'],
    ['channels', 'i32'],
  ]);
  // Byte offsets from x (and dx, laid out alike): a pixel is rowBytes, an image row lineBytes,
  // a window's row spanBytes. Pointers step through the window instead of re-deriving each
  // tap's index (the loop runs on every value of a conv1 output: the index arithmetic was most
  // of its time).
  f.locals('i32', 'rowBytes', 'lineBytes', 'spanBytes', 'n', 'oh', 'ow', 'base', 'dyAt', 'c', 'first', 'last', 'row', 'rowEnd', 'p', 'tap');
  f.locals('v128', 'best', 'where', 'v', 'm', 'g');
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('W').get('rowBytes').emit(OP.i32Mul).set('lineBytes');
  f.get('KW').get('rowBytes').emit(OP.i32Mul).set('spanBytes');
  f.get('dy').set('dyAt');
  /** body() at every tap of the window whose channel group starts at `first`, with p its offset and `tap` its number. */
  const eachTap = (body: () => void) => {
    f.i32(0).set('tap');
    f.forRange('row', 'first', 'last', 'lineBytes', () => {
      f.get('row').get('spanBytes').emit(OP.i32Add).set('rowEnd');
      f.forRange('p', 'row', 'rowEnd', 'rowBytes', () => {
        body();
        f.addTo('tap', 1);
      });
    });
  };
  f.forRange('n', 0, 'count', 1, () => {
    f.forRange('oh', 0, 'OH', 1, () => {
      f.forRange('ow', 0, 'OW', 1, () => {
        // base = ((n·H + oh·KH)·W + ow·KW)·rowBytes: the window's top-left pixel
        f.get('n').get('H').emit(OP.i32Mul).get('oh').get('KH').emit(OP.i32Mul, OP.i32Add);
        f.get('W').emit(OP.i32Mul).get('ow').get('KW').emit(OP.i32Mul, OP.i32Add);
        f.get('rowBytes').emit(OP.i32Mul).set('base');
        f.forRange('c', 0, 'rowBytes', 16, () => {
          f.get('base').get('c').emit(OP.i32Add).tee('first');
          f.get('KH').get('lineBytes').emit(OP.i32Mul, OP.i32Add).set('last');
          f.f32(-Infinity).simd(SIMD.f32x4Splat).set('best');
          f.i32(-1).simd(SIMD.i32x4Splat).set('where');
          eachTap(() => {
            f.get('x').get('p').emit(OP.i32Add).loadV().tee('v').get('best').simd(SIMD.f32x4Gt).set('m');
            f.get('v').get('best').get('m').simd(SIMD.bitselect).set('best');
            f.get('tap').simd(SIMD.i32x4Splat).get('where').get('m').simd(SIMD.bitselect).set('where');
          });
          f.get('dyAt').get('c').emit(OP.i32Add).loadV().set('g');
          eachTap(() => {
            f.get('dx').get('p').emit(OP.i32Add);
            f.get('g').get('where').get('tap').simd(SIMD.i32x4Splat).simd(I32X4_EQ).simd(V128_AND).storeV();
          });
        });
        f.addTo('dyAt', 'rowBytes');
      });
    });
  });
  return f;
}

const F32X4_EQ = 0x41;
const V128_ANDNOT = 0x4f; // a & ~b
const V128_OR = 0x50;
const F32X4_PMAX = 0xeb; // b > a ? b : a: a NaN b leaves a

/** Window sizes with unrolled Relu → MaxPool loops (the CNN's pools); others run in JavaScript. */
export const RELU_POOL_SIZES = [2, 3] as const;

/**
 * reluMaxPool{k}(x, y, count, H, W, C) and reluMaxPoolGrad{k}(x, dy, dx, count, H, W, C):
 * MaxPool(k) (stride k, 'valid', floor mode) of Relu(x) on NHWC x, and its gradient, with the
 * k × k taps unrolled.
 * - Forward: y = max(0, x₁, …, x_k²) as f32x4.max (−0 → +0, NaN propagates), the
 *   inference tail's pooling (channelBiasAffineReluPool) without its affine.
 * - Gradient: r = relu(x) per tap, best = its maximum skipping NaN (pmax), dy to the first tap
 *   with r = best, then every tap times step(x) as reluGrad: what MaxPoolGrad (first maximum in
 *   scan order, NaN never greater) followed by ReluGrad computes, bit for bit. Positions no
 *   window covers are left untouched: the caller zeroes them.
 */
function reluPool(k: number, grad: boolean): Fn {
  const taps = Array.from({ length: k * k }, (_, t) => t);
  const f = new Fn(
    grad ? `reluMaxPoolGrad${k}` : `reluMaxPool${k}`,
    [grad ? ['x', 'dy', 'dx'] : ['x', 'y'], ['count', 'H', 'W', 'channels']].flat().map((n) => [n, 'i32'] as [string, 'i32']),
  );
  f.locals('v128', 'zero', 'one', 'best', 'g', 'taken', 'hit', ...taps.flatMap((t) => [`v${t}`, `r${t}`]));
  f.f32(0).simd(SIMD.f32x4Splat).set('zero');
  f.f32(1).simd(SIMD.f32x4Splat).set('one');
  const at = (t: number) => f.get('first').get(`o${t}`).emit(OP.i32Add);
  forEachWindow(f, k, grad ? 'dy' : 'y', () => {
    if (!grad) {
      f.get('out').get('c').emit(OP.i32Add).get('zero');
      for (const t of taps) at(t).loadV().simd(SIMD.f32x4Max);
      f.storeV();
      return;
    }
    f.f32(-Infinity).simd(SIMD.f32x4Splat).set('best');
    for (const t of taps) {
      at(t).loadV().tee(`v${t}`).get('zero').simd(SIMD.f32x4Max).tee(`r${t}`);
      f.get('best').simd(F32X4_PMAX).set('best');
    }
    f.get('out').get('c').emit(OP.i32Add).loadV().set('g');
    f.get('zero').set('taken');
    for (const t of taps) {
      // dx at tap t = (dy if t is the first maximum, else 0) · step(x), step = x is NaN ? x : (x > 0 ? 1 : 0)
      f.get(`r${t}`).get('best').simd(F32X4_EQ).get('taken').simd(V128_ANDNOT).tee('hit').get('taken').simd(V128_OR).set('taken');
      at(t).get('dx').get('x').emit(OP.i32Sub, OP.i32Add); // dx + (first + o_t − x)
      f.get('g').get('hit').simd(V128_AND);
      f.get(`v${t}`).get('one').get('zero').get(`v${t}`).get('zero').simd(SIMD.f32x4Gt).simd(SIMD.bitselect);
      f.get(`v${t}`).get(`v${t}`).simd(F32X4_NE).simd(SIMD.bitselect).simd(SIMD.f32x4Mul).storeV();
    }
  });
  return f;
}

/**
 * The walk of a pooling loop with k × k windows (stride k, floor mode) over NHWC `x` (params x,
 * count, H, W, channels): declares rowBytes, lineBytes, OH, OW, o_t (tap t's byte offset from its
 * window's top-left pixel), n, oh, ow, base, c, first and out; then for every window and every
 * 4-channel vector c of it sets `first` (the window's top-left pixel at channel c) and runs
 * `body`. `out` starts at `outStart` (a local, or a byte offset) and steps one pooled pixel
 * (rowBytes) per window.
 */
function forEachWindow(f: Fn, k: number, outStart: string | number, body: () => void): void {
  const taps = Array.from({ length: k * k }, (_, t) => t);
  f.locals('i32', 'rowBytes', 'lineBytes', 'OH', 'OW', 'n', 'oh', 'ow', 'base', 'c', 'first', 'out', ...taps.map((t) => `o${t}`));
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('W').get('rowBytes').emit(OP.i32Mul).set('lineBytes');
  f.get('H').i32(k).emit(OP.i32DivU).set('OH');
  f.get('W').i32(k).emit(OP.i32DivU).set('OW');
  for (const t of taps)
    f.i32(Math.floor(t / k))
      .get('lineBytes')
      .emit(OP.i32Mul)
      .i32(t % k)
      .get('rowBytes')
      .emit(OP.i32Mul, OP.i32Add)
      .set(`o${t}`);
  if (typeof outStart === 'number') f.i32(outStart).set('out');
  else f.get(outStart).set('out');
  f.forRange('n', 0, 'count', 1, () => {
    f.forRange('oh', 0, 'OH', 1, () => {
      f.forRange('ow', 0, 'OW', 1, () => {
        // base = x + ((n·H + oh·k)·W + ow·k)·rowBytes: the window's top-left pixel
        f.get('n').get('H').emit(OP.i32Mul).get('oh').i32(k).emit(OP.i32Mul, OP.i32Add);
        f.get('W').emit(OP.i32Mul).get('ow').i32(k).emit(OP.i32Mul, OP.i32Add);
        f.get('rowBytes').emit(OP.i32Mul).get('x').emit(OP.i32Add).set('base');
        f.forRange('c', 0, 'rowBytes', 16, () => {
          f.get('base').get('c').emit(OP.i32Add).set('first');
          body();
        });
        f.addTo('out', 'rowBytes');
      });
    });
  });
}

/**
 * Batch norm → ReLU → MaxPool(k) in training, the forward pass: bnReluPool{k}(x, y, hits,
 * count, H, W, C, a, b) writes y = MaxPool(k)(Relu(x·a + b)) (a, b per channel: batch norm's
 * scale and shift) and, per pooled value, `hits`: the tap t (0 … k²−1, as a float) of the
 * window's first maximum, where reluMaxPoolGrad{k} would route the gradient. x·a + b rounds as
 * channelAffine, the pool as reluMaxPool{k}, so y is what BatchNormTrain then ReluMaxPool give,
 * bit for bit, without the full-size normalised tensor between them. The first maximum is the
 * first tap above all taps before it and 0, or tap 0 where every tap is ≤ 0 (all relus 0): for
 * finite values the tap reluMaxPoolGrad{k} picks (with a NaN in the window they may differ: by
 * then the round has diverged).
 */
function bnReluPool(k: number): Fn {
  const taps = Array.from({ length: k * k }, (_, t) => t);
  const f = new Fn(
    `bnReluPool${k}`,
    ['x', 'y', 'hits', 'count', 'H', 'W', 'channels', 'a', 'b'].map((n) => [n, 'i32'] as [string, 'i32']),
  );
  f.locals('v128', 'zero', 'av', 'bv', 'm', 'idx', 'v');
  f.f32(0).simd(SIMD.f32x4Splat).set('zero');
  // out: the byte offset of the window's pooled pixel in y and in hits
  forEachWindow(f, k, 0, () => {
    f.get('a').get('c').emit(OP.i32Add).loadV().set('av');
    f.get('b').get('c').emit(OP.i32Add).loadV().set('bv');
    // m = max(0, v_0, …) as reluMaxPool{k}'s chain; idx moves to tap t only where v_t > m so far:
    // the first maximum, and tap 0 where every v ≤ 0 (all relus 0)
    f.get('zero').set('m');
    f.get('zero').set('idx');
    for (const t of taps) {
      f.get('first').get(`o${t}`).emit(OP.i32Add).loadV().get('av').simd(SIMD.f32x4Mul).get('bv').simd(SIMD.f32x4Add).set('v');
      if (t > 0) f.f32(t).simd(SIMD.f32x4Splat).get('idx').get('v').get('m').simd(SIMD.f32x4Gt).simd(SIMD.bitselect).set('idx');
      f.get('m').get('v').simd(SIMD.f32x4Max).set('m');
    }
    f.get('y').get('out').emit(OP.i32Add).get('c').emit(OP.i32Add).get('m').storeV();
    f.get('hits').get('out').emit(OP.i32Add).get('c').emit(OP.i32Add).get('idx').storeV();
  });
  return f;
}

/**
 * The gradient of bnReluPool{k} on batch norm's side, with dy (the gradient at the normalised
 * tensor) made in registers, never stored: at pixel (n, h, w), tap t = (h mod k)·k + w mod k of
 * pooled value P, dy = routed[P] if hits[P] = t, else +0, where routed = dP·step(y) (reluGrad
 * over the pooled values) — what reluMaxPoolGrad{k} writes (its step(x) at the first maximum is
 * step(y[P]) for finite values, and +0 elsewhere), and +0 where no window covers. Pixels are
 * visited in row order, as channelDotSums and channelAffine2 visit them, so the sums and values
 * below are theirs bit for bit:
 *
 *   bnReluPoolSums(x, hits, routed, count, H, W, C, k, zeroRow, mean, acc, acc64, block):
 *     Σ dy, Σ dy·(x − mean), blocked as channelDotSums;
 *   bnReluPoolAffine2(x, hits, routed, count, H, W, C, k, zeroRow, dx, a, kk, b, acc, acc64, block):
 *     dx = a·dy + kk·x + b as channelAffine2, and Σ dx into acc64[0..C) blocked as channelSums
 *     with a zero shift sums it (x − 0 is x, −0 included): the Sum kernel's bias gradient of the
 *     conv layer before the block, without reading dx again.
 *
 * `zeroRow`: the address of C zero floats, read as routed and hits where no window covers.
 */
function bnReluPoolGrad(sums: boolean): Fn {
  const f = new Fn(sums ? 'bnReluPoolSums' : 'bnReluPoolAffine2', [
    ...['x', 'hits', 'routed', 'count', 'H', 'W', 'channels', 'k', 'zeroRow'].map((n) => [n, 'i32'] as [string, 'i32']),
    ...(sums ? ['mean'] : ['dx', 'a', 'kk', 'b']).map((n) => [n, 'i32'] as [string, 'i32']),
    ...['acc', 'acc64', 'block'].map((n) => [n, 'i32'] as [string, 'i32']),
  ]);
  f.locals(
    'i32',
    'rowBytes',
    'OH',
    'OW',
    'n',
    'h',
    'w',
    'ph',
    'pw',
    'th',
    'tw',
    'src',
    'covered',
    'routedAt',
    'hitsAt',
    'off',
    'c',
    'left',
    'acc2',
    'addr',
    'sum64',
    'sq64',
  );
  f.locals('v128', 'zero', 'tv', 'g', 'd');
  f.f32(0).simd(SIMD.f32x4Splat).set('zero');
  f.get('channels').i32(2).emit(OP.i32Shl).set('rowBytes');
  f.get('H').get('k').emit(OP.i32DivU).set('OH');
  f.get('W').get('k').emit(OP.i32DivU).set('OW');
  const clearAcc = () =>
    f.forRange('c', 0, 'rowBytes', 16, () => {
      f.get('acc').get('c').emit(OP.i32Add).get('zero').storeV();
      f.get('acc2').get('c').emit(OP.i32Add).get('zero').storeV();
    });
  f.get('acc').get('rowBytes').emit(OP.i32Add).set('acc2');
  f.get('block').set('left');
  clearAcc();
  f.i32(0).set('off');
  f.forRange('n', 0, 'count', 1, () => {
    f.i32(0).set('ph');
    f.i32(0).set('th');
    f.forRange('h', 0, 'H', 1, () => {
      f.i32(0).set('pw');
      f.i32(0).set('tw');
      f.forRange('w', 0, 'W', 1, () => {
        // the pooled row ((n·OH + ph)·OW + pw)·rowBytes of routed and hits if a window covers (ph < OH, pw < OW), else zeroRow
        f.get('n').get('OH').emit(OP.i32Mul).get('ph').emit(OP.i32Add).get('OW').emit(OP.i32Mul).get('pw').emit(OP.i32Add);
        f.get('rowBytes').emit(OP.i32Mul).set('src');
        f.get('ph').get('OH').emit(OP.i32LtS).get('pw').get('OW').emit(OP.i32LtS, OP.i32And).set('covered');
        for (const [at, base] of [
          ['routedAt', 'routed'],
          ['hitsAt', 'hits'],
        ])
          f.get(base).get('src').emit(OP.i32Add).get('zeroRow').get('covered').emit(OP.select).set(at);
        // the tap's index in its window, as hits holds it
        f.get('th').get('k').emit(OP.i32Mul).get('tw').emit(OP.i32Add).emit(OP.f32ConvertI32S).simd(SIMD.f32x4Splat).set('tv');
        f.forRange('c', 0, 'rowBytes', 16, () => {
          // g = routed & (hits = t): +0 off the first maximum, and off the windows (zeroRow)
          f.get('routedAt').get('c').emit(OP.i32Add).loadV();
          f.get('hitsAt').get('c').emit(OP.i32Add).loadV().get('tv').simd(F32X4_EQ).simd(V128_AND).set('g');
          if (sums) {
            addDotTerms(f, 'x', 'mean');
          } else {
            f.get('g').get('a').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Mul);
            f.get('x').get('off').emit(OP.i32Add).get('c').emit(OP.i32Add).loadV().get('kk').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Mul);
            f.simd(SIMD.f32x4Add).get('b').get('c').emit(OP.i32Add).loadV().simd(SIMD.f32x4Add).set('d');
            f.get('dx').get('off').emit(OP.i32Add).get('c').emit(OP.i32Add).get('d').storeV();
            f.get('acc').get('c').emit(OP.i32Add).tee('addr').get('addr').loadV().get('d').simd(SIMD.f32x4Add).storeV();
          }
        });
        f.addTo('off', 'rowBytes');
        f.get('left').i32(1).emit(OP.i32Sub).tee('left').emit(OP.i32Eqz);
        f.ifTrue(() => {
          flushBlock(f);
          clearAcc();
          f.get('block').set('left');
        });
        // next column: tw += 1, and past the window's last, pw += 1, tw = 0
        f.addTo('tw', 1);
        f.get('tw').get('k').emit(OP.i32GeS);
        f.ifTrue(() => {
          f.i32(0).set('tw');
          f.addTo('pw', 1);
        });
      });
      f.addTo('th', 1);
      f.get('th').get('k').emit(OP.i32GeS);
      f.ifTrue(() => {
        f.i32(0).set('th');
        f.addTo('ph', 1);
      });
    });
  });
  f.get('left').get('block').emit(OP.i32LtS);
  f.ifTrue(() => flushBlock(f));
  return f;
}

const V128_LOAD32_SPLAT = 0x09;
const RELAXED_MADD = 0x105; // f32x4.relaxed_madd(a, b, c) = a·b + c (relaxed SIMD)

/**
 * acc += a · b, four lanes: exact (the product rounded to float32, then the sum, as XNNPACK's
 * wasm SIMD kernels do), or fused (relaxed SIMD's multiply-add: one rounding where the machine
 * has FMA, so results differ in the last bits and from machine to machine; `--fast`).
 */
function madd(f: Fn, acc: string, a: string, b: string, fused: boolean): void {
  if (fused) f.get(a).get(b).get(acc).simd(RELAXED_MADD).set(acc);
  else f.get(acc).get(a).get(b).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(acc);
}

/** Register tiles of the filter gradient: R input channels × C vectors of 4 output channels (8 accumulators each). */
export const FILTER_GRAD_TILES = [
  [4, 2],
  [2, 4],
  [1, 8],
] as const;

/**
 * A filter gradient's register tiles, for one tap and a part of its sum:
 *
 *   dW[ci0 + i, co0 + 4j … +3] += Σ x[n, r, c, ci0 + i] · dy[n, r, c, co0 + 4j … +3]
 *
 * for every tile (ci0, co0) of R input channels × C vectors of 4 output channels (all of ci ×
 * co), over samples n < count and `rows` × `cols` positions (the caller points x and dy at the
 * first, already shifted by the tap). Each tile's R·C accumulators are loaded from dW, stay in
 * registers for the whole part and are stored back, so a caller can split one sum into parts
 * (dW zeroed first) without changing it: a float32 accumulator stored and reloaded is the same
 * number. Each product is rounded, then added (no fused multiply-add), in the order
 * `samplesInner` names: positions outer and samples inner, or samples outer, so a caller can
 * reproduce the order of the XNNPACK convolution or GEMM it replaces bit for bit. Strides are
 * in bytes.
 *
 * Why parts: one call per tap over the whole batch streamed every tile's slice of dy and x from
 * beyond the L2 cache (3.3 MB of dy for the CNN's second layer at batch 200), half of each
 * cache line of dy unused by a tile; a part small enough for L2 is read there once by all tiles.
 */
function filterGradTile(rowsOfCi: number, vectors: number, samplesInner: boolean, fused: boolean): Fn {
  const f = new Fn(`filterGrad${rowsOfCi}x${vectors}${samplesInner ? 'p' : 'n'}`, [
    ['x', 'i32'],
    ['dy', 'i32'],
    ['dw', 'i32'],
    ['count', 'i32'],
    ['rows', 'i32'],
    ['cols', 'i32'],
    ['xSample', 'i32'],
    ['xRow', 'i32'],
    ['xPixel', 'i32'],
    ['dySample', 'i32'],
    ['dyRow', 'i32'],
    ['dyPixel', 'i32'],
    ['dwRow', 'i32'],
    ['ciBytes', 'i32'],
  ]);
  const acc = (i: number, j: number) => `a${i}_${j}`;
  const accs = Array.from({ length: rowsOfCi }, (_, i) => Array.from({ length: vectors }, (_, j) => acc(i, j))).flat();
  const splats = Array.from({ length: rowsOfCi }, (_, i) => `s${i}`);
  const dys = Array.from({ length: vectors }, (_, j) => `d${j}`);
  f.locals('i32', 'n', 'r', 'c', 'xn', 'dn', 'xr', 'dr', 'xp', 'dp', 'c0', 'o0', 'xTile', 'dyTile', 'dwTile');
  f.locals('v128', ...accs, ...splats, ...dys);
  const body = () => {
    for (let i = 0; i < rowsOfCi; i++)
      f.get('xp')
        .simd(V128_LOAD32_SPLAT)
        .emit(2, 4 * i)
        .set(splats[i]!);
    for (let j = 0; j < vectors; j++)
      f.get('dp')
        .loadV(16 * j)
        .set(dys[j]!);
    for (let i = 0; i < rowsOfCi; i++) {
      for (let j = 0; j < vectors; j++) madd(f, acc(i, j), splats[i]!, dys[j]!, fused);
    }
  };
  /** for (v = 0; v < end; v++) { inner(); a += aStep; b += bStep } with a, b starting at aStart, bStart. */
  const walk = (v: string, end: string, a: string, aStart: string, aStep: string, b: string, bStart: string, bStep: string, inner: () => void) => {
    f.get(aStart).set(a);
    f.get(bStart).set(b);
    f.forRange(v, 0, end, 1, () => {
      inner();
      f.addTo(a, aStep).addTo(b, bStep);
    });
  };
  /** The accumulators from or to dW[c0 + i, o0 + 4j …]. */
  const tileRow = (i: number) => f.get('dwTile').i32(i).get('dwRow').emit(OP.i32Mul, OP.i32Add);
  // c0, o0 in bytes: c0 steps over x's channels (4·R bytes), o0 over dy's and dW's (16·C bytes)
  f.forRange('c0', 0, 'ciBytes', 4 * rowsOfCi, () => {
    f.forRange('o0', 0, 'dwRow', 16 * vectors, () => {
      f.get('x').get('c0').emit(OP.i32Add).set('xTile');
      f.get('dy').get('o0').emit(OP.i32Add).set('dyTile');
      // dwTile = dw + (c0 / 4)·dwRow + o0
      f.get('dw').get('c0').i32(2).emit(OP.i32ShrU).get('dwRow').emit(OP.i32Mul, OP.i32Add).get('o0').emit(OP.i32Add).set('dwTile');
      for (let i = 0; i < rowsOfCi; i++)
        for (let j = 0; j < vectors; j++)
          tileRow(i)
            .loadV(16 * j)
            .set(acc(i, j));
      if (samplesInner) {
        // positions outer (r, c), samples inner: the K order of XNNPACK's convolution over (taps, channels = samples)
        walk('r', 'rows', 'xr', 'xTile', 'xRow', 'dr', 'dyTile', 'dyRow', () =>
          walk('c', 'cols', 'xn', 'xr', 'xPixel', 'dn', 'dr', 'dyPixel', () => walk('n', 'count', 'xp', 'xn', 'xSample', 'dp', 'dn', 'dySample', body)),
        );
      } else {
        // samples outer, positions inner: the K order of a GEMM over pixels (n, r, c)
        walk('n', 'count', 'xn', 'xTile', 'xSample', 'dn', 'dyTile', 'dySample', () =>
          walk('r', 'rows', 'xr', 'xn', 'xRow', 'dr', 'dn', 'dyRow', () => walk('c', 'cols', 'xp', 'xr', 'xPixel', 'dp', 'dr', 'dyPixel', body)),
        );
      }
      for (let i = 0; i < rowsOfCi; i++)
        for (let j = 0; j < vectors; j++)
          tileRow(i)
            .get(acc(i, j))
            .storeV(16 * j);
    });
  });
  return f;
}

/**
 * lo = max(0, pad − at), hi = min(taps, size + pad − at): the taps [lo, hi) of output position
 * `at` (a row or a column) that land inside an input of `size` padded by `pad` in front.
 */
function tapsInside(f: Fn, lo: string, hi: string, pad: string, at: string, size: string, taps: string): void {
  const inFront = () => f.get(pad).get(at).emit(OP.i32Sub);
  const behind = () => f.get(size).get(pad).emit(OP.i32Add).get(at).emit(OP.i32Sub);
  // select(a, b, a > b) is max(a, b); with <, min
  f.i32(0);
  inFront();
  f.i32(0);
  inFront();
  f.emit(OP.i32GtS, OP.select).set(lo);
  f.get(taps);
  behind();
  f.get(taps);
  behind();
  f.emit(OP.i32LtS, OP.select).set(hi);
}

/**
 * convForward{Partials|Single}{Pairs}(x, w, y, count, H, W, ci, OH, OW, co, KH, KW, top, left): a
 * stride-1 NHWC convolution, y[n, oh, ow, :] from x [count, H, W, ci] and w [KH, KW, ci, co]
 * (co a multiple of 16), 16 output channels at a time, visiting only the taps that land inside
 * x. Products are rounded, then added, in one of two orders:
 *
 * - Single: one running sum over (kh, kw, ci), as XNNPACK's convolution sums (its taps on
 *   padding add zeros, which change no sum), in 4 register accumulators per sample;
 * - Partials: per tap a sum over ci in registers, added into y (in memory) tap by tap in
 *   (kh, kw) order, as the GEMM + scatter route of ../kernels/conv2d.ts does.
 *
 * Either way y is bit for bit what the route it replaces computes. The Pairs versions take two
 * samples at once (count even): the same pixel of two images has the same taps, so each weight
 * load serves 8 multiply-adds instead of 4.
 */
function convForward(partials: boolean, samples: 1 | 2, fused: boolean): Fn {
  const f = new Fn(`convForward${partials ? 'Partials' : 'Single'}${samples === 2 ? 'Pairs' : ''}`, [
    ['x', 'i32'],
    ['w', 'i32'],
    ['y', 'i32'],
    ['count', 'i32'],
    ['H', 'i32'],
    ['W', 'i32'],
    ['ci', 'i32'],
    ['OH', 'i32'],
    ['OW', 'i32'],
    ['co', 'i32'],
    ['KH', 'i32'],
    ['KW', 'i32'],
    ['top', 'i32'],
    ['left', 'i32'],
  ]);
  const accs = Array.from({ length: samples }, (_, i) => [0, 1, 2, 3].map((j) => `a${i}_${j}`));
  const ws = ['w0', 'w1', 'w2', 'w3'];
  f.locals('i32', 'n', 'oh', 'ow', 'cb', 'kh', 'kw', 'khLo', 'khHi', 'kwLo', 'kwHi', 'xImg', 'xp', 'wp', 'xEnd', 'ciBytes', 'coBytes', 'yAt', 'yp');
  f.locals('i32', 'xSampleBytes', 'ySampleBytes');
  f.locals('v128', ...accs.flat(), 's', ...ws);
  const zero = () => f.f32(0).simd(SIMD.f32x4Splat);
  /** y of sample i (0 or 1) at this pixel and channel block, for a load or store at offset 16·j. */
  const yOf = (i: number) => (i === 0 ? f.get('yp') : f.get('yp').get('ySampleBytes').emit(OP.i32Add));
  f.get('ci').i32(2).emit(OP.i32Shl).set('ciBytes');
  f.get('co').i32(2).emit(OP.i32Shl).set('coBytes');
  f.get('H').get('W').emit(OP.i32Mul).get('ciBytes').emit(OP.i32Mul).set('xSampleBytes');
  f.get('OH').get('OW').emit(OP.i32Mul).get('coBytes').emit(OP.i32Mul).set('ySampleBytes');
  f.get('y').set('yAt');
  f.forRange('n', 0, 'count', samples, () => {
    f.get('x').get('n').get('xSampleBytes').emit(OP.i32Mul, OP.i32Add).set('xImg');
    f.get('y').get('n').get('ySampleBytes').emit(OP.i32Mul, OP.i32Add).set('yAt');
    f.forRange('oh', 0, 'OH', 1, () => {
      tapsInside(f, 'khLo', 'khHi', 'top', 'oh', 'H', 'KH');
      f.forRange('ow', 0, 'OW', 1, () => {
        tapsInside(f, 'kwLo', 'kwHi', 'left', 'ow', 'W', 'KW');
        f.forRange('cb', 0, 'coBytes', 64, () => {
          f.get('yAt').get('cb').emit(OP.i32Add).set('yp');
          if (partials)
            for (let i = 0; i < samples; i++)
              for (let j = 0; j < 4; j++) {
                yOf(i);
                zero().storeV(16 * j);
              }
          else for (const a of accs.flat()) zero().set(a);
          f.forRange('kh', 'khLo', 'khHi', 1, () => {
            f.forRange('kw', 'kwLo', 'kwHi', 1, () => {
              if (partials) for (const a of accs.flat()) zero().set(a);
              // xp = xImg + ((oh + kh − top)·W + ow + kw − left)·ciBytes;  wp = w + (kh·KW + kw)·ci·coBytes + cb
              f.get('xImg').get('oh').get('kh').emit(OP.i32Add).get('top').emit(OP.i32Sub).get('W').emit(OP.i32Mul);
              f.get('ow').emit(OP.i32Add).get('kw').emit(OP.i32Add).get('left').emit(OP.i32Sub).get('ciBytes').emit(OP.i32Mul, OP.i32Add).tee('xp');
              f.get('ciBytes').emit(OP.i32Add).set('xEnd');
              f.get('w').get('kh').get('KW').emit(OP.i32Mul).get('kw').emit(OP.i32Add).get('ci').emit(OP.i32Mul).get('coBytes').emit(OP.i32Mul, OP.i32Add);
              f.get('cb').emit(OP.i32Add).set('wp');
              f.forRange('xp', 'xp', 'xEnd', 4, () => {
                for (const [j, w] of ws.entries())
                  f.get('wp')
                    .loadV(16 * j)
                    .set(w);
                for (const [i, row] of accs.entries()) {
                  (i === 0 ? f.get('xp') : f.get('xp').get('xSampleBytes').emit(OP.i32Add)).simd(V128_LOAD32_SPLAT).emit(2, 0).set('s');
                  for (const [j, a] of row.entries()) madd(f, a, 's', ws[j]!, fused);
                }
                f.addTo('wp', 'coBytes');
              });
              if (partials) {
                for (const [i, row] of accs.entries()) {
                  for (const [j, a] of row.entries()) {
                    yOf(i); // the store's address, then the load's
                    yOf(i)
                      .loadV(16 * j)
                      .get(a)
                      .simd(SIMD.f32x4Add)
                      .storeV(16 * j);
                  }
                }
              }
            });
          });
          if (!partials)
            for (const [i, row] of accs.entries())
              for (const [j, a] of row.entries())
                yOf(i)
                  .get(a)
                  .storeV(16 * j);
        });
        f.addTo('yAt', 'coBytes');
      });
    });
  });
  return f;
}

/** Input channels the few-channel forward convolution is built for (the first layer: 1 digit, or a pair). */
export const FEW_CHANNELS = [1, 2] as const;
/**
 * The few-channel convolution's register tile where every tap is inside the row: WIDE_PIXELS
 * neighbouring output pixels × WIDE_VECTORS vectors of 4 output channels. Measured on the first
 * layer (14×14, 5×5 taps, 32 channels; fastest of 80 calls, alternating with XNNPACK) against
 * 5 × 2, 3 × 2, 2 × 2, 1 × 8 and 2 × 8: 2 × 4 and 5 × 2 were fastest, within this machine's noise
 * of each other, at ~0.6× XNNPACK's time with 1 input channel and ~0.85× with 2.
 */
const WIDE_PIXELS = 2;
const WIDE_VECTORS = 4;
/** Output channel vectors an edge pixel keeps in registers; co must be a multiple of 4·EDGE_VECTORS and of 4·WIDE_VECTORS. */
export const EDGE_VECTORS = 4;

/**
 * convForwardFew{ci}(x, w, y, count, H, W, OH, OW, co, KH, KW, top, left): a stride-1 NHWC
 * convolution with ci (1 or 2) input channels and co a multiple of 16, summed as XNNPACK's
 * convolution sums (one running sum over kh, kw, ci; its taps on padding add zeros, which
 * change no sum), so y is bit for bit what XNNPACK gives.
 *
 * Why: with one or two input channels a tap is one or two multiply-adds per output channel, so
 * per-pixel loops (XNNPACK's, and convForward above) spend more loads on weights than
 * arithmetic. Here WIDE_PIXELS neighbouring output pixels of a row share each weight load,
 * wherever all KW taps of them are inside the row; the pixels near the left and right edges
 * go one at a time with their own taps.
 */
function convForwardFew(ci: number, fused: boolean): Fn {
  const f = new Fn(`convForwardFew${ci}`, [
    ['x', 'i32'],
    ['w', 'i32'],
    ['y', 'i32'],
    ['count', 'i32'],
    ['H', 'i32'],
    ['W', 'i32'],
    ['OH', 'i32'],
    ['OW', 'i32'],
    ['co', 'i32'],
    ['KH', 'i32'],
    ['KW', 'i32'],
    ['top', 'i32'],
    ['left', 'i32'],
  ]);
  const ciBytes = 4 * ci;
  const tile = Math.max(WIDE_PIXELS * WIDE_VECTORS, EDGE_VECTORS);
  const acc = (p: number, v: number) => `a${p * WIDE_VECTORS + v}`;
  f.locals(
    'i32',
    'n',
    'oh',
    'ow',
    'step',
    'cb',
    'kh',
    'khLo',
    'khHi',
    'kwLo',
    'kwHi',
    'owLo',
    'owHi',
    'xImg',
    'xp',
    'wp',
    'wEnd',
    'coBytes',
    'tapBytes',
    'yAt',
  );
  const vectors = Math.max(WIDE_VECTORS, EDGE_VECTORS);
  f.locals('v128', ...Array.from({ length: tile }, (_, i) => `a${i}`), 's', ...Array.from({ length: vectors }, (_, v) => `w${v}`));
  const pick = (op: number, a: () => void, b: () => void) => {
    a();
    b();
    a();
    b();
    f.emit(op, OP.select);
  };
  /** `pixels` output pixels from (oh, ow) on, taps kh ∈ [khLo, khHi), kw ∈ [kwLo, kwHi); 4·vectors channels at a time. */
  const pixelsAt = (pixels: number, vectors: number) => {
    const each = (fn: (a: string, p: number, v: number) => void) => {
      for (let p = 0; p < pixels; p++) for (let v = 0; v < vectors; v++) fn(acc(p, v), p, v);
    };
    f.forRange('cb', 0, 'coBytes', 16 * vectors, () => {
      each((a) => f.f32(0).simd(SIMD.f32x4Splat).set(a));
      f.forRange('kh', 'khLo', 'khHi', 1, () => {
        // xp = xImg + ((oh + kh − top)·W + ow + kwLo − left)·ciBytes;  wp = w + (kh·KW + kwLo)·tapBytes + cb, to wEnd
        f.get('xImg').get('oh').get('kh').emit(OP.i32Add).get('top').emit(OP.i32Sub).get('W').emit(OP.i32Mul);
        f.get('ow').emit(OP.i32Add).get('kwLo').emit(OP.i32Add).get('left').emit(OP.i32Sub).i32(ciBytes).emit(OP.i32Mul, OP.i32Add).set('xp');
        f.get('w').get('kh').get('KW').emit(OP.i32Mul).get('kwLo').emit(OP.i32Add).get('tapBytes').emit(OP.i32Mul, OP.i32Add);
        f.get('cb').emit(OP.i32Add).tee('wp');
        f.get('kwHi').get('kwLo').emit(OP.i32Sub).get('tapBytes').emit(OP.i32Mul, OP.i32Add).set('wEnd');
        f.forRange('wp', 'wp', 'wEnd', 'tapBytes', () => {
          for (let c = 0; c < ci; c++) {
            for (let v = 0; v < vectors; v++)
              f.get('wp')
                .loadV(16 * v)
                .set(`w${v}`);
            for (let p = 0; p < pixels; p++) {
              f.get('xp')
                .simd(V128_LOAD32_SPLAT)
                .emit(2, p * ciBytes + 4 * c)
                .set('s');
              for (let v = 0; v < vectors; v++) madd(f, acc(p, v), 's', `w${v}`, fused);
            }
            if (c + 1 < ci) f.addTo('wp', 'coBytes');
          }
          if (ci > 1)
            f.get('wp')
              .get('coBytes')
              .i32(ci - 1)
              .emit(OP.i32Mul, OP.i32Sub)
              .set('wp'); // back to the tap's first channel
          f.addTo('xp', ciBytes);
        });
      });
      // y[n, oh, ow + p, cb…] for each pixel p
      f.get('yAt').get('cb').emit(OP.i32Add).set('xp'); // xp is free here: the store address
      for (let p = 0; p < pixels; p++) {
        for (let v = 0; v < vectors; v++)
          f.get('xp')
            .get(acc(p, v))
            .storeV(16 * v);
        f.addTo('xp', 'coBytes');
      }
    });
  };
  f.get('co').i32(2).emit(OP.i32Shl).set('coBytes');
  f.get('coBytes').i32(ci).emit(OP.i32Mul).set('tapBytes');
  // Pixels whose KW taps are all inside the row: ow ∈ [left, W − KW + 1 + left), within [0, OW).
  pick(
    OP.i32LtS,
    () => f.get('left'),
    () => f.get('OW'),
  );
  f.set('owLo');
  pick(
    OP.i32LtS,
    () => f.get('W').get('KW').emit(OP.i32Sub).i32(1).emit(OP.i32Add).get('left').emit(OP.i32Add),
    () => f.get('OW'),
  );
  f.set('owHi');
  f.get('y').set('yAt');
  f.forRange('n', 0, 'count', 1, () => {
    f.get('x').get('n').get('H').emit(OP.i32Mul).get('W').emit(OP.i32Mul).i32(ciBytes).emit(OP.i32Mul, OP.i32Add).set('xImg');
    f.forRange('oh', 0, 'OH', 1, () => {
      tapsInside(f, 'khLo', 'khHi', 'top', 'oh', 'H', 'KH');
      f.forRange('ow', 0, 'OW', 'step', () => {
        // if (ow ≥ owLo && ow + WIDE_PIXELS ≤ owHi) the wide block, else one pixel with its own taps
        f.get('ow').get('owLo').emit(OP.i32GeS);
        f.get('ow').i32(WIDE_PIXELS).emit(OP.i32Add).get('owHi').emit(OP.i32LeS, OP.i32And);
        f.emit(OP.if, 0x40);
        f.i32(0).set('kwLo').get('KW').set('kwHi');
        pixelsAt(WIDE_PIXELS, WIDE_VECTORS);
        f.i32(WIDE_PIXELS).set('step');
        f.emit(OP.else);
        tapsInside(f, 'kwLo', 'kwHi', 'left', 'ow', 'W', 'KW');
        pixelsAt(1, EDGE_VECTORS);
        f.i32(1).set('step');
        f.emit(OP.end);
        f.get('step').get('coBytes').emit(OP.i32Mul).get('yAt').emit(OP.i32Add).set('yAt');
      });
    });
  });
  return f;
}

/** A filter-gradient tiles' entry point: (x, dy, dw, count, rows, cols, xSample, xRow, xPixel, dySample, dyRow, dyPixel, dwRow, ciBytes), byte addresses and strides. */
export type FilterGradTileFn = (...args: number[]) => void;

export interface SimdKernels {
  /** convForward{Partials|Single}{Pairs}(x, w, y, count, H, W, ci, OH, OW, co, KH, KW, top, left): see convForward. */
  convForwardPartials(...args: number[]): void;
  convForwardSingle(...args: number[]): void;
  convForwardPartialsPairs(...args: number[]): void;
  convForwardSinglePairs(...args: number[]): void;
  /** convForwardFew{1|2}(x, w, y, count, H, W, OH, OW, co, KH, KW, top, left): see convForwardFew. */
  [few: `convForwardFew${number}`]: (...args: number[]) => void;
  /** reluMaxPool{k}(x, y, count, H, W, C) and reluMaxPoolGrad{k}(x, dy, dx, count, H, W, C), k in RELU_POOL_SIZES (see reluPool). */
  [pool: `reluMaxPool${number}` | `reluMaxPoolGrad${number}`]: (...args: number[]) => void;
  /** bnReluPool{k}(x, y, hits, count, H, W, C, a, b), k in RELU_POOL_SIZES: see bnReluPool. */
  [pool: `bnReluPool${number}`]: (...args: number[]) => void;
  /** bnReluPoolSums(…) and bnReluPoolAffine2(…): see bnReluPoolGrad. */
  bnReluPoolSums(...args: number[]): void;
  bnReluPoolAffine2(...args: number[]): void;
  /** filterGrad{R}x{C}{p|n}: see filterGradTile. */
  [tile: `filterGrad${string}`]: FilterGradTileFn;
  channelSums(x: number, rows: number, channels: number, shift: number, acc: number, acc64: number, block: number): void;
  channelDotSums(dy: number, x: number, rows: number, channels: number, mean: number, acc: number, acc64: number, block: number): void;
  channelAffine(x: number, y: number, rows: number, channels: number, a: number, b: number): void;
  channelAffine2(dy: number, x: number, dx: number, rows: number, channels: number, a: number, k: number, b: number): void;
  reluGrad(dy: number, x: number, dx: number, bytes: number): void;
  /** gemm{4|1}(a, b, c, blocks, K, N, aRow, aK, bRow): see gemm. */
  [gemm: `gemm${number}`]: (...args: number[]) => void;
  /** sumOfSquares(x, bytes, out): out[0] = Σ x², float32 in index order. */
  sumOfSquares(x: number, bytes: number, out: number): void;
  /** adamStep(value, m, v, g, newValue, newM, newV, bytes, ...the ADAM_CONSTANTS) and adamStepL2(…, 2λ): see adamStep. */
  adamStep(...args: number[]): void;
  adamStepL2(...args: number[]): void;
  channelBiasAffine(x: number, y: number, rows: number, channels: number, bias: number, a: number, b: number): void;
  channelBiasAffineReluPool(x: number, y: number, count: number, h: number, w: number, channels: number, bias: number, a: number, b: number, k: number): void;
  channelBiasAffineRelu(x: number, y: number, rows: number, channels: number, bias: number, a: number, b: number): void;
  channelAdd(x: number, y: number, rows: number, channels: number, bias: number): void;
  scatterTaps(
    p: number,
    y: number,
    count: number,
    h: number,
    w: number,
    kh: number,
    kw: number,
    oh: number,
    ow: number,
    channels: number,
    top: number,
    left: number,
  ): void;
  gatherTaps(
    dy: number,
    q: number,
    count: number,
    h: number,
    w: number,
    kh: number,
    kw: number,
    oh: number,
    ow: number,
    channels: number,
    top: number,
    left: number,
  ): void;
  maxPoolGradDisjoint(
    x: number,
    dy: number,
    dx: number,
    count: number,
    h: number,
    w: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    channels: number,
  ): void;
}

/**
 * The module's binary (exported for tests): `fused` builds the convolution loops with relaxed
 * SIMD's fused multiply-add (fast mode), the rest as in exact mode.
 */
export function simdModuleBytes(fused = false): Uint8Array<ArrayBuffer> {
  return buildModule([
    channelReduce('channelSums', false),
    channelReduce('channelDotSums', true),
    channelAffine(),
    channelAffine2(),
    channelAdd(),
    channelBiasAffine(false),
    channelBiasAffine(true),
    channelBiasAffineReluPool(),
    adamStep(false),
    adamStep(true),
    sumOfSquares(),
    ...GEMM_ROWS.map((rows) => gemm(rows)),
    reluGrad(),
    scatterTaps(),
    gatherTaps(),
    maxPoolGradDisjoint(),
    ...RELU_POOL_SIZES.flatMap((k) => [reluPool(k, false), reluPool(k, true), bnReluPool(k)]),
    bnReluPoolGrad(true),
    bnReluPoolGrad(false),
    ...FILTER_GRAD_TILES.flatMap(([r, c]) => [filterGradTile(r, c, true, fused), filterGradTile(r, c, false, fused)]),
    ...[true, false].flatMap((partials) => [convForward(partials, 1, fused), convForward(partials, 2, fused)]),
    ...FEW_CHANNELS.map((ci) => convForwardFew(ci, fused)),
  ]);
}

/** The compiled modules, exact and fused (null: this runtime has no relaxed SIMD). */
const compiled: { exact?: WebAssembly.Module; fused?: WebAssembly.Module | null } = {};

/**
 * Node 20's V8 has relaxed SIMD behind a flag (on by default from V8 11.4, Chrome 114, Node 22).
 * Set it before the first compile; in a browser there is no `process` and nothing to set.
 */
function allowRelaxedSimd(): void {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = node?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

function moduleFor(fused: boolean): WebAssembly.Module | null {
  if (!fused) {
    compiled.exact ??= new WebAssembly.Module(simdModuleBytes(false));
    return compiled.exact;
  }
  if (compiled.fused === undefined) {
    allowRelaxedSimd();
    const bytes = simdModuleBytes(true);
    compiled.fused = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled.fused;
}

/** Whether fast mode's fused multiply-add kernels can run here (relaxed SIMD). */
export function fusedKernelsAvailable(): boolean {
  try {
    return moduleFor(true) !== null;
  } catch {
    return false;
  }
}

/** The wasm backend's linear memory: the Emscripten module exports it (as `memory`). */
function backendMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const exports = backend.wasm as unknown as { asm?: Record<string, unknown>; wasmExports?: Record<string, unknown> };
  const table = exports.asm ?? exports.wasmExports ?? {};
  return Object.values(table).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
}

const instances = { exact: new WeakMap<BackendWasm, SimdKernels | null>(), fused: new WeakMap<BackendWasm, SimdKernels | null>() };

/**
 * Our SIMD kernels bound to `backend`'s heap, or null where that cannot be done (no SIMD,
 * memory not reachable); callers then use their JavaScript loops. In fast mode
 * (`routes.fast`) the convolution loops use fused multiply-add where the runtime has relaxed
 * SIMD, and are exact where it has not.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | null {
  const fused = routes.fast && fusedKernelsAvailable();
  const cache = instances[fused ? 'fused' : 'exact'];
  let kernels = cache.get(backend);
  if (kernels === undefined) {
    kernels = null;
    const memory = backendMemory(backend);
    if (memory !== undefined) {
      try {
        kernels = new WebAssembly.Instance(moduleFor(fused)!, { env: { memory } }).exports as unknown as SimdKernels;
      } catch {
        kernels = null; // e.g. an engine without wasm SIMD
      }
    }
    cache.set(backend, kernels);
  }
  return kernels;
}

/** Byte address of a tensor's data in the backend's heap. */
export function heapAddress(backend: BackendWasm, dataId: object): number {
  return backend.getMemoryOffset(dataId as never);
}

/** Allocates `bytes` of scratch in the backend's heap; free with freeScratch. */
export function allocScratch(backend: BackendWasm, bytes: number): number {
  return (backend.wasm as unknown as { _malloc(n: number): number })._malloc(bytes) >>> 0;
}

export function freeScratch(backend: BackendWasm, address: number): void {
  (backend.wasm as unknown as { _free(p: number): void })._free(address);
}
