/**
 * The directories of the scale benchmarks: the demo directory's customers (so that "can Contoso upgrade?" has
 * its usual answer at every size) followed by customers from the tests' generator (`generateCustomers`, seed
 * 42), `size` in all, written as a directory file (docs/directory-format.md) for `DIRECTORY_FILE`.
 */
import { writeFileSync } from 'node:fs';
import { loadDemoDirectory, type DirectoryData } from '../src/directory/load.js';
import { generateCustomers } from '../test/support/generate-customers.js';

const GENERATOR_SEED = 42;

export function scaleDirectory(size: number): DirectoryData & { readonly demoCount: number } {
  const demo = loadDemoDirectory();
  const generated = generateCustomers(Math.max(0, size - demo.customers.length), GENERATOR_SEED);
  return {
    partner: demo.partner,
    customers: [...demo.customers, ...generated].slice(0, size),
    demoCount: Math.min(size, demo.customers.length),
  };
}

export function writeDirectoryFile(path: string, data: DirectoryData): void {
  writeFileSync(path, JSON.stringify({ partner: data.partner, customers: data.customers }));
}
