/**
 * Trains the intent classifiers on training/*.json and writes model.json (formatted as the repository's
 * Prettier settings want it). Run after changing the training data, the plan names or the features:
 *
 *     npx tsx src/bot/nlu/build-model.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelToJSON, trainModel } from './training.js';

export const MODEL_PATH = fileURLToPath(new URL('./model.json', import.meta.url));

/** The text model.json must hold for the current training data. */
export async function modelFileText(): Promise<string> {
  const json = JSON.stringify(modelToJSON(trainModel()));
  // Prettier is a development tool: loaded only when the model is built.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(MODEL_PATH)) ?? {};
  return prettier.format(json, { ...options, filepath: MODEL_PATH });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  writeFileSync(MODEL_PATH, await modelFileText());
  console.log(`wrote ${MODEL_PATH} in ${Math.round(performance.now() - started)} ms`);
}
