/**
 * Resets the bot's data: removes the database in DATA_DIR (customers as upgraded, the ledger, bot state).
 * The next start seeds it again from the directory file (the demo directory by default).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { DATABASE_FILE } from '../src/storage/database.js';

const config = loadConfig();
for (const suffix of ['', '-wal', '-shm'])
  rmSync(join(config.DATA_DIR, `${DATABASE_FILE}${suffix}`), { force: true });
console.log(
  `Removed ${join(config.DATA_DIR, DATABASE_FILE)}: the next start seeds it again from the directory file.`,
);
