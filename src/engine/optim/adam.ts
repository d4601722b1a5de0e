/**
 * Adam as `tf.train.adam(lr, β1, β2, ε)` computes it, bit for bit, with one 'AdamStep' kernel
 * per variable (../kernels/adam-step.ts) instead of twelve: the same moment slots, the same
 * float32 bias corrections 1 − β1ᵗ, 1 − β2ᵗ (β1ᵗ kept as tfjs keeps it: a float32 running product).
 * `learningRate` may be changed between steps, as a schedule does. (No getWeights/setWeights:
 * nothing here saves an optimiser's state; tfjs's defaults say so if called.) It has no stock
 * fallback: its backend must come from `initBackend` (../backend.ts), which registers AdamStep.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamStep, type AdamStepAttrs } from '../kernels/adam-step.js';

/** A name and its tensor, as tfjs optimisers take them (tfjs does not export the type); no tensor: no gradient. */
type NamedTensor = { name: string; tensor: tf.Tensor | undefined };

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

const fr = Math.fround;

export class AdamOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'Adam'; // serialises as tfjs's Adam, whose state it mirrors
  }

  private readonly firstMoments: Slot[] = [];
  private readonly secondMoments: Slot[] = [];
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    super();
    this.accBeta1 = fr(beta1);
    this.accBeta2 = fr(beta2);
  }

  /**
   * One step. With `twiceL2` (2λ), each variable's gradient first gets the L2 term's, value·2λ
   * (../kernels/adam-step.ts), and a variable listed without a gradient gets that term alone: for
   * a loss that leaves λ·Σw² off the tape (../../train/fit.ts).
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[], twiceL2 = 0): void {
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    // Each constant as tfjs makes it: a JS number turned into a float32 scalar tensor.
    const attrs: AdamStepAttrs = {
      beta1: fr(this.beta1),
      oneMinusBeta1: fr(1 - this.beta1),
      beta2: fr(this.beta2),
      oneMinusBeta2: fr(1 - this.beta2),
      correction1: fr(1 - this.accBeta1),
      correction2: fr(1 - this.accBeta2),
      epsilon: fr(this.epsilon),
      negLearningRate: fr(-this.learningRate),
      ...(twiceL2 === 0 ? {} : { twiceL2: fr(twiceL2) }),
    };
    tf.tidy(() => {
      entries.forEach(([name, gradient], i) => {
        const value = tf.engine().registeredVariables[name]!;
        this.firstMoments[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        this.secondMoments[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null && twiceL2 === 0) return;
        const grad = gradient ?? tf.zerosLike(value); // the L2 term's gradient alone: added in the kernel
        const m = this.firstMoments[i]!.variable;
        const v = this.secondMoments[i]!.variable;
        const [newValue, newM, newV] = tf.engine().runKernel(AdamStep, { value, m, v, grad }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
    });
    this.accBeta1 = fr(this.accBeta1 * fr(this.beta1));
    this.accBeta2 = fr(this.accBeta2 * fr(this.beta2));
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([...this.firstMoments, ...this.secondMoments].map((s) => s.variable));
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * True if `optimizer` is ours (and so takes `applyGradients(grads, 2λ)`). Not `instanceof`:
 * tfjs's Optimizer answers that by duck typing, true for any optimizer, tfjs's own Adam included.
 */
export const isOurAdam = (optimizer: tf.Optimizer): optimizer is AdamOptimizer => Object.prototype.isPrototypeOf.call(AdamOptimizer.prototype, optimizer);
