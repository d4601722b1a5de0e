/** `digit-pairs app --out DIR`: the site as a static folder, for any static file server. */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { ensureWritableDir } from '../run/folder.js';
import type { Site } from './site.js';

/** Writes every file of `site` under `dir` (new or empty, so nothing of the user's is overwritten); returns the file count. */
export function writeSite(site: Site, dir: string): number {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UserError(`--out ${dir}: is a file, not a folder; give a new or empty folder`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UserError(`--out ${dir}: the folder is not empty; give a new or empty folder`);
  ensureWritableDir(dir, '--out');
  for (const [path, file] of site) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.read());
  }
  return site.size;
}
