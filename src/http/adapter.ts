/** botbuilder's CloudAdapter, entered with a request that was authenticated already (see messages.ts). */
import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from './authentication.js';

export class BotAdapter extends CloudAdapter {
  /** Runs the turn; resolves with the invoke (or expectReplies) response, if there is one. */
  processAuthenticated(
    authenticated: AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}
