/**
 * Equivalence dump for the `cnn` model: on one backend, the initial parameters, the first K
 * mini-batches (trainEpoch's order), the loss after every step, the step-1 gradients, the
 * layer-by-layer activations of batch 1 at the initial weights, and the parameters and
 * BatchNorm running statistics after K steps. bench/equivalence/check.py replays it in PyTorch.
 *
 *   node dist/bench/equivalence/dump.js --backend cpu|wasm [--seed 0] [--steps 30] [--out FILE] [--no-verify]
 *   (--no-verify skips re-running the real trainEpoch to confirm the replicated loop; DUMP_PROGRESS=1 prints steps)
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadPools } from '../../src/data/mnist.js';
import { makeRoundData, type PairSet } from '../../src/data/pairs.js';
import { type BackendName, initBackend } from '../../src/engine/backend.js';
import { batchNorm, conv2d, type ForwardContext, flatten, type Layer, linear, maxPool, Params, relu } from '../../src/models/layers.js';
import { comparisonProbabilities } from '../../src/models/probabilities.js';
import { MODELS } from '../../src/models/registry.js';
import { makeRng, permutation } from '../../src/rng.js';
import { takeBatch } from '../../src/train/batch.js';
import { trainEpoch } from '../../src/train/fit.js';
import { totalLoss } from '../../src/train/loss.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const backend = arg('backend', 'cpu') as BackendName;
const seed = Number(arg('seed', '0'));
const K = Number(arg('steps', '30'));
const out = arg('out', `bench/equivalence/dump-${backend}-s${seed}.json`);
const batchSize = 100;
const hyper = MODELS.cnn.hyper;

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const norm = (t: tf.Tensor) => tf.tidy(() => tf.sqrt(tf.sum(tf.square(t))).dataSync()[0]!);

await initBackend(backend);
const data = makeRoundData(loadPools(null), 1000, seed);
const train: PairSet = data.train;

// ---- batch order exactly as trainEpoch draws it: one permutation per epoch from trainRng.
const orderRng = makeRng(seed, 'train:cnn');
const batches: number[][] = [];
for (let _epoch = 0; batches.length < K; _epoch++) {
  const order = permutation(train.count, orderRng);
  for (let s = 0; s < train.count && batches.length < K; s += batchSize) batches.push(Array.from(order.subarray(s, s + batchSize)));
}

// ---- run A: trainEpoch's step replicated, to capture the step-1 gradients.
const params = new Params(makeRng(seed, 'init:cnn'));
const forward = MODELS.cnn.build(params);
const names = [...params.byName.entries()].filter(([, v]) => v.trainable).map(([n]) => n);
const initial = params.trainable.map(values);
const initialState = params.state.map(values);
const optimizer = tf.train.adam(hyper.learningRate, 0.9, 0.999, 1e-8);
const trainRng = makeRng(seed, 'train:cnn');
const ctx: ForwardContext = { mode: 'train', rng: trainRng };
const losses: number[] = [];
const grads1: Record<string, number[]> = {};
const gradNorms1: Record<string, number> = {};
let logits1: number[] = [];
// Teacher-forced checkpoints: at these steps (1-based), the params and Adam moments before the
// step, its gradients, and the params after it, so check.py can replay that one step alone.
const CHECKPOINTS = [10, 20, K].filter((s, i, a) => s <= K && s > 1 && a.indexOf(s) === i);
const checkpoints: Record<string, unknown>[] = [];
type Moment = { originalName: string; variable: tf.Variable };
const moments = (which: 'accumulatedFirstMoment' | 'accumulatedSecondMoment') => {
  const list = (optimizer as unknown as Record<string, Moment[]>)[which]!;
  const suffix = which === 'accumulatedFirstMoment' ? '/m' : '/v';
  return params.trainable.map((v) => values(list.find((m) => m.originalName === `${v.name}${suffix}`)!.variable));
};
for (let step = 0; step < K; step++) {
  if (step % (train.count / batchSize) === 0) permutation(train.count, trainRng); // keep the stream as trainEpoch does
  const indices = Int32Array.from(batches[step]!);
  const cp: Record<string, unknown> | undefined = CHECKPOINTS.includes(step + 1)
    ? { step: step + 1, before: params.trainable.map(values), m: moments('accumulatedFirstMoment'), v: moments('accumulatedSecondMoment') }
    : undefined;
  losses.push(
    tf.tidy(() => {
      const batch = takeBatch(train, indices);
      const { value, grads } = tf.variableGrads(() => {
        const o = forward(batch.pairs, ctx);
        if (step === 0) logits1 = values(o.comparison);
        return totalLoss(o, batch, params.trainable, hyper); // (older signature took hyper.l2)
      }, params.trainable);
      if (step === 0) {
        params.trainable.forEach((v, i) => {
          const g = grads[v.name]!;
          grads1[names[i]!] = values(g);
          gradNorms1[names[i]!] = norm(g);
        });
      }
      if (cp) cp.grads = params.trainable.map((v) => values(grads[v.name]!));
      (optimizer as tf.Optimizer).applyGradients(grads);
      return value.dataSync()[0]!;
    }),
  );
  if (process.env.DUMP_PROGRESS) process.stderr.write(`step ${step + 1}/${K} loss ${losses[step]}\n`);
  if (cp) {
    cp.loss = losses[step];
    cp.after = params.trainable.map(values);
    checkpoints.push(cp);
  }
}
const final = params.trainable.map(values);
const finalState = params.state.map(values);
// Inference mode (running statistics) after K steps: P(first <= second) on the training pairs.
const evalProbabilities = Array.from(comparisonProbabilities(forward, train, makeRng(seed, 'eval')));

// ---- run B: the real trainEpoch on fresh identical params, to confirm the replication.
const verify = !process.argv.includes('--no-verify'); // run B doubles the time (slow on cpu)
const paramsB = new Params(makeRng(seed, 'init:cnn'));
const forwardB = MODELS.cnn.build(paramsB);
const optB = tf.train.adam(hyper.learningRate, 0.9, 0.999, 1e-8);
const rngB = makeRng(seed, 'train:cnn');
const lossesB: number[] = [];
while (verify && lossesB.length < K) lossesB.push(...trainEpoch({ forward: forwardB, params: paramsB, optimizer: optB, batchSize, hyper }, train, rngB));
if (verify) lossesB.length = K;
const finalB = paramsB.trainable.map(values);
let maxAbsAB = verify ? 0 : NaN;
if (verify)
  final.forEach((f, i) => {
    f.forEach((v, j) => {
      maxAbsAB = Math.max(maxAbsAB, Math.abs(v - finalB[i]![j]!));
    });
  });

// ---- layer-by-layer activations of batch 1 at the initial weights (same init stream, same creation order).
const probe = new Params(makeRng(seed, 'init:cnn'));
const named: [string, Layer][] = [
  ['conv1', conv2d(probe, 'conv1', 2, 32, 5, 2)],
  ['bn1', batchNorm(probe, 'bn1', 32)],
  ['relu1', relu],
  ['pool1', maxPool(3)],
  ['conv2', conv2d(probe, 'conv2', 32, 64, 3, 3)],
  ['bn2', batchNorm(probe, 'bn2', 64)],
  ['relu2', relu],
  ['pool2', maxPool(2)],
  ['conv3', conv2d(probe, 'conv3', 64, 32, 3, 3)],
  ['bn3', batchNorm(probe, 'bn3', 32)],
  ['relu3', relu],
  ['pool3', maxPool(2)],
  ['conv4', conv2d(probe, 'conv4', 32, 16, 5, 3)],
  ['bn4', batchNorm(probe, 'bn4', 16)],
  ['relu4', relu],
  ['pool4', maxPool(2)],
  ['flatten', flatten],
  ['fc1', linear(probe, 'fc1', 144, 100)],
  ['relu5', relu],
  ['fc2', linear(probe, 'fc2', 100, 10)],
  ['relu6', relu],
  ['fc3', linear(probe, 'fc3', 10, 2)],
];
const probeInit = probe.trainable.map(values);
const sameInit = probeInit.every((p, i) => p.every((v, j) => v === initial[i]![j]));
const activations: Record<string, { shape: number[]; values: number[] }> = {};
tf.tidy(() => {
  let h: tf.Tensor = tf.transpose(takeBatch(train, Int32Array.from(batches[0]!)).pairs, [0, 2, 3, 1]); // NHWC
  const pctx: ForwardContext = { mode: 'train', rng: makeRng(seed, 'probe') };
  for (const [name, layer] of named) {
    h = layer(h, pctx);
    activations[name] = { shape: h.shape, values: values(h) };
  }
});

// Guard: the loss must contain λ·Σw² (a signature change in totalLoss once silently dropped it).
const sumSq0 = initial.reduce((a, p) => a + p.reduce((b, v) => b + v * v, 0), 0);
if (!(losses[0]! > hyper.l2 * sumSq0)) throw new Error(`loss ${losses[0]} lacks the L2 term ${hyper.l2 * sumSq0}`);
let gitHead = 'unknown';
try {
  gitHead = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
} catch {
  /* not a checkout */
}
const report = {
  gitHead,
  backend,
  seed,
  steps: K,
  batchSize,
  hyper,
  tfjs: tf.version_core,
  names,
  shapes: params.trainable.map((v) => v.shape),
  initial,
  initialState,
  final,
  finalState,
  evalProbabilities,
  checkpoints,
  batches,
  losses,
  lossesTrainEpoch: lossesB,
  maxAbsDiffReplicaVsTrainEpoch: maxAbsAB,
  grads1,
  gradNorms1,
  logits1,
  probeSameInit: sameInit,
  activations,
  train: { input: Array.from(train.input), target: Array.from(train.target) },
};
writeFileSync(out, JSON.stringify(report));
console.log(
  `${backend}: wrote ${out}; loss[0]=${losses[0]} loss[${K - 1}]=${losses[K - 1]}; ` +
    `replica vs trainEpoch: losses equal=${losses.every((l, i) => l === lossesB[i])}, max |Δparam|=${maxAbsAB}; probe init equal=${sameInit}`,
);
