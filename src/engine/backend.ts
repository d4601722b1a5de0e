/**
 * Backend choice. The wasm backend is the default: its binary ships inside the npm package
 * (nothing is downloaded), and with our training kernels it trains every model here.
 * The pure-JS cpu backend is the reference our kernels are tested against.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle has no gradients, and its ESM sources cannot be imported by Node
// (extensionless paths), so `npm run build` bundles them here with esbuild. They register
// into tfjs's global registry, which every copy of tfjs-core shares.
import './tfjs-gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import type { BackendName } from './backends.js';
import { registerKernels } from './kernel-list.js';
import { saveTensorsWithoutKernels } from './saved-tensors.js';
import { skipUnreadOutputGradients } from './unread-outputs.js';

export { BACKENDS, type BackendName } from './backends.js';

/** Selects `name` as the TensorFlow.js backend, registering our kernels for it first. Safe to call again. */
export async function initBackend(name: BackendName): Promise<void> {
  registerKernels(name);
  saveTensorsWithoutKernels();
  skipUnreadOutputGradients();
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`could not initialise the TensorFlow.js '${name}' backend`);
  await tf.ready();
}
