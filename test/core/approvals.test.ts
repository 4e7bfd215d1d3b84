/** Who may confirm, cancel or see a confirm card live, and where (src/core/approvals.ts, src/config.ts). */
import { describe, expect, it } from 'vitest';
import { parseConfig, trustClientUserIds } from '../../src/config.js';
import { ApprovalPolicy, parseApprovers, type Caller } from '../../src/core/approvals.js';
import type { LedgerEntry, Place } from '../../src/core/ledger.js';

const teamsChat: Place = { channelId: 'msteams', conversationId: 'a:chat', tenantId: 'tenant-a' };
const webChat: Place = { channelId: 'webchat', conversationId: 'wc-1' };

function entry(place: Place | undefined, requester = '29:alice'): LedgerEntry {
  return {
    token: 't',
    customerId: 'c',
    subscriptionId: 's',
    fromOffer: 'O365_E1',
    target: 'O365_E3',
    quantity: 1,
    upgradeType: 'upgrade_only',
    requestedBy: { id: requester },
    requestedAt: '2025-01-01T00:00:00.000Z',
    ...(place === undefined ? {} : { place }),
    expiresAt: '2025-01-02T00:00:00.000Z',
    status: 'pending',
    attempts: 0,
    affectedAccounts: [],
    reasons: [],
  };
}

const caller = (id: string, place: Place, aadObjectId?: string): Caller => ({
  user: { id, ...(aadObjectId === undefined ? {} : { aadObjectId }) },
  place,
});

describe('approvers', () => {
  it('a bare id or msteams:id is a Teams user; channel:id another channel; a Teams user id keeps its colon', () => {
    expect(parseApprovers(['aad-1', 'msteams:29:abc', '29:def', 'webchat:wc-user'])).toEqual([
      { channelId: 'msteams', userId: 'aad-1' },
      { channelId: 'msteams', userId: '29:abc' },
      { channelId: 'msteams', userId: '29:def' },
      { channelId: 'webchat', userId: 'wc-user' },
    ]);
    expect(() => parseApprovers(['webchat:'])).toThrow(/names no user/);
  });

  it('a Teams approver is recognised on Teams only, by AAD object id or Teams user id', () => {
    const policy = new ApprovalPolicy({ approvers: ['aad-boss', '29:boss'] });
    expect(policy.isApprover(caller('29:x', teamsChat, 'aad-boss'))).toBe(true);
    expect(policy.isApprover(caller('29:boss', teamsChat))).toBe(true);
    expect(policy.isApprover(caller('aad-boss', webChat, 'aad-boss'))).toBe(false);
    expect(policy.isApprover(caller('29:boss', webChat))).toBe(false);
    expect(policy.teamsUserIds()).toEqual(['29:boss']);
  });

  it('another channel needs its own entry', () => {
    const policy = new ApprovalPolicy({ approvers: ['webchat:wc-boss'] });
    expect(policy.isApprover(caller('wc-boss', webChat))).toBe(true);
    expect(policy.isApprover(caller('wc-boss', { ...webChat, channelId: 'directline' }))).toBe(false);
  });
});

describe('confirm and cancel', () => {
  const policy = new ApprovalPolicy({ approvers: ['aad-boss'] });

  it('only where the card was shown: channel, conversation and tenant; a request bound nowhere, nowhere', () => {
    const boss = (place: Place) => caller('29:boss', place, 'aad-boss');
    expect(policy.confirmRefusal(entry(teamsChat), boss(teamsChat))).toBeUndefined();
    expect(policy.confirmRefusal(entry(teamsChat), boss({ ...teamsChat, conversationId: 'other' }))).toBe(
      'wrong_place',
    );
    expect(policy.confirmRefusal(entry(teamsChat), boss({ ...teamsChat, tenantId: 'tenant-b' }))).toBe(
      'wrong_place',
    );
    expect(policy.confirmRefusal(entry(undefined), boss(teamsChat))).toBe('wrong_place');
    expect(policy.cancelRefusal(entry(teamsChat), boss({ ...teamsChat, conversationId: 'x' }))).toBe(
      'wrong_place',
    );
  });

  it('cancel: the requester or an approver; confirm: an approver', () => {
    expect(policy.cancelRefusal(entry(teamsChat), caller('29:alice', teamsChat))).toBeUndefined();
    expect(policy.cancelRefusal(entry(teamsChat), caller('29:mallory', teamsChat))).toBe('not_allowed');
    expect(policy.confirmRefusal(entry(teamsChat), caller('29:alice', teamsChat))).toBe('not_approver');
    expect(policy.seesLive(entry(teamsChat), caller('29:mallory', teamsChat))).toBe(false);
    expect(policy.seesLive(entry(teamsChat), caller('29:alice', teamsChat))).toBe(true);
  });

  it('without approvers only the requester confirms; four eyes refuses the requester and needs approvers', () => {
    const open = new ApprovalPolicy({ approvers: [] });
    expect(open.confirmRefusal(entry(teamsChat), caller('29:alice', teamsChat))).toBeUndefined();
    expect(open.confirmRefusal(entry(teamsChat), caller('29:bob', teamsChat))).toBe('not_approver');
    const fourEyes = new ApprovalPolicy({ approvers: ['aad-alice'], fourEyes: true });
    expect(fourEyes.confirmRefusal(entry(teamsChat), caller('29:alice', teamsChat, 'aad-alice'))).toBe(
      'own_request',
    );
    expect(() => new ApprovalPolicy({ approvers: [], fourEyes: true })).toThrow(/needs approvers/);
    expect(() => parseConfig({ UPGRADE_FOUR_EYES: 'true' })).toThrow(/UPGRADE_FOUR_EYES/);
  });

  it('in production, confirms from channels whose user ids the client chooses are refused unless opted in', () => {
    const production = {
      NODE_ENV: 'production',
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'secret',
      METRICS_TOKEN: 'a-metrics-token-long-enough',
      ALLOWED_TENANTS: 'tenant-a',
    };
    expect(trustClientUserIds(parseConfig({}))).toBe(true);
    expect(trustClientUserIds(parseConfig(production))).toBe(false);
    expect(trustClientUserIds(parseConfig({ ...production, UPGRADE_TRUST_CLIENT_USER_IDS: 'true' }))).toBe(
      true,
    );
    const strict = new ApprovalPolicy({ approvers: [], trustClientUserIds: false });
    const wc = entry(webChat, 'wc-user');
    expect(strict.confirmRefusal(wc, caller('wc-user', webChat))).toBe('untrusted_channel');
    expect(strict.confirmRefusal(entry(teamsChat), caller('29:alice', teamsChat))).toBeUndefined();
  });
});
