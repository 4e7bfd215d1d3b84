/** What the browser tests do at each step of a chat page: check the cards, take the screenshots. */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';

export interface BrowserSteps {
  /** No `${…}` of a card template left anywhere on the page. */
  noTemplateLeft(): Promise<void>;
  /** A screenshot of the step: the whole window, with the card in view (its top, when it is taller). */
  shot(name: string, focus: Locator): Promise<void>;
  /** A screenshot of the page if the current test fails. */
  failureShot(name: string): void;
}

/** The steps on the page `page()` gives (set once the browser is up), saving screenshots in `artifacts`. */
export function browserSteps(page: () => Page | undefined, artifacts: string): BrowserSteps {
  const current = (): Page => {
    const open = page();
    if (open === undefined) throw new Error('no page open');
    return open;
  };
  return {
    noTemplateLeft: async () => {
      const all = (await current().locator('.ac-adaptiveCard').allInnerTexts()).join('\n');
      expect(all).not.toMatch(/\$\{[^}]*\}/);
    },
    shot: async (name, focus) => {
      const box = await focus.boundingBox();
      const viewport = current().viewportSize();
      if (box !== null && viewport !== null && box.height > viewport.height - 250) {
        await focus.evaluate((e) =>
          (e as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'start' }),
        );
      } else {
        await focus.scrollIntoViewIfNeeded();
      }
      await current().screenshot({ path: join(artifacts, `${name}.png`), animations: 'disabled' });
    },
    failureShot: (name) => {
      onTestFailed(async () => {
        await page()
          ?.screenshot({ path: join(artifacts, `${name}.png`) })
          .catch(() => undefined);
      });
    },
  };
}
