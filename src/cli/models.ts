/** `digit-pairs models`: every model with its one-line description, parameters and default recipe. */

import { defaultRecipe } from '../config.js';
import { initBackend } from '../engine/backend.js';
import { UserError } from '../errors.js';
import { Params } from '../models/layers.js';
import { MODEL_NAMES, MODELS } from '../models/registry.js';
import { makeRng } from '../rng.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs models — the models, their parameters and default recipes (the seed's learning rate and λ for its four)`;

/** Trainable parameters of a freshly built model. */
function parameterCount(name: (typeof MODEL_NAMES)[number]): number {
  const params = new Params(makeRng(0, 'count'));
  try {
    MODELS[name].build(params, MODELS[name].hyper);
    return params.count();
  } finally {
    params.dispose();
  }
}

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommand('models', args);
  if (positionals.length) throw new UserError(`models: unexpected argument '${positionals[0]}' (it takes none)`);
  await initBackend('wasm'); // building layers needs a backend (cpu's would print tfjs's banner)
  for (const name of MODEL_NAMES) {
    const { description } = MODELS[name];
    const { learningRate, l2, epochs, batchSize, ...rest } = defaultRecipe(name);
    const extra = Object.entries(rest).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    console.log(`${name.padEnd(22)} ${parameterCount(name).toLocaleString('en-US').padStart(8)} params  ${description}`);
    console.log(`${''.padEnd(22)} recipe: lr ${learningRate}, λ ${l2}, ${epochs} epochs, batch ${batchSize}${extra.length ? `, ${extra.join(', ')}` : ''}`);
  }
  return 0;
}
