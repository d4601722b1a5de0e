/**
 * What a bench ran on, for its log: the CPU's model and the vector extensions native code (the
 * PyTorch reference, XNNPACK's native builds) can use and our wasm SIMD cannot (it is 128-bit
 * everywhere). A per-core ratio against PyTorch depends on them: its convolutions use AVX-512 where
 * the CPU has it, four times our vector width.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';

const VECTOR_FLAGS = ['avx2', 'fma', 'avx512f'] as const;

export interface Machine {
  cpu: string;
  cores: number;
  /** Of VECTOR_FLAGS, those this CPU has (Linux: /proc/cpuinfo); null where that cannot be read. */
  vectorFlags: string[] | null;
  loadAtStart: number;
}

/** The flags of /proc/cpuinfo's first `flags` line that are among VECTOR_FLAGS. */
export function vectorFlagsOf(cpuinfo: string): string[] {
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? []);
  return VECTOR_FLAGS.filter((f) => flags.has(f));
}

export function thisMachine(): Machine {
  let vectorFlags: string[] | null = null;
  try {
    vectorFlags = vectorFlagsOf(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {}
  return { cpu: cpus()[0]?.model.trim() ?? 'unknown CPU', cores: availableParallelism(), vectorFlags, loadAtStart: loadavg()[0]! };
}

export function machineLine(m: Machine): string {
  const flags = m.vectorFlags === null ? '' : ` (${m.vectorFlags.length ? m.vectorFlags.join(', ') : 'no AVX2'})`;
  const busy = m.loadAtStart > 0.5 ? ' (busy: timings are noisy)' : '';
  return `machine: ${m.cpu}${flags}, ${m.cores} cores, load average ${m.loadAtStart.toFixed(2)} at start${busy}`;
}

/** The speed checks in one line, with their spread (largest ÷ smallest − 1). */
export function speedCheckLine(checks: { before: string; peak: number }[]): string {
  const peaks = checks.map((c) => c.peak);
  const spread = Math.max(...peaks) / Math.min(...peaks) - 1;
  const list = checks.map((c) => `${c.before === 'the end' ? 'at the end' : `before ${c.before}`} ${c.peak.toFixed(1)}`).join(' · ');
  return `machine speed (wasm SIMD peak, GFLOP/s, one thread): ${list}; spread ${(100 * spread).toFixed(0)} %`;
}
