/** `digit-pairs predict MODEL_DIR first.png second.png`: what a saved model makes of two pictures of digits. */
import { readFileSync } from 'node:fs';
import { loadModel, type PairPrediction } from '../api/model.js';
import { digitFromPng } from '../data/png.js';
import { UserError } from '../errors.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs predict MODEL_DIR first.png second.png [--json] — is the first digit ≤ the second?
MODEL_DIR is a model folder (RUN/models/<model>-round<r>/ from study --save-models, or digit-pairs export);
a model trained from a model file also needs that file: --model-file FILE.
Pictures of any size, light-on-dark or dark-on-light, are prepared as MNIST's digits were (bounding
box → 20×20 → centred by centre of mass in 28×28 → 2×2 average → the model's standardisation).`;

/** A PNG file as a 28×28 MNIST-style digit, or one line saying why not. */
export function readDigitPng(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return digitFromPng(bytes);
  } catch (error) {
    throw new UserError(`${path}: ${(error as Error).message}`);
  }
}

const top = (p: number[] | undefined) =>
  p
    ? p
        .map((v, d) => [d, v] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([d, v]) => `${d} (${(100 * v).toFixed(1)}%)`)
        .join(', ')
    : undefined;

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('predict', args);
  if (positionals.length !== 3)
    throw new UserError('predict: give a model folder and two PNG files, e.g. digit-pairs predict runs/<run>/models/cnn-aux-round1 a.png b.png');
  const [dir, firstPath, secondPath] = positionals;
  const [first, second] = [readDigitPng(firstPath), readDigitPng(secondPath)];
  const model = await loadModel(dir, { modelFile: run.modelFile });
  const prediction: PairPrediction = model.compare(first, second);
  model.dispose();
  if (run.json) {
    console.log(JSON.stringify({ model: model.meta.model, firstLessOrEqual: prediction.probability > 0.5, ...prediction }));
    return 0;
  }
  if (prediction.first) console.log(`first digit read as:  ${top(prediction.first)}\nsecond digit read as: ${top(prediction.second)}`);
  console.log(
    `P(first ≤ second) = ${prediction.probability.toFixed(4)}  → ${prediction.probability > 0.5 ? 'first ≤ second' : 'first > second'}  (${model.meta.model})`,
  );
  return 0;
}
