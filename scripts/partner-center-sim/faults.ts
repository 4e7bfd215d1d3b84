/**
 * Fault injection, switched on at run time through `POST /_sim/faults`. A rule matches requests by method and
 * path (a regular expression over the path without the query), lets `skip` matches through, then fires
 * `times` times (0: for ever):
 *
 * - `status`: answers `status` at once (429 carries `Retry-After: retryAfterSeconds` and Partner Center's
 *   throttling body; others the error body), before the request is carried out;
 * - `hang`: never answers (the client must time out);
 * - `drop`: closes the connection before the request is carried out;
 * - `drop-after-apply`: carries the request out (an upgrade is applied and its answer stored under its
 *   MS-RequestId), then closes the connection without answering;
 * - `hang-after-apply`: carries the request out, then never answers (a client killed while it waits);
 * - `concurrent-change`: someone else changes the seats of the subscription the path names (to `quantity`, or
 *   one more) just before the request is handled, which then goes on as usual (a PATCH that read the
 *   subscription before meets a stale ETag).
 */
import { z } from 'zod';

export const FaultRuleSchema = z.strictObject({
  method: z.string().toUpperCase().optional(),
  path: z.string().optional(),
  action: z.enum(['status', 'hang', 'drop', 'drop-after-apply', 'hang-after-apply', 'concurrent-change']),
  status: z.number().int().min(400).max(599).optional(),
  /** `concurrent-change`: the seats someone else sets (default one more than now). */
  quantity: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  skip: z.number().int().min(0).default(0),
  times: z.number().int().min(0).default(1),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;

export const FaultsRequestSchema = z.strictObject({ rules: z.array(FaultRuleSchema) });

interface ArmedRule {
  readonly rule: FaultRule;
  readonly pattern: RegExp | undefined;
  seen: number;
  fired: number;
}

export class Faults {
  private rules: ArmedRule[] = [];
  fired = 0;

  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({
      rule,
      pattern: rule.path === undefined ? undefined : new RegExp(rule.path),
      seen: 0,
      fired: 0,
    }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault this request meets, if any (counting it). */
  take(method: string, path: string): FaultRule | undefined {
    for (const armed of this.rules) {
      const { rule, pattern } = armed;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (pattern !== undefined && !pattern.test(path)) continue;
      if (rule.times !== 0 && armed.fired >= rule.times) continue;
      armed.seen++;
      if (armed.seen <= rule.skip) continue;
      armed.fired++;
      this.fired++;
      return rule;
    }
    return undefined;
  }

  pending(): { rule: FaultRule; fired: number }[] {
    return this.rules.map((a) => ({ rule: a.rule, fired: a.fired }));
  }
}
