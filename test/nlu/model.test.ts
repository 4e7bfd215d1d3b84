/** The saved model (src/bot/nlu/model.json) is what training the current data gives. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_PATH, modelFileText } from '../../scripts/build-nlu-model.js';
import { SAVED_MODEL, savedModelIsCurrent } from '../../src/bot/nlu/saved-model.js';
import {
  TRAINING_DATA,
  examplesOf,
  modelToJSON,
  trainModel,
  trainingFingerprint,
} from '../../src/bot/nlu/training.js';
import { LANGUAGES } from '../../src/bot/nlu/classifier.js';

const REBUILD = 'the saved NLU model is stale: run `npm run nlu:train` and commit model.json';

describe('the saved model', () => {
  it('was trained on the current training data and plan names', () => {
    expect(SAVED_MODEL.fingerprint, REBUILD).toBe(trainingFingerprint());
    expect(savedModelIsCurrent(), REBUILD).toBe(true);
  });

  it('is exactly what training gives now (same features, same weights, same file)', async () => {
    const trained = modelToJSON(trainModel());
    expect(JSON.parse(JSON.stringify(trained)), REBUILD).toEqual(SAVED_MODEL);
    expect(readFileSync(MODEL_PATH, 'utf8'), REBUILD).toBe(await modelFileText());
  });

  it('changes when the training data changes', () => {
    const changed = {
      ...TRAINING_DATA,
      en: { ...TRAINING_DATA.en, help: [...TRAINING_DATA.en.help, 'assist me'] },
    };
    expect(trainingFingerprint(changed)).not.toBe(trainingFingerprint());
  });

  it('classifies its own training examples as labelled', () => {
    const model = trainModel();
    for (const language of LANGUAGES) {
      const examples = examplesOf(TRAINING_DATA[language]);
      const wrong = examples.filter((e) => model[language].classify(e.text).intent !== e.intent);
      expect(
        wrong.length / examples.length,
        `${language}: ${wrong.map((e) => e.text).join(' | ')}`,
      ).toBeLessThan(0.02);
    }
  });
});
