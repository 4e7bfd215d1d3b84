/**
 * The bot put together from the application core's ports: the composition root (and the tests) choose the
 * adapters behind them.
 */
import { ConversationState } from 'botbuilder';
import type { Logger } from 'pino';
import type { ApprovalPolicy } from '../core/approvals.js';
import type { CustomerRepository } from '../core/customers.js';
import type { LiveCheck } from '../core/live-check.js';
import type { KeyValueStore } from '../core/state.js';
import type { DirectorySource } from '../core/system-of-record.js';
import type { UpgradeService } from '../core/upgrades.js';
import type { CustomerLookup } from '../directory/lookup-types.js';
import { UpgradeAssistantBot } from './bot.js';
import { CardTemplates } from './cards/templates.js';
import { Conversation } from './conversation.js';
import { FleetIndex } from './fleet-index.js';
import { Wording } from './i18n.js';
import { createUnderstander } from './nlu/index.js';
import { DurableStorage } from './state-storage.js';
import { UpgradeFlow, type Disagreement } from './upgrade-flow.js';

export interface BotPorts {
  readonly customers: CustomerRepository;
  readonly lookup: CustomerLookup;
  readonly upgrades: UpgradeService;
  /** Where the customers come from and how fresh they are ("as of 10:42", "refresh Contoso"). */
  readonly source: DirectorySource;
  /** Where the conversation state lives. */
  readonly state: KeyValueStore;
  /** Who may confirm, cancel or see a confirm card live, and where. */
  readonly approvals: ApprovalPolicy;
  readonly logger: Logger;
  readonly wording?: Wording;
  /** How long a Teams card action may take before its invoke is answered anyway. */
  readonly invokeBudgetMs?: number;
  /** Partner Center's live re-check at choose and review (absent with the embedded directory). */
  readonly live?: LiveCheck;
  /** Told when Partner Center and the rules disagree (the composition root logs and counts it). */
  readonly onDisagreement?: (d: Disagreement) => void;
}

export interface AssembledBot {
  readonly bot: UpgradeAssistantBot;
  readonly flow: UpgradeFlow;
  readonly wording: Wording;
  /**
   * The fleet counts kept up to date. Built on the first fleet question (about 35 ms per 1,000 customers); a
   * composition root that wants the first one fast calls `fleet.warm()` once the server is up.
   */
  readonly fleet: FleetIndex;
}

export async function assembleBot(ports: BotPorts): Promise<AssembledBot> {
  const { customers, lookup, upgrades, approvals, source } = ports;
  const wording = ports.wording ?? new Wording();
  // A press that finds another one carrying the upgrade out waits for its outcome, within Teams' budget.
  const settleMs = Math.round((ports.invokeBudgetMs ?? 4000) * 0.6);
  const flow = new UpgradeFlow({
    customers,
    upgrades,
    approvals,
    settleMs,
    source,
    logger: ports.logger,
    ...(ports.live === undefined ? {} : { live: ports.live }),
    ...(ports.onDisagreement === undefined ? {} : { onDisagreement: ports.onDisagreement }),
  });
  const fleet = new FleetIndex(customers);
  const bot = new UpgradeAssistantBot({
    conversation: new Conversation({ customers, lookup, flow, fleet, source }),
    conversationState: new ConversationState(new DurableStorage(ports.state)),
    flow,
    understander: await createUnderstander(lookup),
    wording,
    cards: new CardTemplates(),
    logger: ports.logger,
    ...(ports.invokeBudgetMs === undefined ? {} : { invokeBudgetMs: ports.invokeBudgetMs }),
  });
  return { bot, flow, wording, fleet };
}
