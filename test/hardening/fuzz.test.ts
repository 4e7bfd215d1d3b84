/**
 * Property-based fuzzing of the running server (fast-check, fixed seed, shrinking on failure): 2,048 generated
 * requests in batches of 8 concurrent ones: activities of every type with random and wrong-typed fields,
 * locales and huge strings, Teams Universal Actions and Action.Submit card payloads (real and forged ids,
 * seats, tokens), unknown invokes, raw bodies (malformed, oversize, deeply nested, any JSON). Mixed in: a few
 * valid confirms of real tokens.
 *
 * Properties: no 5xx and an answer within the time limit for every request; afterwards the server answers
 * /healthz and a real question, every change to the directory is an upgrade of a token a valid confirm was
 * sent for (and agrees with the ledger), nothing tried to leave the loopback interface.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { evaluateSubscription, OFFER_IDS, type Customer } from '../../src/rules/index.js';
import { openStore } from '../../src/storage/store.js';
import { actions } from '../support/cards.js';
import { post, startBot, type RunningBot } from '../support/server.js';
import {
  agreement,
  audited,
  blockedConnections,
  guardLoopback,
  memoryLogger,
  ScriptedChannel,
  teamsActivity,
  teamsInvoke,
} from './support.js';

const SEED = 20_250_611;
const BATCH = 8;
const RUNS = 256; // 2,048 requests
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * The fuzz is bounded by its count, RUNS batches, not by the clock: a slow machine makes it longer, never
 * failed. Its only time limits are each request's (part of the property); at worst every batch waits its
 * requests' limit out.
 */
const WORST_CASE_MS = RUNS * REQUEST_TIMEOUT_MS;

const channel = new ScriptedChannel();
const log = memoryLogger('error');
let serviceUrl = '';
let bot: RunningBot;
const demo = loadDemoDirectory();
let baseline: Customer[] = [];
/** Confirm tokens of real, eligible upgrades (one per customer that has one). */
const validTokens: string[] = [];
/** The valid tokens a confirm was actually sent for during the fuzz. */
const confirmedDuringFuzz = new Set<string>();
const statuses = new Map<number, number>();
let sent = 0;
let fiveXX = 0;
/** Why requests got 400, by the first field named. */
const rejections = new Map<string, number>();

beforeAll(async () => {
  guardLoopback();
  serviceUrl = await channel.start();
  bot = await startBot(
    // No rate limit: the valid confirms all come from the requester (with no approver configured, only the
    // requester may confirm, in the conversation where the card was shown).
    { DATA_DIR: mkdtempSync(join(tmpdir(), 'ua-fuzz-')), RATE_LIMIT_MESSAGES: '0' },
    {
      logger: log.logger,
      processMetrics: false,
      outboundRetry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 },
    },
  );
  baseline = await Promise.all(demo.customers.map(async (c) => (await bot.app.customers.get(c.id))!));
  for (const customer of baseline) {
    const subscription = customer.subscriptions.find((s) => evaluateSubscription(customer, s).upgradable);
    if (subscription === undefined) continue;
    const target = evaluateSubscription(customer, subscription).eligibleTargets[0]!;
    const res = await post(
      bot.url,
      teamsInvoke(serviceUrl, 'review', {
        customerId: customer.id,
        subscriptionId: subscription.id,
        target,
        seats: String(subscription.quantity),
      }),
    );
    const confirm = actions((await res.json()) as unknown).find((a) => a.verb === 'confirm');
    validTokens.push((confirm!.data as { token: string }).token);
  }
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const customerIds = demo.customers.map((c) => c.id);
const subscriptionIds = demo.customers.flatMap((c) => c.subscriptions.map((s) => s.id));

/** Strings of every kind: empty, unicode (lone surrogates included), injection-looking, huge. */
const anyString = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      "'; DROP TABLE upgrade_ledger; --",
      '${jndi:ldap://x}',
      '<at>Upgrade Assistant</at>',
      '__proto__',
      'constructor',
      '\u0000',
      '\u202e',
      '💥'.repeat(50),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 1_000, max: 40_000 }))
      .map(([s, n]) => s.repeat(n)),
  },
);
/** Values of the wrong type for any field. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
/** Mostly realistic values, sometimes anything. */
const mostly = <T>(realistic: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary: realistic }, { weight: 1, arbitrary: anyString });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const sometimesWrong = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 24, arbitrary: arb }, { weight: 1, arbitrary: wrongType });

const texts = fc.oneof(
  fc.constantFrom(
    'can Contoso upgrade?',
    'can Contoso upgrade to E5?',
    "why can't Fabrikam move to Enterprise E3?",
    'upgrade Contoso to E3',
    'what can Business Essentials upgrade to?',
    'which customers can upgrade to E5?',
    'what upgrades have we done for Contoso?',
    'help',
    'ContosoはE5にアップグレードできますか？',
    'Quels clients peuvent passer à E5 ?',
    'fabrikan',
  ),
  anyString,
);
const locales = mostly(
  fc.constantFrom('en-US', 'fr-FR', 'ja-JP', 'fr', 'ja', 'de-DE', 'zh-Hans', 'EN', 'x-klingon', ''),
);
const users = mostly(fc.integer({ min: 0, max: 200 }).map((n) => `fuzz-user-${n}`));
const channels = mostly(fc.constantFrom('msteams', 'emulator', 'webchat', 'directline', 'test'));
const activityIds = mostly(fc.integer({ min: 0, max: 10_000 }).map((n) => `act-${n}`));
/** Loopback only: the channel stand-in, a closed port, or values that are no http(s) URL at all. */
const serviceUrls = fc.oneof(
  { weight: 12, arbitrary: fc.constant('CHANNEL') },
  { weight: 1, arbitrary: fc.constant('http://127.0.0.1:9') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'not a url', 'ftp://127.0.0.1/', 'file:///etc/passwd', '/relative'),
  },
);
/** 22 base64url characters, the shape of a real token. */
const tokenLike = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
  minLength: 22,
  maxLength: 22,
});
const cardData = fc.record(
  {
    customerId: sometimesWrong(fc.oneof(fc.constantFrom(...customerIds), anyString)),
    subscriptionId: sometimesWrong(fc.oneof(fc.constantFrom(...subscriptionIds), anyString)),
    target: sometimesWrong(fc.oneof(fc.constantFrom(...OFFER_IDS), anyString)),
    seats: fc.oneof(
      fc.integer({ min: -10, max: 400 }).map(String),
      fc.integer().map(String),
      fc.double().map(String),
      fc.integer({ min: 1, max: 300 }),
      anyString,
      wrongType,
    ),
    transfer: fc.oneof(fc.constantFrom(true, false, 'true', 'false'), anyString, wrongType),
    token: sometimesWrong(fc.oneof(tokenLike, anyString)),
    intent: sometimesWrong(fc.constantFrom('eligibility', 'upgrade', 'history')),
    from: fc.record({ id: anyString, aadObjectId: anyString }),
    aadObjectId: anyString,
  },
  { requiredKeys: [] },
);
const verbs = fc.oneof(
  fc.constantFrom('startUpgrade', 'pickCustomer', 'review', 'confirm', 'cancel', 'refreshConfirm'),
  anyString,
  wrongType,
);

interface FuzzRequest {
  readonly kind: string;
  readonly body: unknown;
  readonly contentType?: string;
  /** A valid token a confirm is sent for, if this request is one. */
  readonly validToken?: string;
}

const activity = fc
  .record(
    {
      type: sometimesWrong(
        mostly(
          fc.constantFrom(
            'message',
            'message',
            'message',
            'invoke',
            'conversationUpdate',
            'installationUpdate',
            'event',
            'typing',
            'messageReaction',
            'endOfConversation',
            'trace',
          ),
        ),
      ),
      id: maybe(sometimesWrong(activityIds)),
      channelId: sometimesWrong(channels),
      serviceUrl: sometimesWrong(serviceUrls),
      conversation: sometimesWrong(
        fc.record(
          {
            id: sometimesWrong(mostly(fc.integer({ min: 0, max: 50 }).map((n) => `conv-${n}`))),
            conversationType: maybe(sometimesWrong(fc.constantFrom('personal', 'groupChat', 'channel'))),
            tenantId: maybe(sometimesWrong(anyString)),
          },
          { requiredKeys: ['id'] },
        ),
      ),
      from: sometimesWrong(
        fc.record(
          { id: sometimesWrong(users), name: maybe(anyString), aadObjectId: maybe(sometimesWrong(users)) },
          {
            requiredKeys: ['id'],
          },
        ),
      ),
      recipient: sometimesWrong(fc.record({ id: sometimesWrong(fc.constantFrom('bot-1', '28:bot')) })),
      text: maybe(sometimesWrong(texts)),
      locale: maybe(sometimesWrong(locales)),
      name: maybe(sometimesWrong(fc.oneof(fc.constantFrom('adaptiveCard/action', 'task/fetch'), anyString))),
      value: maybe(
        fc.oneof(
          fc.tuple(verbs, cardData).map(([verb, data]) => ({ verb, ...data })),
          fc
            .tuple(
              fc.constantFrom('Action.Execute', 'Action.Submit', 'x'),
              verbs,
              cardData,
              fc.constantFrom('manual', 'automatic'),
            )
            .map(([type, verb, data, trigger]) => ({ action: { type, verb, data }, trigger })),
          wrongType,
        ),
      ),
      deliveryMode: maybe(sometimesWrong(fc.constantFrom('expectReplies', 'normal', 'notification'))),
      replyToId: maybe(sometimesWrong(activityIds)),
      channelData: maybe(
        sometimesWrong(fc.record({ tenant: sometimesWrong(fc.record({ id: sometimesWrong(anyString) })) })),
      ),
      entities: maybe(
        sometimesWrong(
          fc.array(
            fc.record(
              {
                type: sometimesWrong(fc.constantFrom('mention', 'clientInfo', 'Mention')),
                text: sometimesWrong(anyString),
                mentioned: sometimesWrong(
                  fc.record({ id: sometimesWrong(fc.constantFrom('bot-1', '28:bot')) }),
                ),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
        ),
      ),
      membersAdded: maybe(
        sometimesWrong(fc.array(fc.record({ id: sometimesWrong(users) }), { maxLength: 3 })),
      ),
      action: maybe(sometimesWrong(fc.constantFrom('add', 'remove'))),
      timestamp: maybe(
        sometimesWrong(
          fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            anyString,
          ),
        ),
      ),
    },
    { requiredKeys: ['type', 'channelId', 'serviceUrl', 'conversation', 'from', 'recipient'] },
  )
  .map((a): FuzzRequest => ({ kind: 'activity', body: a }));

/** A Teams Universal Action with a card payload. */
const universalAction = fc
  .tuple(verbs, cardData, users, fc.constantFrom('tenant-a', 'tenant-b'), locales)
  .map(([verb, data, user, tenant, locale]): FuzzRequest => ({
    kind: 'universal action',
    body: {
      ...teamsActivity('CHANNEL', { type: 'invoke', name: 'adaptiveCard/action', user, tenant }),
      value: { action: { type: 'Action.Execute', verb, data } },
      locale,
    },
  }));

const otherInvoke = fc.tuple(anyString, fc.jsonValue({ maxDepth: 3 })).map(([name, value]): FuzzRequest => ({
  kind: 'invoke',
  body: teamsInvoke('CHANNEL', 'x', {}, { name, value } as never),
}));

const rawBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v): FuzzRequest => ({ kind: 'any JSON', body: JSON.stringify(v) })),
  fc
    .string({ maxLength: 200 })
    .map((s): FuzzRequest => ({ kind: 'malformed', body: `{"type":"message",${s}` })),
  fc
    .integer({ min: 65, max: 300 })
    .map((n): FuzzRequest => ({ kind: 'deep', body: '['.repeat(n) + ']'.repeat(n) })),
  fc.integer({ min: 257 * 1024, max: 600 * 1024 }).map((n): FuzzRequest => ({
    kind: 'oversize',
    body: JSON.stringify({ type: 'message', text: 'x'.repeat(n) }),
  })),
  fc
    .tuple(
      fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', ''),
      fc.string({ maxLength: 50 }),
    )
    .map(([contentType, s]): FuzzRequest => ({ kind: 'content type', body: s, contentType })),
);

/** Valid confirms of real tokens: by their requester, in the conversation where the card was shown. */
const validConfirm = fc
  .tuple(fc.integer({ min: 0, max: 63 }), fc.boolean())
  .map(([i, submit]): FuzzRequest => {
    const token = validTokens[i % Math.max(1, validTokens.length)] ?? 'none';
    const body = submit
      ? {
          ...teamsInvoke('CHANNEL', 'confirm', {}, { user: 'user-1' }),
          type: 'message',
          name: undefined,
          value: { verb: 'confirm', token },
          deliveryMode: 'expectReplies',
        }
      : teamsInvoke('CHANNEL', 'confirm', { token }, { user: 'user-1' });
    return { kind: 'valid confirm', body, validToken: token };
  });

/** How a request shows in fast-check's report: its kind and the start of its body. */
function printable(request: FuzzRequest): FuzzRequest {
  return Object.assign(request, {
    [fc.toStringMethod]: () => {
      const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      return `${request.kind} (${text.length} chars): ${text.slice(0, 400)}`;
    },
  });
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    { weight: 10, arbitrary: activity },
    { weight: 6, arbitrary: universalAction },
    { weight: 1, arbitrary: otherInvoke },
    { weight: 3, arbitrary: rawBody },
    { weight: 1, arbitrary: validConfirm },
  )
  .map(printable);

// ---------------------------------------------------------------------------------------------------------

/** Puts the channel stand-in's URL where the generator wrote the placeholder. */
function bodyText(request: FuzzRequest): string {
  const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  return text.replaceAll('"CHANNEL"', JSON.stringify(serviceUrl));
}

async function send(request: FuzzRequest): Promise<number> {
  if (request.validToken !== undefined) confirmedDuringFuzz.add(request.validToken);
  const res = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': request.contentType ?? 'application/json' },
    body: bodyText(request),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  if (res.status === 400) {
    const body = JSON.parse(text) as { message?: string; type?: string };
    const key = (body.message ?? body.type ?? '').replace(/^Invalid activity: /, '').split(':')[0] ?? '';
    rejections.set(key, (rejections.get(key) ?? 0) + 1);
  }
  sent++;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  if (res.status >= 500) fiveXX++;
  return res.status;
}

async function counter(name: string, label: string, value: string): Promise<number> {
  const metric = await bot.app.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).filter((v) => v.labels[label] === value).reduce((s, v) => s + v.value, 0);
}

describe('fuzzing the running server', { timeout: WORST_CASE_MS }, () => {
  it('2,048 generated requests: no 5xx, always an answer, nothing changes but valid confirms', async () => {
    expect(validTokens.length).toBeGreaterThanOrEqual(4);
    const before = { sent, fiveXX };
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map(send));
        return answers.every((status) => status < 500);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const requests = sent - before.sent;
    expect(requests).toBe(RUNS * BATCH);
    expect(fiveXX - before.fiveXX).toBe(0);

    // The process is up and serving.
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const asked = await post(bot.url, {
      ...teamsInvoke(serviceUrl, 'x', {}, { user: 'after-fuzz' }),
      type: 'message',
      name: undefined,
      value: undefined,
      text: 'can Fabrikam upgrade?',
      deliveryMode: 'expectReplies',
    });
    expect(asked.status).toBe(200);
    expect(JSON.stringify(await asked.json())).toContain('Fabrikam Inc');

    // Every change to the directory is an upgrade confirmed with a valid token, and agrees with the ledger.
    const during = await agreement(bot.app.storage, baseline);
    expect(during.problems).toEqual([]);
    expect(during.doubled).toBe(0);
    expect([...during.done].filter((t) => !confirmedDuringFuzz.has(t))).toEqual([]);

    // Then every valid token is confirmed on purpose: each upgrade happens (once).
    for (const token of validTokens) {
      await post(bot.url, teamsInvoke(serviceUrl, 'confirm', { token }, { user: 'user-1' }));
    }
    const after = await agreement(bot.app.storage, baseline);
    expect(after.problems).toEqual([]);
    expect(after.doubled).toBe(0);
    expect([...after.done].sort()).toEqual([...validTokens].sort());

    // Reopened from disk, the database says the same.
    const reopened = openStore({ dataDir: bot.app.storage.location.replace(/\/[^/]+$/, ''), seed: demo });
    try {
      expect(await agreement(audited(reopened), baseline)).toEqual(after);
    } finally {
      reopened.close();
    }

    expect(blockedConnections).toEqual([]);
    const failures = new Map<string, number>();
    for (const line of log.lines) {
      const err = line.err as { message?: string; stack?: string } | undefined;
      const key = `${String(line.msg)}: ${err?.message ?? ''} @ ${(err?.stack ?? '').split('\n')[1] ?? ''}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
    console.info([...rejections.entries()].sort(([, a], [, b]) => b - a).slice(0, 12));
    console.info([...failures.entries()].map(([k, n]) => `${n} × ${k}`).join('\n'));
    const turnErrors = await counter('errors_total', 'kind', 'turn');
    // The only turns allowed to fail are those whose channel is unreachable (the closed port on purpose).
    const unexpected = log.lines.filter((l) => {
      const err = l.err as { message?: string } | undefined;
      return l.msg === 'turn failed' && !(err?.message ?? '').includes('ECONNREFUSED 127.0.0.1:9');
    });
    expect(unexpected.map((l) => (l.err as { message?: string }).message)).toEqual([]);
    const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    console.info(
      `fuzz: ${requests} requests (seed ${SEED}), 5xx: ${fiveXX - before.fiveXX}, by status {${byStatus.join(', ')}}, ` +
        `turn errors: ${turnErrors} (all: channel unreachable on purpose), valid tokens confirmed during the fuzz: ${confirmedDuringFuzz.size}/${validTokens.length}, ` +
        `upgrades: ${after.done.size} (lost 0, doubled ${after.doubled})`,
    );
  });
});
