/**
 * No zero gradients for op outputs that their op's gradient never reads.
 *
 * Why: when backprop reaches an op, TensorFlow.js gives each of its outputs that nothing after it
 * used a gradient of zeros, made as a JavaScript array and copied into the backend (its own TODO
 * says to pass null instead). BatchNormReluMaxPool's fourth output, `hits` (the tap of each pooled
 * value's first maximum), exists for its gradient alone, so its "gradient" was always zeros: 1.75 MB
 * made, copied and collected per 100-pair CNN-aux step. A gradient config lists such outputs in
 * `unreadOutputs`; backprop then hands its gradient null for them. Any other unused output still
 * gets zeros, as before. No value changes.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A gradient config that names the outputs whose gradients its gradFunc never reads. */
export type GradConfigWithUnread = tf.GradConfig & { unreadOutputs: readonly number[] };

interface TapeNode {
  gradient?: (dys: (tf.Tensor | null)[]) => unknown;
}

interface TapingEngine {
  state: { activeTape: TapeNode[] | null };
  addTapeNode(kernelName: string, inputs: unknown, outputs: tf.Tensor[], gradientsFunc: unknown, saved: tf.Tensor[], attrs: tf.NamedAttrMap): void;
}

const installed = new WeakSet<object>();

/** Makes backprop skip the zeros of outputs listed in their op's `unreadOutputs`. Safe to call again. */
export function skipUnreadOutputGradients(): void {
  const engine = tf.engine() as unknown as TapingEngine;
  if (installed.has(engine)) return;
  installed.add(engine);
  const stock = engine.addTapeNode.bind(engine);
  engine.addTapeNode = (kernelName, inputs, outputs, gradientsFunc, saved, attrs) => {
    stock(kernelName, inputs, outputs, gradientsFunc, saved, attrs);
    const config = tf.getGradient(kernelName) as Partial<GradConfigWithUnread> | undefined;
    const unread = config?.unreadOutputs;
    if (unread === undefined || config?.gradFunc === undefined) return;
    const gradFunc = config.gradFunc;
    // The node the stock call just pushed: its gradient, with nulls kept where unread.
    engine.state.activeTape!.at(-1)!.gradient = (dys) => {
      const filled = dys.map((dy, i) => dy ?? (unread.includes(i) ? null : tf.zeros(outputs[i]!.shape, outputs[i]!.dtype)));
      return gradFunc((filled.length > 1 ? filled : filled[0]) as tf.Tensor[], saved, attrs);
    };
  };
}
