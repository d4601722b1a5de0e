/**
 * The few PyTorch-style layers the seed's models use, on TensorFlow.js core ops. Each builder
 * creates its parameters in a `Params` (PyTorch's default initialisation, from a seeded Rng)
 * and returns the layer as a function. Tensors are NHWC, as TensorFlow.js expects.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from '../engine/ops/batch-norm.js';
import { batchNormReluMaxPool } from '../engine/ops/batch-norm-relu-max-pool.js';
import { conv2dBias } from '../engine/ops/conv2d-bias.js';
import { fusedInferenceTail, type InferenceBatchNorm } from '../engine/ops/inference-tail.js';
import { maxPairs } from '../engine/ops/max-pairs.js';
import { relu as reluOp } from '../engine/ops/relu.js';
import { reluMaxPool } from '../engine/ops/relu-max-pool.js';
import { runningAverage } from '../engine/ops/running-average.js';
import { type Rng, uniformArray } from '../rng.js';

/** 'train': batch statistics, dropout on; 'eval': running statistics, dropout off. */
export type Mode = 'train' | 'eval';

export interface ForwardContext {
  mode: Mode;
  /** Draws dropout masks; only used in 'train' mode. */
  rng: Rng;
}

export type Layer = (x: tf.Tensor, ctx: ForwardContext) => tf.Tensor;

/** A model's variables: the trainable ones (optimised, L2-penalised) and BatchNorm's running state. */
export class Params {
  readonly trainable: tf.Variable[] = [];
  readonly state: tf.Variable[] = [];
  /**
   * Every variable, trainable and state, by a unique name in creation order: "fc1.weight",
   * "bn1.running_mean"; a second tower's repeat of a name gets "#2" ("fc1.weight#2"). Model
   * files store the weights under these names.
   */
  readonly byName = new Map<string, tf.Variable>();

  constructor(readonly rng: Rng) {}

  private add(name: string, v: tf.Variable): tf.Variable {
    let unique = name;
    for (let i = 2; this.byName.has(unique); i++) unique = `${name}#${i}`;
    this.byName.set(unique, v);
    return v;
  }

  trainableVariable(name: string, shape: number[], values: Float32Array): tf.Variable {
    // tidy frees the initial tensor (a variable keeps the data, not the tensor); variables survive it.
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
    this.trainable.push(v);
    return this.add(name, v);
  }

  stateVariable(name: string, shape: number[], fill: number): tf.Variable {
    const v = tf.tidy(() => tf.variable(tf.fill(shape, fill), false));
    this.state.push(v);
    return this.add(name, v);
  }

  /** Number of trainable scalars: what the seed's Table III counts. */
  count(): number {
    return this.trainable.reduce((n, v) => n + v.size, 0);
  }

  dispose(): void {
    for (const v of [...this.trainable, ...this.state]) v.dispose();
  }
}

/** Fully connected layer; weight and bias ~ U(±1/√fan_in), as torch.nn.Linear. */
export function linear(params: Params, name: string, inputs: number, outputs: number): Layer {
  const bound = 1 / Math.sqrt(inputs);
  const weight = params.trainableVariable(`${name}.weight`, [inputs, outputs], uniformArray(inputs * outputs, bound, params.rng));
  const bias = params.trainableVariable(`${name}.bias`, [outputs], uniformArray(outputs, bound, params.rng));
  return withBias((x) => tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D), bias);
}

/** 2-D convolution, stride 1, symmetric zero padding; init as torch.nn.Conv2d. */
export function conv2d(params: Params, name: string, inChannels: number, outChannels: number, kernel: number, pad: number): Layer {
  const fanIn = inChannels * kernel * kernel;
  const bound = 1 / Math.sqrt(fanIn);
  const shape = [kernel, kernel, inChannels, outChannels];
  const weight = params.trainableVariable(`${name}.weight`, shape, uniformArray(fanIn * outChannels, bound, params.rng));
  const bias = params.trainableVariable(`${name}.bias`, [outChannels], uniformArray(outChannels, bound, params.rng));
  const layer: Layer = (x) => conv2dBias(x as tf.Tensor4D, weight as tf.Tensor4D, bias as tf.Tensor1D, pad);
  return withBias((x) => tf.conv2d(x as tf.Tensor4D, weight as tf.Tensor4D, 1, pad), bias, layer);
}

/** The parts of a layer that ends in a bias, for `sequential` to fuse in evaluation. */
const biasedLayers = new WeakMap<Layer, { withoutBias: Layer; bias: tf.Variable }>();
/** Each batchNorm layer's parameters, for `sequential` to fuse (in evaluation and in training). */
const batchNormLayers = new WeakMap<Layer, BatchNormParts>();

interface BatchNormParts extends InferenceBatchNorm {
  scale: tf.Tensor1D;
  offset: tf.Tensor1D;
  /** Moves the running statistics towards a training batch's (mean, biased variance, over `count` values per channel). */
  track(mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void;
}

/**
 * `withoutBias` followed by + bias (or `fused`, an op computing the same), tagged so `sequential`
 * can fuse its tail in evaluation.
 */
function withBias(withoutBias: Layer, bias: tf.Variable, fused?: Layer): Layer {
  const layer: Layer = fused ?? ((x, ctx) => tf.add(withoutBias(x, ctx), bias));
  biasedLayers.set(layer, { withoutBias, bias });
  return layer;
}

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1; // PyTorch convention: running = (1 − m)·running + m·batch

/**
 * Batch normalisation over every axis but the last (BatchNorm1d on [N, F], BatchNorm2d on
 * NHWC). Training normalises with the batch's biased variance and updates the running
 * variance with the unbiased one, exactly as PyTorch does.
 */
export function batchNorm(params: Params, name: string, features: number): Layer {
  const gamma = params.trainableVariable(`${name}.weight`, [features], new Float32Array(features).fill(1));
  const beta = params.trainableVariable(`${name}.bias`, [features], new Float32Array(features));
  const runningMean = params.stateVariable(`${name}.running_mean`, [features], 0);
  const runningVar = params.stateVariable(`${name}.running_var`, [features], 1);
  const track = (mean: tf.Tensor1D, variance: tf.Tensor1D, n: number) => {
    runningMean.assign(runningAverage(runningMean as tf.Tensor1D, mean, 1 - BN_MOMENTUM, BN_MOMENTUM));
    runningVar.assign(runningAverage(runningVar as tf.Tensor1D, variance, 1 - BN_MOMENTUM, (BN_MOMENTUM * n) / (n - 1)));
  };
  const layer: Layer = (x, ctx) => {
    if (ctx.mode === 'eval') return tf.batchNorm(x, runningMean, runningVar, beta, gamma, BN_EPS);
    // One op with a closed-form gradient (tfjs's moments + batchNorm gradient is ~10× slower on wasm).
    const { y, mean, variance } = batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, BN_EPS);
    track(mean, variance, x.size / features);
    return y;
  };
  batchNormLayers.set(layer, {
    mean: runningMean,
    variance: runningVar,
    scale: gamma as tf.Tensor1D,
    offset: beta as tf.Tensor1D,
    varianceEpsilon: BN_EPS,
    track,
  });
  return layer;
}

/** ReLU; its gradient is one kernel (engine/ops/relu.ts), the same numbers as tf.relu's. */
export const relu: Layer = (x) => reluOp(x);

/** Each maxPool layer's kernel size, for `sequential` to fuse after a ReLU in evaluation. */
const poolLayers = new WeakMap<Layer, number>();

/** Max-pooling with stride = kernel and no padding (PyTorch's MaxPool2d(k), floor mode). */
export function maxPool(kernel: number): Layer {
  const layer: Layer = (x) => tf.maxPool(x as tf.Tensor4D, kernel, kernel, 'valid');
  poolLayers.set(layer, kernel);
  return layer;
}

/** MaxPool1d(2) over the features of [N, F]: the max of each adjacent pair, giving [N, F/2]. */
export const maxPoolFeatures: Layer = (x) => maxPairs(x);

/** Inverted dropout with a mask drawn from the context's seeded Rng (identity in 'eval'). */
export function dropout(rate: number): Layer {
  return (x, ctx) => {
    if (ctx.mode === 'eval') return x;
    const keep = new Float32Array(x.size);
    for (let i = 0; i < keep.length; i++) keep[i] = ctx.rng.next() < rate ? 0 : 1 / (1 - rate);
    return tf.mul(x, tf.tensor(keep, x.shape));
  };
}

/**
 * Applies layers in order. In evaluation every bias [→ batchNorm] [→ relu [→ maxPool]] run is one
 * step (fusedInferenceTail): the same numbers, one pass over the layer's output instead of up to four.
 * In training every batchNorm → relu → maxPool is one op (batchNormReluMaxPool) and every other
 * relu → maxPool one op (reluMaxPool): the same numbers and gradients, with fewer passes.
 */
export function sequential(...layers: Layer[]): Layer {
  const inference = fuseTails(layers);
  const training = fuseTrainingBlocks(layers);
  return (x, ctx) => (ctx.mode === 'eval' ? inference : training).reduce((h, layer) => layer(h, ctx), x);
}

/** The pool size of `layers[i]` if it is a maxPool layer. */
const poolAt = (layers: Layer[], i: number) => (layers[i] ? poolLayers.get(layers[i]!) : undefined);

function fuseTrainingBlocks(layers: Layer[]): Layer[] {
  const steps: Layer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const norm = batchNormLayers.get(layers[i]!);
    const normPool = norm && layers[i + 1] === relu ? poolAt(layers, i + 2) : undefined;
    if (norm && normPool !== undefined) {
      steps.push((x) => {
        const { y, mean, variance } = batchNormReluMaxPool(x as tf.Tensor4D, norm.scale, norm.offset, norm.varianceEpsilon, normPool);
        norm.track(mean, variance, x.size / norm.scale.size);
        return y;
      });
      i += 2;
      continue;
    }
    const pool = layers[i] === relu ? poolAt(layers, i + 1) : undefined;
    if (pool === undefined) {
      steps.push(layers[i]!);
      continue;
    }
    steps.push((x) => reluMaxPool(x as tf.Tensor4D, pool));
    i++;
  }
  return steps;
}

function fuseTails(layers: Layer[]): Layer[] {
  const steps: Layer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const biased = biasedLayers.get(layers[i]!);
    const norm = layers[i + 1] && batchNormLayers.get(layers[i + 1]!);
    const reluAt = i + (norm ? 1 : 0) + 1; // where a relu would be
    const withRelu = layers[reluAt] === relu;
    const pool = withRelu && layers[reluAt + 1] ? (poolLayers.get(layers[reluAt + 1]!) ?? 0) : 0;
    if (!biased || (!norm && !withRelu)) {
      steps.push(layers[i]!);
      continue;
    }
    steps.push((x, ctx) => fusedInferenceTail(biased.withoutBias(x, ctx), biased.bias, norm, withRelu, pool));
    i = pool ? reluAt + 1 : withRelu ? reluAt : reluAt - 1;
  }
  return steps;
}

/** Flattens all axes but the batch axis. */
export const flatten: Layer = (x) => tf.reshape(x, [x.shape[0], -1]);
