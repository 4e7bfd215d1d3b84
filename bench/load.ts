/**
 * HTTP load on `/api/messages` with autocannon (as a library): the activities the Emulator would post, each
 * connection in a conversation of its own, every response time kept (not only autocannon's histogram), so that
 * rounds can be pooled.
 */
import autocannon from 'autocannon';

export type Delivery = 'expectReplies' | 'channel';

interface ActivityOptions {
  readonly delivery: Delivery;
  /** Where the bot posts its replies in normal delivery (the channel stand-in). */
  readonly serviceUrl: string;
  readonly conversationId: string;
  readonly text?: string;
  readonly value?: Record<string, unknown>;
  readonly channelId?: string;
}

let nextId = 0;

/** A message as the Bot Framework Emulator posts it (Action.Submit: a message with a value and no text). */
export function activity(o: ActivityOptions): Record<string, unknown> {
  nextId++;
  return {
    type: 'message',
    id: `act-${nextId}`,
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: o.channelId ?? 'emulator',
    from: { id: 'user-1', name: 'Megan Bowen', role: 'user' },
    conversation: { id: o.conversationId },
    recipient: { id: 'bot-1', name: 'Bot', role: 'bot' },
    locale: 'en-US',
    ...(o.text === undefined ? {} : { text: o.text }),
    ...(o.value === undefined ? {} : { value: o.value }),
    ...(o.delivery === 'expectReplies' ? { deliveryMode: 'expectReplies' } : {}),
  };
}

/** A Teams card action (Action.Execute) as Teams posts it: an `adaptiveCard/action` invoke in a personal chat. */
export function teamsInvoke(
  serviceUrl: string,
  conversationId: string,
  verb: string,
  data: Record<string, unknown>,
) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `invoke-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: 'user-1', name: 'Megan Bowen', aadObjectId: 'aad-user-1' },
    conversation: { id: conversationId, conversationType: 'personal' },
    recipient: { id: 'bot-1', name: 'Upgrade Assistant' },
    locale: 'en-US',
    value: { action: { type: 'Action.Execute', verb, data } },
  };
}

/** One POST and its answer (for the checks before a load). */
export async function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.text() };
}

/** The texts of the replies of an expectReplies answer. */
export function replyTexts(body: string): string[] {
  try {
    const { activities } = JSON.parse(body) as { activities?: { text?: string }[] };
    return (activities ?? []).map((a) => a.text ?? '');
  } catch {
    return [];
  }
}

/** The token of the confirm action in a card answer (expectReplies activities or an invoke response). */
export function confirmToken(body: string): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (found !== undefined || node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    // Action.Submit carries { verb, token } in its data; Action.Execute has the verb beside its data.
    const data = (o.data ?? {}) as Record<string, unknown>;
    const token = o.token ?? data.token;
    if (o.verb === 'confirm' && typeof token === 'string') found = token;
    else Object.values(o).forEach(walk);
  };
  try {
    walk(JSON.parse(body));
  } catch {
    return undefined;
  }
  return found;
}

export const APOLOGY = 'Sorry, something went wrong';

/**
 * The app's environment in every run: the per-user rate limit off, since one simulated user sends hundreds of
 * messages a second (the limit would answer most of them with a refusal, which is not what is measured).
 */
export const APP_ENV = { RATE_LIMIT_MESSAGES: '0' };

/** What one request of a load sends: built per request, with the connection's own context. */
export type Step = (context: Record<string, unknown>) => Record<string, unknown> | undefined;

interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  /** Seconds; ignored when `amount` is given. */
  readonly duration: number;
  /** Total requests (a multiple of `connections` × steps). */
  readonly amount?: number;
  /** The requests of each connection, in a loop. */
  readonly steps: readonly Step[];
  /** Reads a response (e.g. a token for the next step); false marks it as wrong. */
  readonly onResponse?: (
    step: number,
    status: number,
    body: string,
    context: Record<string, unknown>,
  ) => boolean;
}

export interface LoadResult {
  /** Response time of every 2xx response, in ms. */
  readonly latencies: number[];
  /** Per step (when there are several): the response times of that step. */
  readonly byStep: number[][];
  readonly ok: number;
  /** Non-2xx, rejected by `onResponse`, connection errors and timeouts. */
  readonly failed: number;
  /** Seconds from the start to the last response. */
  readonly elapsed: number;
  /** The first failure: status and the start of the body. */
  readonly firstFailure?: string;
}

let conversations = 0;

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const byStep: number[][] = o.steps.map(() => []);
  let failed = 0;
  let lastStep = 0;
  let lastOk = true;
  let lastBody = '';
  let firstFailure: string | undefined;
  const started = performance.now();
  let last = started;
  const loop: autocannon.Request[] = o.steps.map((step, index) => ({
    method: 'POST',
    setupRequest: (request, raw) => {
      const context = raw as Record<string, unknown>;
      // A conversation per connection: its turns are sequential, as a user's are.
      context.conversationId ??= `bench-${process.pid}-${++conversations}`;
      const body = step(context);
      // autocannon accepts a falsy result (skip to the next loop) though its types do not say so.
      return (
        body === undefined ? undefined : { ...request, body: JSON.stringify(body) }
      ) as autocannon.Request;
    },
    onResponse: (status, body, context) => {
      lastStep = index;
      lastBody = body;
      lastOk =
        o.onResponse === undefined
          ? true
          : o.onResponse(index, status, body, context as Record<string, unknown>);
    },
  }));
  // autocannon gives each connection a fresh context whenever it starts its list of requests again: a long
  // list keeps the connection's conversation for a thousand requests.
  const repeat = Math.max(1, Math.floor(1000 / loop.length));
  const requests = Array.from({ length: loop.length * repeat }, (_, i) => loop[i % loop.length]!);
  return new Promise((resolveLoad, reject) => {
    const instance = autocannon(
      {
        url: `${o.url}/api/messages`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: o.connections,
        duration: o.duration,
        ...(o.amount === undefined ? {} : { amount: o.amount }),
        timeout: 30,
        sampleInt: 100,
        requests,
      },
      (error) => {
        if (error) reject(error);
        else
          resolveLoad({
            latencies,
            byStep,
            ok: latencies.length,
            failed,
            elapsed: (last - started) / 1000,
            ...(firstFailure === undefined ? {} : { firstFailure }),
          });
      },
    );
    // `onResponse` above runs just before this event, for the same response.
    instance.on('response', (_client, status, _bytes, time) => {
      last = performance.now();
      if (status >= 200 && status < 300 && lastOk) {
        latencies.push(time);
        byStep[lastStep]?.push(time);
      } else {
        failed++;
        firstFailure ??= `HTTP ${status}: ${lastBody.slice(0, 300)}`;
      }
    });
    instance.on('reqError', (error) => {
      failed++;
      firstFailure ??= String(error);
    });
  });
}
