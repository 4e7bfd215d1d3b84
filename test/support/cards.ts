/** Checks a card as the Adaptive Cards SDK sees it: parse events (errors and warnings) and validation. */
import * as AC from 'adaptivecards';

export function cardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json as AC.PropertyBag, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push(`parse ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) {
    problems.push(`validate ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  return problems;
}

/** Every `${…}` left in the expanded card. */
export function unbound(json: unknown): string[] {
  return JSON.stringify(json).match(/\$\{[^}]*\}/g) ?? [];
}

/** Every TextBlock's text, in order. */
export function texts(json: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      if (typeof o.title === 'string' && typeof o.value === 'string') out.push(`${o.title}: ${o.value}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(json);
  return out;
}

/** Every element whose type starts with `prefix` ("Action.", "Input."), in order. */
function elements(json: unknown, prefix: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith(prefix)) out.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(json);
  return out;
}

/** Every action of any type, in order. */
function allActions(json: unknown): Record<string, unknown>[] {
  return elements(json, 'Action.');
}

/** Every input (Input.Number, Input.ChoiceSet…), in order. */
export function inputs(json: unknown): Record<string, unknown>[] {
  return elements(json, 'Input.');
}

/** Every action that comes back to the bot (type, title, verb and data): links to articles are not among them. */
export function actions(json: unknown): Record<string, unknown>[] {
  return allActions(json).filter((a) => a.type !== 'Action.OpenUrl');
}

/** Every link to an article (Action.OpenUrl): its title and address. */
export function openUrls(json: unknown): { title: string; url: string }[] {
  return allActions(json)
    .filter((a) => a.type === 'Action.OpenUrl')
    .map((a) => ({ title: a.title as string, url: a.url as string }));
}
