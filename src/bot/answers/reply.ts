/** What an answer is before it is sent: a text (always) and optionally a card and suggested questions. */
import type { CardSpec } from '../cards/data.js';

export interface Reply {
  /** The short text summary: notifications, screen readers, clients without cards. */
  readonly text: string;
  readonly card?: CardSpec;
  /** Questions offered as buttons (suggested actions). */
  readonly suggestions?: readonly string[];
  /** Teams: the card refreshes itself from this confirm token when viewed (a confirm card, "in progress"). */
  readonly refreshToken?: string;
  /** The customer the answer is about: a follow-up question without a name is about this one. */
  readonly about?: string;
  /** The subscription of that customer the answer is about, when it is about one (an upgrade prepared for it). */
  readonly subscription?: string;
}
