/**
 * `npm run nlu:train`: trains the intent classifiers on src/bot/nlu/training/*.json and writes
 * src/bot/nlu/model.json (formatted as the repository's Prettier settings want it). Run after changing the
 * training data, the plan names or the features, and commit model.json.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { modelToJSON, trainModel } from '../src/bot/nlu/training.js';
import { PROJECT_ROOT } from '../src/paths.js';

export const MODEL_PATH = join(PROJECT_ROOT, 'src', 'bot', 'nlu', 'model.json');

/** The text model.json must hold for the current training data. */
export async function modelFileText(): Promise<string> {
  const json = JSON.stringify(modelToJSON(trainModel()));
  const options = (await resolveConfig(MODEL_PATH)) ?? {};
  return format(json, { ...options, filepath: MODEL_PATH });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  writeFileSync(MODEL_PATH, await modelFileText());
  console.log(
    `wrote ${relative(process.cwd(), MODEL_PATH)} in ${Math.round(performance.now() - started)} ms`,
  );
}
