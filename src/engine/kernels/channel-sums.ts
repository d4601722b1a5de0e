/**
 * Σ over every axis but the last of a gradient, handed from the kernel that wrote the gradient
 * (and summed it on the way, in the Sum kernel's order) to the gradient that needs the sum.
 *
 * Why: a conv layer's bias gradient is Σ dz (./conv2d-bias.ts), a full pass over dz, and in a
 * CNN block dz is written by batch norm's gradient (./batch-norm-relu-max-pool.ts), whose last
 * pass visits every value of it in the Sum kernel's order: that pass sums it too, and hands the
 * sum over here, keyed by dz's data. The bias's gradient takes it if its dy is that very tensor
 * (z read once, so the tape passes batch norm's dx on unchanged); anything else, e.g. a dy summed
 * from two readers, is a new tensor and gets the Sum kernel. A sum nobody takes is freed with the
 * other intermediates of the backward pass (tfjs runs it in a tidy).
 */
import type { Tensor } from '@tensorflow/tfjs-core';

const sums = new WeakMap<object, Tensor>();

/** Records `sum` as Σ of `t` over every axis but the last. */
export function offerChannelSums(t: Tensor, sum: Tensor): void {
  sums.set(t.dataId, sum);
}

/** Σ of `t` over every axis but the last, if the kernel that wrote `t` offered it. */
export function takeChannelSums(t: Tensor): Tensor | undefined {
  const sum = sums.get(t.dataId);
  sums.delete(t.dataId);
  return sum?.isDisposed === false ? sum : undefined;
}
