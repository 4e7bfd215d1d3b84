/** Where the project's own files are, from src/ (tsx, vitest) and from dist/src/ (built) alike. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`No package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const CARDS_DIR = join(PROJECT_ROOT, 'cards');
export const LOCALES_DIR = join(PROJECT_ROOT, 'locales');
