/** A small tmpfs for tests of a full or read-only disk. */
import { execFileSync } from 'node:child_process';
import { tempDir } from './cli.js';

/** Runs `body` with a tmpfs of `size` mounted, or skips the test where this process may not mount (not root; under CI, fails). */
export function withTmpfs(t: { skip(reason: string): void }, size: string, body: (dir: string) => void, options = ''): void {
  const dir = tempDir('tmpfs');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    // CI runs as root (it installs packages): there a mount that fails is a failure, not a skip.
    if (process.env.CI) throw new Error(`cannot mount a ${size} tmpfs at ${dir}, and CI must run the full-disk tests (run as root)`);
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    body(dir);
  } finally {
    execFileSync('umount', [dir]);
  }
}
