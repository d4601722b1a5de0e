/** The page's side of an engine worker: typed calls that resolve with the worker's answer. */
import type { FromWorker, RequestKind, Requests, ToWorker, TrainProgress } from './protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (p: TrainProgress) => void;
}

export class Engine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Resolves once the worker's wasm engine runs (with whether it has SIMD); rejects if it cannot start. */
  readonly ready: Promise<{ simd: boolean; ours: boolean }>;

  constructor(scriptUrl: string) {
    this.worker = new Worker(scriptUrl, { type: 'module' });
    let started!: (v: { simd: boolean; ours: boolean }) => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.worker.onerror = (event) => failed(new Error(event.message || 'the engine worker failed to load'));
    this.worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
      if ('ready' in data) return started({ simd: data.simd, ours: data.ours });
      if ('fatal' in data) return failed(new Error(data.fatal));
      const pending = this.pending.get(data.id);
      if (!pending) return;
      if ('progress' in data) return pending.onProgress?.(data.progress);
      this.pending.delete(data.id);
      if (data.ok) pending.resolve(data.value);
      else pending.reject(new Error(data.error));
    };
  }

  call<K extends RequestKind>(
    kind: K,
    args: Requests[K]['args'],
    onProgress?: (p: TrainProgress) => void,
    transfer: Transferable[] = [],
  ): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      this.worker.postMessage({ id, kind, args } as ToWorker, transfer);
    });
  }
}
