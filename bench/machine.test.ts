import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineLine, speedCheckLine, vectorFlagsOf } from './machine.js';

describe('machine', () => {
  it('names the vector extensions of /proc/cpuinfo that matter against native code', () => {
    const cpuinfo = 'processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq\n\nprocessor\t: 1\nflags\t\t: fpu\n';
    assert.deepEqual(vectorFlagsOf(cpuinfo), ['avx2', 'fma', 'avx512f']);
    assert.deepEqual(vectorFlagsOf('flags\t: fpu sse2 avx2 fma\n'), ['avx2', 'fma']);
    assert.deepEqual(vectorFlagsOf('no flags line'), []);
  });
  it('says the load and whether it makes timings noisy', () => {
    const line = machineLine({ cpu: 'AMD EPYC', cores: 2, vectorFlags: ['avx2', 'fma'], loadAtStart: 1.2 });
    assert.equal(line, 'machine: AMD EPYC (avx2, fma), 2 cores, load average 1.20 at start (busy: timings are noisy)');
  });
});

describe('speedCheckLine', () => {
  it('lists each check and the spread between the fastest and the slowest', () => {
    const line = speedCheckLine([
      { before: 'ours exact', peak: 50 },
      { before: 'PyTorch 2×1', peak: 40 },
      { before: 'the end', peak: 48 },
    ]);
    assert.equal(line, 'machine speed (wasm SIMD peak, GFLOP/s, one thread): before ours exact 50.0 · before PyTorch 2×1 40.0 · at the end 48.0; spread 25 %');
  });
});
