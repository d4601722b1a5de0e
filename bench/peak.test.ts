import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tileModule } from './peak.js';

describe('peak: the register-tile loop', () => {
  it('computes what it claims: 8 accumulators of x·w summed, per lane', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    f32.fill(0.5, 0, 16); // 4 input vectors at p = 0 (the first iteration)
    f32.fill(0.25, 512, 520); // 2 weight vectors at byte 2048
    const run = (new WebAssembly.Instance(new WebAssembly.Module(tileModule(false)), { env: { memory } }).exports as { run(n: number): void }).run;
    run(1);
    assert.deepEqual(Array.from(f32.subarray(1024, 1028)), [1, 1, 1, 1]); // 8 · 0.5 · 0.25, stored at byte 4096
  });
});
