/** app.json: what the server (or a static copy) offers the page. Written in Node by src/site/, read by the page. */
export interface ModelEntry {
  /** Where its files are: `models/<key>/model.json` and `weights.bin`. */
  key: string;
  /** For the model picker: "cnn-aux round 1 of runs/2026-…". */
  label: string;
  model: string;
  testErrorPercent?: number;
  /** A model from a model file: its code, compiled for the browser (a module in the site), and the file's SHA-256. */
  code?: { path: string; sha256: string };
}

export interface AppManifest {
  digitPairs: { version: string; commit?: string };
  models: ModelEntry[];
  /** Models the tab can train, with their descriptions (the registry's). */
  trainable: { name: string; description: string; epochs: number; batchSize: number }[];
}

export const MANIFEST_FILE = 'app.json';
/**
 * The digits, one gzipped file per pool (src/data/digits.ts's form): the page fetches the test
 * digits at load, the training digits only when it trains.
 */
export const DIGITS_FILES = { test: 'digits-test.bin.gz', train: 'digits-train.bin.gz' } as const;
export const modelFile = (key: string, file: string) => `models/${key}/${file}`;

/** Where `digit-pairs app` serves by default (http://127.0.0.1:8117/). */
export const DEFAULT_APP_PORT = 8117;
