/**
 * The upgrade flow against the running server over HTTP, as Teams (invokes) and the Emulator (Action.Submit)
 * send it; each test checks the directory and the ledger afterwards.
 */
import { describe, expect, it } from 'vitest';
import { actions } from '../support/cards.js';
import { httpFixture } from '../support/http-fixture.js';
import { customerNamed, type RunningBot } from '../support/server.js';

const http = httpFixture('ua-http-');
const { start, invoke } = http;

/** An Emulator Action.Submit, replies in the response (expectReplies). */
function submit(b: RunningBot, value: Record<string, unknown>) {
  return http.submit(b, { value });
}

function contoso(b: RunningBot) {
  return customerNamed(b.app, 'Contoso Ltd');
}

async function activeE3(b: RunningBot): Promise<number> {
  return (await contoso(b)).subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active')
    .length;
}

/** Teams: start → review (E3, 40 seats) → the confirm token. */
async function confirmToken(b: RunningBot, target = 'O365_E3'): Promise<string> {
  const review = await invoke(b, 'review', {
    customerId: (await contoso(b)).id,
    subscriptionId: 'sub-contoso-essentials',
    target,
    seats: '40',
    transfer: 'true',
  });
  expect(review.type).toBe('application/vnd.microsoft.card.adaptive');
  const confirm = actions(review.value).find((a) => a.verb === 'confirm');
  return (confirm!.data as { token: string }).token;
}

describe('exactly once', () => {
  it('a double confirm: one upgrade, the second answered "already done", ledger done once', async () => {
    const b = await start();
    const token = await confirmToken(b);
    const first = await invoke(b, 'confirm', { token });
    expect(JSON.stringify(first.value)).toContain('Upgrade done');
    const second = await invoke(b, 'confirm', { token }, 'user-2');
    expect(JSON.stringify(second.value)).toContain('already done by Megan Bowen');
    expect(await activeE3(b)).toBe(1);
    expect((await b.app.storage.ledger.history((await contoso(b)).id)).map((e) => e.status)).toEqual([
      'done',
    ]);
  });

  it('20 concurrent confirms of one token by its requester: exactly one upgrade, 19 "already done"', async () => {
    // A slow machine may take seconds over the first press: the others wait for it (60 % of the budget). One
    // user's 20 presses would trip the per-user rate limit: off for this test.
    const b = await start({ TEAMS_INVOKE_BUDGET_MS: '10000', RATE_LIMIT_MESSAGES: '0' });
    const token = await confirmToken(b);
    // The requester presses 20 times at once (without approvers, only the requester may confirm: a press by
    // anybody else that finds the request still pending is refused, which is not the point here).
    const answers = await Promise.all(Array.from({ length: 20 }, () => invoke(b, 'confirm', { token })));
    const done = answers.filter((a) => JSON.stringify(a.value).includes('Upgrade done'));
    const already = answers.filter((a) => JSON.stringify(a.value).includes('Already handled'));
    expect(done).toHaveLength(1);
    const others = answers.filter((a) => !done.includes(a) && !already.includes(a));
    expect(others.map((a) => JSON.stringify(a).slice(0, 400))).toEqual([]);
    expect(already).toHaveLength(19);
    expect(await activeE3(b)).toBe(1);
    expect(
      (await b.app.storage.ledger.history((await contoso(b)).id)).filter((e) => e.status === 'done'),
    ).toHaveLength(1);
  });

  it('the Emulator path (Action.Submit): a second click is caught by the bot', async () => {
    const b = await start();
    const review = await submit(b, {
      verb: 'review',
      customerId: (await contoso(b)).id,
      subscriptionId: 'sub-contoso-essentials',
      target: 'O365_E3',
      seats: '40',
      transfer: 'true',
    });
    const card = review.find((a) => a.attachments?.length)?.attachments?.[0]?.content;
    const confirm = actions(card).find((a) => (a.data as { verb?: string } | undefined)?.verb === 'confirm');
    const token = (confirm!.data as { token: string }).token;
    const first = await submit(b, { verb: 'confirm', token });
    expect(first[0]?.text).toMatch(
      /^Done: Contoso Ltd moved from Office 365 Business Essentials to Office 365 Enterprise E3/,
    );
    const second = await submit(b, { verb: 'confirm', token });
    expect(second[0]?.text).toMatch(/already done by Megan/);
    expect(await activeE3(b)).toBe(1);
  });
});

describe('stale and tampered cards change nothing', () => {
  it('the subscription was suspended after the card was shown: refused with the current reason', async () => {
    const b = await start();
    const token = await confirmToken(b);
    const c = await contoso(b);
    await b.app.storage.saveCustomer({
      ...c,
      subscriptions: c.subscriptions.map((s) =>
        s.id === 'sub-contoso-essentials' ? { ...s, status: 'suspended' } : s,
      ),
    });
    const answer = JSON.stringify((await invoke(b, 'confirm', { token })).value);
    expect(answer).toContain('Upgrade refused');
    expect(answer).toContain('suspended');
    expect(await activeE3(b)).toBe(0);
    expect((await b.app.storage.ledger.get(token))?.status).toBe('refused');
  });

  it('the target was bought through another partner after the card was shown: refused, naming it', async () => {
    const b = await start();
    const token = await confirmToken(b);
    const c = await contoso(b);
    await b.app.storage.saveCustomer({
      ...c,
      subscriptions: [
        ...c.subscriptions,
        { id: 'other-e3', offerId: 'O365_E3', quantity: 3, status: 'active', channel: 'other-partner' },
      ],
    });
    const answer = JSON.stringify((await invoke(b, 'confirm', { token })).value);
    expect(answer).toContain('other-e3');
    expect(answer).toContain('through another CSP partner');
    expect(await activeE3(b)).toBe(1); // only the one bought elsewhere
    expect((await contoso(b)).subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status).toBe(
      'active',
    );
  });

  it('tampered data: unknown ids, a target that is no path, seats out of range, a forged token', async () => {
    const b = await start();
    const id = (await contoso(b)).id;
    const before = JSON.stringify(await contoso(b));
    const bad = [
      {
        verb: 'review',
        customerId: 'nope',
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '5',
      },
      {
        verb: 'review',
        customerId: id,
        subscriptionId: 'sub-fabrikam-premium',
        target: 'O365_E3',
        seats: '5',
      },
      {
        verb: 'review',
        customerId: id,
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_PROPLUS',
        seats: '5',
      },
      {
        verb: 'review',
        customerId: id,
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '-3',
      },
      {
        verb: 'review',
        customerId: id,
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E9',
        seats: '5',
      },
      { verb: 'confirm', token: 'AAAAAAAAAAAAAAAAAAAAAA' },
      { verb: 'confirm' },
      { verb: 'startUpgrade', customerId: id, subscriptionId: 'sub-contoso-powerbi' },
    ];
    for (const value of bad) {
      const replies = await submit(b, value);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.text).toMatch(
        /not valid any more|cannot move from .* Nothing was changed|cannot be upgraded now/i,
      );
    }
    expect(JSON.stringify(await contoso(b))).toBe(before);
    expect(await b.app.storage.ledger.history(id)).toEqual([]);
  });
});

describe('approvers', () => {
  it('a non-approver is refused and nothing changes; an approver confirms', async () => {
    const b = await start({ UPGRADE_APPROVERS: 'aad-user-2, some-other-id' });
    const token = await confirmToken(b);
    const refused = await invoke(b, 'confirm', { token }, 'user-1');
    expect(refused.type).toBe('application/vnd.microsoft.activity.message');
    expect(JSON.stringify(refused.value)).toContain('Only an approver can confirm');
    expect(await activeE3(b)).toBe(0);
    expect((await b.app.storage.ledger.get(token))?.status).toBe('pending');
    const ok = await invoke(b, 'confirm', { token }, 'user-2');
    expect(JSON.stringify(ok.value)).toContain('Upgrade done');
    expect((await b.app.storage.ledger.get(token))?.decidedBy?.aadObjectId).toBe('aad-user-2');
  });
});

describe('faults', () => {
  it('a failure while applying leaves the directory unchanged and the ledger saying so', async () => {
    let fail = true;
    const b = await start(
      {},
      {
        faults: {
          beforeCommit: () => {
            if (fail) throw new Error('injected: disk full');
          },
        },
      },
    );
    const token = await confirmToken(b);
    const before = JSON.stringify(await contoso(b));
    const answer = JSON.stringify((await invoke(b, 'confirm', { token })).value);
    expect(answer).toContain('Upgrade failed');
    expect(JSON.stringify(await contoso(b))).toBe(before);
    expect(await b.app.storage.ledger.get(token)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('disk full'),
    });
    fail = false;
    // The failed request is final: a new review gives a new token that works.
    const again = await invoke(b, 'confirm', { token: await confirmToken(b) });
    expect(JSON.stringify(again.value)).toContain('Upgrade done');
    expect(await activeE3(b)).toBe(1);
  });
});
