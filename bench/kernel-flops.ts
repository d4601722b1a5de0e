/**
 * Useful floating-point operations of a kernel call, from the shapes tf.profile records: the
 * multiply-adds the layer needs (taps that land on padding are not counted, so a kernel that
 * skips them is not credited for work it avoids), × 2. Stride 1 and symmetric padding, as every
 * convolution here; kernels whose work is not a matrix product return 0 (they are memory-bound
 * and shown in milliseconds only).
 */

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Pairs (output index, tap) with the tap inside the input: out·k minus those on padding. */
function validTaps(input: number, output: number, kernel: number): number {
  const top = Math.floor((output - 1 + kernel - input) / 2);
  let n = 0;
  for (let o = 0; o < output; o++) for (let k = 0; k < kernel; k++) if (o + k - top >= 0 && o + k - top < input) n++;
  return n;
}

/** Multiply-adds of a stride-1 NHWC convolution of x [N,H,W,ci] with a [kh,kw,ci,co] filter to [N,oh,ow,co]. */
function convMacs(x: number[], filter: number[], out: number[]): number {
  const [n, h, w, ci] = x as [number, number, number, number];
  const [kh, kw, , co] = filter as [number, number, number, number];
  return n * ci * co * validTaps(h, out[1]!, kh) * validTaps(w, out[2]!, kw);
}

export function kernelFlops(name: string, inputs: (number[] | null)[], outputs: number[][]): number {
  const [a, b] = inputs;
  const out = outputs[0];
  if (!a || !b || !out) return 0;
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D':
    case 'Conv2DBias': // x, filter, bias → y (the bias adds are not counted)
      return 2 * convMacs(a, b, out); // x, filter → y
    case 'Conv2DBackpropFilter':
      return 2 * convMacs(a, out, b); // x, dy → dW [kh, kw, ci, co]
    case 'Conv2DBackpropInput':
      return 2 * convMacs(out, b, a); // dy, filter → dx [N, H, W, ci]
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // out [..., M, N]; K = size(a) / (batch · M), whatever a's transposition.
      const m = out[out.length - 2]!;
      const batchM = size(out) / out[out.length - 1]!;
      return 2 * size(out) * (size(a) / batchM) * (m > 0 ? 1 : 0);
    }
    default:
      return 0;
  }
}
