/**
 * Saving a kernel's inputs and outputs for its gradient without running a kernel.
 *
 * Why: while a gradient tape records, TensorFlow.js keeps every tensor a gradient will need by
 * cloning it (`engine.clone`): a full Identity kernel dispatch plus two tape nodes, the
 * Identity's own and the clone's, that backprop then filters out again (a saved copy feeds no
 * other op). A CNN training step saves ~110 tensors, so ~110 dispatches and ~220 dead tape nodes
 * per step. The clone only has to share the data and count one more reference — what the
 * Identity kernels of the cpu backend and of ours (./kernels/identity.ts) do — so it is done
 * here directly. No value changes; only the bookkeeping around it is gone.
 */
import * as tf from '@tensorflow/tfjs-core';

interface TrackingEngine {
  backend: { incRef?: (dataId: object) => void };
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
}

const installed = new WeakSet<object>();

/** A new tensor on `x`'s data, one more reference counted: the clone Identity makes, without the kernel. */
function sharedCopy(engine: TrackingEngine, x: tf.Tensor): tf.Tensor {
  engine.backend.incRef!(x.dataId);
  return engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype);
}

/** Makes the engine save tensors for backprop by reference counting (see above). Safe to call again. */
export function saveTensorsWithoutKernels(): void {
  const engine = tf.engine() as unknown as TrackingEngine;
  if (installed.has(engine)) return;
  installed.add(engine);
  const stock = engine.saveTensorsForBackwardMode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors) =>
    // Strings and a backend without reference counts keep the stock path (a copying clone).
    typeof engine.backend.incRef !== 'function' || tensors.some((t) => t.dtype === 'string')
      ? stock(tensors)
      : tensors.map((t) => engine.keep(sharedCopy(engine, t)));
}
