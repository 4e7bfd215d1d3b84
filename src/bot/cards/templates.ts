/**
 * Adaptive Card templates from `cards/`, parsed once at start-up by adaptivecards-templating, expanded for each
 * card sent with its typed data (./data.ts) as `$root`, and adapted to the channel:
 * Teams gets Action.Execute (Universal Actions); other channels get Action.Submit with the verb in the data.
 * Every action carries the card's language (`lang`), so a press is answered in the language of the card it was
 * made on, whatever locale the client sends with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'adaptivecards-templating';
import { CardFactory, type Attachment } from 'botbuilder';
import { CARDS_DIR } from '../../paths.js';
import { usesExecute } from '../channel.js';
import { CARD_LANGUAGE, type Language } from '../language.js';
import type { CardName, CardSpec } from './data.js';

export const CARD_NAMES: readonly CardName[] = [
  'eligibility',
  'disambiguation',
  'choose-target',
  'add-licences',
  'confirm',
  'outcome',
  'more',
];

/** Teams Universal Actions: the card is refreshed for these users with this verb. */
export interface Refresh {
  readonly verb: string;
  readonly data: Readonly<Record<string, string>>;
  readonly userIds: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class CardTemplates {
  private readonly templates = new Map<CardName, Template>();

  /**
   * Reads and parses every template, each `${…}` once; throws, naming the file, for one that is not an
   * Adaptive Card or has an expression the library cannot parse.
   */
  constructor(dir = CARDS_DIR) {
    for (const name of CARD_NAMES) {
      const file = `${name}.json`;
      try {
        const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
        if (!isObject(json) || json.type !== 'AdaptiveCard') throw new Error('not an Adaptive Card');
        this.templates.set(name, new Template(json));
      } catch (e) {
        throw new Error(`Card template ${file}: ${(e as Error).message}`, { cause: e });
      }
    }
  }

  /**
   * The card as the template and data make it, with Action.Execute actions. The library builds every object
   * and array of the template afresh on each call (the templates bind only strings, numbers and booleans
   * whole), so attachment() may change the card in place; expansion is synchronous, so one parsed template
   * serves every turn.
   */
  expand(spec: CardSpec): Record<string, Json> {
    const template = this.templates.get(spec.name);
    if (template === undefined) throw new Error(`No card template ${spec.name}`);
    return template.expand({ $root: spec.data }) as Record<string, Json>;
  }

  /**
   * The card ready to send on a channel, its actions tagged with the card's language; on Teams, with an
   * automatic refresh for the given users.
   */
  attachment(
    spec: CardSpec,
    channelId: string | undefined,
    language: Language,
    refresh?: Refresh,
  ): Attachment {
    const card = this.expand(spec);
    adaptActions(card, { [CARD_LANGUAGE]: language }, !usesExecute(channelId));
    if (!usesExecute(channelId)) return CardFactory.adaptiveCard(card);
    if (refresh !== undefined) {
      card.refresh = {
        action: {
          type: 'Action.Execute',
          verb: refresh.verb,
          data: { ...refresh.data, [CARD_LANGUAGE]: language },
        },
        userIds: [...refresh.userIds],
      };
    }
    return CardFactory.adaptiveCard(card);
  }
}

type JsonObject = { [key: string]: Json };

function isObject(node: Json | undefined): node is JsonObject {
  return node !== null && typeof node === 'object' && !Array.isArray(node);
}

/**
 * In place, on a card just expanded (its objects are its own): every Action.Execute / Action.Submit gets
 * `extra` in its data, and with `submit`, every Action.Execute becomes an Action.Submit with the verb in its
 * data (channels without Universal Actions). One walk, no copy: this runs for every card sent.
 */
function adaptActions(node: Json, extra: Readonly<Record<string, string>>, submit: boolean): void {
  if (Array.isArray(node)) {
    for (const child of node) adaptActions(child, extra, submit);
    return;
  }
  if (!isObject(node)) return;
  for (const key in node) adaptActions(node[key]!, extra, submit);
  const { type } = node;
  if (type !== 'Action.Execute' && type !== 'Action.Submit') return;
  const data: JsonObject = { ...(isObject(node.data) ? node.data : {}), ...extra };
  if (submit && type === 'Action.Execute') {
    data.verb = node.verb ?? null;
    delete node.verb;
    node.type = 'Action.Submit';
  }
  node.data = data;
}
