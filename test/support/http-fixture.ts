/**
 * The HTTP tests' fixture: a local channel endpoint for the whole file, a bot started per test (its own data
 * directory) and closed after it, and the two ways a card action reaches it: a Teams invoke (Action.Execute)
 * and an Emulator Action.Submit with the replies in the response (expectReplies).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { AppOptions } from '../../src/index.js';
import { ChannelEndpoint, emulatorMessage, post, startBot, type RunningBot } from './server.js';

export interface HttpFixture {
  /** The channel endpoint's URL (Teams invokes also send a text summary there). */
  serviceUrl(): string;
  /** Starts this test's bot, with its own data directory; closed after the test. */
  start(env?: Record<string, string>, options?: AppOptions): Promise<RunningBot>;
  /** A Teams Action.Execute invoke in one Teams chat; the invoke response body. */
  invoke(
    b: RunningBot,
    verb: string,
    data: Record<string, unknown>,
    from?: string,
  ): Promise<{ statusCode: number; type: string; value: unknown }>;
  /** An Emulator message (an Action.Submit value, or a text) in one conversation; the replies. */
  submit(
    b: RunningBot,
    message: { readonly value?: unknown; readonly text?: string; readonly locale?: string },
  ): Promise<Partial<Activity>[]>;
}

/** Registers the file's hooks; call once at the top of an HTTP test file. */
export function httpFixture(dataPrefix: string): HttpFixture {
  const channel = new ChannelEndpoint();
  let serviceUrl = '';
  let bot: RunningBot | undefined;
  beforeAll(async () => {
    serviceUrl = await channel.start();
  });
  afterAll(() => channel.close());
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });
  return {
    serviceUrl: () => serviceUrl,
    start: async (env = {}, options = {}) => {
      bot = await startBot({ DATA_DIR: mkdtempSync(join(tmpdir(), dataPrefix)), ...env }, options);
      return bot;
    },
    invoke: async (b, verb, data, from = 'user-1') => {
      const res = await post(
        b.url,
        emulatorMessage('', serviceUrl, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          channelId: 'msteams',
          text: undefined,
          from: {
            id: from,
            name: from === 'user-1' ? 'Megan Bowen' : 'Alex Wilber',
            aadObjectId: `aad-${from}`,
          },
          conversation: { id: 'conv-teams', conversationType: 'personal' } as Activity['conversation'],
          value: { action: { type: 'Action.Execute', verb, data } },
        }),
      );
      expect(res.status).toBe(200);
      return (await res.json()) as { statusCode: number; type: string; value: unknown };
    },
    submit: async (b, { value, text, locale = 'en-US' }) => {
      const res = await post(
        b.url,
        emulatorMessage(text ?? '', serviceUrl, {
          locale,
          ...(value === undefined ? {} : { text: undefined, value }),
          deliveryMode: 'expectReplies',
          // One Emulator conversation: a token is confirmed where its card was issued.
          conversation: { id: 'conv-emulator' } as Activity['conversation'],
        }),
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { activities: Partial<Activity>[] }).activities;
    },
  };
}
