/**
 * Adaptive Card templates from `cards/`, expanded with adaptivecards-templating and adapted to the channel:
 * Teams gets Action.Execute (Universal Actions); other channels get Action.Submit with the verb in the data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { CARDS_DIR } from '../../paths.js';
import type { CardName, CardSpec } from './data.js';

export const CARD_NAMES: readonly CardName[] = [
  'eligibility',
  'disambiguation',
  'choose-target',
  'confirm',
  'outcome',
];

/** Teams Universal Actions: the card is refreshed for these users with this verb. */
export interface Refresh {
  readonly verb: string;
  readonly data: Readonly<Record<string, string>>;
  readonly userIds: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class CardTemplates {
  private readonly templates = new Map<CardName, ACData.Template>();

  constructor(dir = CARDS_DIR) {
    for (const name of CARD_NAMES) {
      this.templates.set(
        name,
        new ACData.Template(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'))),
      );
    }
  }

  /** The card as the template and data make it, with Action.Execute actions. */
  expand(spec: CardSpec): Record<string, Json> {
    const template = this.templates.get(spec.name);
    if (template === undefined) throw new Error(`No card template ${spec.name}`);
    return template.expand({ $root: spec.data }) as Record<string, Json>;
  }

  /** The card ready to send on a channel; on Teams, with an automatic refresh for the given users. */
  attachment(spec: CardSpec, channelId: string | undefined, refresh?: Refresh): Attachment {
    const card = this.expand(spec);
    if (channelId !== 'msteams') return CardFactory.adaptiveCard(toSubmitActions(card));
    if (refresh !== undefined) {
      card.refresh = {
        action: { type: 'Action.Execute', verb: refresh.verb, data: { ...refresh.data } },
        userIds: [...refresh.userIds],
      };
    }
    return CardFactory.adaptiveCard(card);
  }
}

/** Action.Execute → Action.Submit, for channels without Universal Actions; the verb travels in `data`. */
export function toSubmitActions(node: Json): Json {
  if (Array.isArray(node)) return node.map(toSubmitActions);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = toSubmitActions(v);
  if (out.type === 'Action.Execute') {
    const { verb, data, ...rest } = out;
    const payload = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
    return { ...rest, type: 'Action.Submit', data: { ...payload, verb: verb ?? null } };
  }
  return out;
}
