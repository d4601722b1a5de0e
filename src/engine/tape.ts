/**
 * What the gradient tape being recorded says about the variables a loss reads. TensorFlow.js
 * keeps the tape internal; this reads the one field it needs from the engine's state.
 */
import * as tf from '@tensorflow/tfjs-core';

interface TapeNode {
  inputs: Record<string, tf.Tensor | undefined>;
}

/**
 * True if each of `vars` is an input of exactly one op on the tape being recorded (false when
 * nothing records). Then backprop gives each variable one gradient, which no Add accumulates.
 */
export function eachReadOnce(vars: readonly tf.Variable[]): boolean {
  const tape = (tf.engine() as unknown as { state: { activeTape: TapeNode[] | null } }).state.activeTape;
  if (!tape) return false;
  const reads = new Map(vars.map((v) => [v.id, 0]));
  for (const node of tape) {
    for (const x of Object.values(node.inputs)) {
      const n = x === undefined ? undefined : reads.get(x.id);
      if (x !== undefined && n !== undefined) reads.set(x.id, n + 1);
    }
  }
  for (const n of reads.values()) if (n !== 1) return false;
  return true;
}
