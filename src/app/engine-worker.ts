/**
 * A Web Worker holding TensorFlow.js on the wasm backend with our kernels: it loads model
 * files, answers comparisons and trains a round with the same code as `digit-pairs study`.
 * Its wasm binaries come from the page's own server; the digits to train on, from the page.
 */

import { type BackendWasm, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../config.js';
import type { DigitPools } from '../data/digits.js';
import { initBackend } from '../engine/backend.js';
import { simdKernels } from '../engine/simd/kernels.js';
import { defineModel } from '../models/define.js';
import * as kit from '../models/kit.js';
import type { ModelSpec } from '../models/model.js';
import { encodeRoundModel } from '../models/model-file.js';
import { registerModelFile } from '../models/registry.js';
import { TrainedModel } from '../models/trained-model.js';
import type { JobProgress } from '../train/records.js';
import { trainRound } from '../train/round.js';
import type { FromWorker, RequestKind, Requests, ToWorker } from './protocol.js';

const scope = self as unknown as { postMessage(message: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

/** Our files sit beside this script: the wasm binaries. */
const here = (name: string) => new URL(name, self.location.href).href;

const models = new Map<string, TrainedModel>();
let pools: DigitPools | undefined;

function modelOf(key: string): TrainedModel {
  const model = models.get(key);
  if (!model) throw new Error(`model ${key} is not loaded`);
  return model;
}

/** What a model file's `digit-pairs` and `@tensorflow/tfjs-core` imports resolve to in the browser (src/run/model-code.ts's browserModelCode). */
(globalThis as unknown as { digitPairsKit: typeof kit }).digitPairsKit = kit;

const handlers: { [K in RequestKind]: (args: Requests[K]['args'], id: number) => Promise<Requests[K]['result']> | Requests[K]['result'] } = {
  async code({ url, sha256 }) {
    const module = (await import(url)) as { default?: ModelSpec & { name: string } };
    const spec = defineModel(module.default as ModelSpec & { name: string });
    registerModelFile(spec, { path: url, sha256 });
    return { model: spec.name };
  },
  load({ key, json, weights }) {
    models.get(key)?.dispose();
    const model = TrainedModel.fromFiles(json, new Uint8Array(weights), `${key}/model.json`);
    models.set(key, model);
    return { model: model.meta.model };
  },
  compare: ({ key, first, second }) => modelOf(key).compare(first, second),
  probabilities: ({ key, pairs }) => modelOf(key).probabilities(pairs),
  digits(digits) {
    pools = digits;
    return null;
  },
  train(request, id) {
    if (!pools) throw new Error('no digits to train on: the page sends them first');
    const config = parseConfig({
      models: [request.model],
      rounds: 1,
      seed: request.seed,
      pairs: request.pairs,
      epochs: request.epochs,
      evalEveryEpoch: request.evalEveryEpoch,
    });
    const started = performance.now();
    const epochEndMs: number[] = [];
    const onEpoch = (progress: JobProgress) => {
      const ms = performance.now() - started;
      epochEndMs.push(ms);
      post({ id, progress: { ...progress, ms } });
    };
    const { record, model } = trainRound({ model: request.model, round: 0 }, config, pools, { onEpoch, keepModel: true });
    if (!model) throw new Error('training kept no model');
    const { json, bin } = encodeRoundModel(model, { digitPairs: { version: APP_VERSION }, run: 'trained in a browser tab' });
    const weights = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
    return { record, json, weights, epochEndMs };
  },
};

declare const APP_VERSION: string; // set by the app's build (scripts/build-app.mjs)

const ready = (async () => {
  setWasmPaths(here('./'));
  await initBackend('wasm');
  const ours = simdKernels(tf.backend() as BackendWasm) !== null; // our SIMD kernels bound to the backend's heap
  post({ ready: true, simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')), ours });
})().catch((error) => post({ fatal: `the wasm engine did not start: ${(error as Error).message}` }));

scope.onmessage = async ({ data }) => {
  await ready;
  try {
    const value = await (handlers[data.kind] as (args: unknown, id: number) => unknown)(data.args, data.id);
    const transfer =
      value instanceof Float32Array
        ? [value.buffer]
        : value && typeof value === 'object' && 'weights' in value
          ? [(value as { weights: ArrayBuffer }).weights]
          : [];
    post({ id: data.id, ok: true, value }, transfer as Transferable[]);
  } catch (error) {
    post({ id: data.id, ok: false, error: (error as Error).message });
  }
};
