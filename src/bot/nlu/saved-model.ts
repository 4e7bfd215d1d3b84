/**
 * The trained model, saved in `model.json` by `npm run nlu:train` (scripts/build-nlu-model.ts) so that the
 * bot starts without training (training the three languages takes about half a second; loading the saved
 * model a few milliseconds).
 * test/nlu/model.test.ts fails when the saved model is not what training the current data gives.
 */
import saved from './model.json' with { type: 'json' };
import {
  MODEL_FORMAT,
  modelFromJSON,
  trainingFingerprint,
  type NluModel,
  type NluModelJson,
} from './training.js';

export const SAVED_MODEL: NluModelJson = saved as NluModelJson;

/** Whether model.json was trained on the current training data, plan names and feature format. */
export function savedModelIsCurrent(): boolean {
  return SAVED_MODEL.format === MODEL_FORMAT && SAVED_MODEL.fingerprint === trainingFingerprint();
}

/** The saved model, or undefined when it is stale (then the caller trains one). */
export function loadSavedModel(): NluModel | undefined {
  return savedModelIsCurrent() ? modelFromJSON(SAVED_MODEL) : undefined;
}
