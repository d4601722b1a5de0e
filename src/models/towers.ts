/**
 * The two digit towers of the seed's Tables I and II, shared by the plain and the aux models:
 * the plain model runs a tower once on both channels, the aux model runs one tower on each
 * digit (weight sharing).
 */
import { batchNorm, conv2d, dropout, flatten, type Layer, linear, maxPool, maxPoolFeatures, type Params, relu, sequential } from './layers.js';

/**
 * Table I, layers 1–3: inputs → 160 → 100 → 10, with BatchNorm, feature max-pool and dropout.
 * `finalReLU` false leaves the last ReLU to the caller (the aux models, which read both sides of it).
 */
export function mlpTower(params: Params, inputs: number, finalReLU = true): Layer {
  return sequential(
    linear(params, 'fc1', inputs, 160),
    batchNorm(params, 'bn1', 160),
    relu,
    maxPoolFeatures,
    dropout(0.5),
    linear(params, 'fc2', 80, 100),
    batchNorm(params, 'bn2', 100),
    relu,
    maxPoolFeatures,
    dropout(0.5),
    linear(params, 'fc3', 50, 10),
    ...(finalReLU ? [relu] : []),
  );
}

/** Table II, layers 1–6 on NHWC 14×14 input: four conv blocks (14→4→4→4→3) then 144 → 100 → 10; `finalReLU` as mlpTower. */
export function cnnTower(params: Params, inChannels: number, finalReLU = true): Layer {
  return sequential(
    conv2d(params, 'conv1', inChannels, 32, 5, 2),
    batchNorm(params, 'bn1', 32),
    relu,
    maxPool(3),
    conv2d(params, 'conv2', 32, 64, 3, 3),
    batchNorm(params, 'bn2', 64),
    relu,
    maxPool(2),
    conv2d(params, 'conv3', 64, 32, 3, 3),
    batchNorm(params, 'bn3', 32),
    relu,
    maxPool(2),
    conv2d(params, 'conv4', 32, 16, 5, 3),
    batchNorm(params, 'bn4', 16),
    relu,
    maxPool(2),
    flatten,
    linear(params, 'fc1', 144, 100),
    relu,
    linear(params, 'fc2', 100, 10),
    ...(finalReLU ? [relu] : []),
  );
}
