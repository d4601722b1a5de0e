/** A small tmpfs for tests of a full or read-only disk. */
import { execFileSync } from 'node:child_process';
import { tempDir } from './cli.js';

/** Runs `body` with a tmpfs of `size` mounted, or skips the test where this process may not mount (not root). */
export function withTmpfs(t: { skip(reason: string): void }, size: string, body: (dir: string) => void, options = ''): void {
  const dir = tempDir('tmpfs');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    body(dir);
  } finally {
    execFileSync('umount', [dir]);
  }
}
