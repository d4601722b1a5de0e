/** The backends a run can name (no TensorFlow.js import: the CLI checks flags before any engine loads). */
export const BACKENDS = ['wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
