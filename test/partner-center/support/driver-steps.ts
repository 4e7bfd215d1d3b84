/**
 * What the driver processes (the client's, the adapters') share: a control call to the simulator, and running
 * the steps one after another, each error kept as its name, message, status and code.
 */
import type { StepResult } from './client-driver.js';

export interface ControlStep {
  readonly op: 'control';
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** A call to one of the simulator's control endpoints (`/_sim/…`). */
export async function control(baseUrl: string, step: ControlStep): Promise<unknown> {
  const response = await fetch(new URL(step.path, baseUrl), {
    method: step.method,
    ...(step.body === undefined
      ? {}
      : { body: JSON.stringify(step.body), headers: { 'Content-Type': 'application/json' } }),
  });
  return response.json();
}

/** Runs the steps in order: each one's result or error, and how long it took (ms). */
export async function runSteps<S>(
  steps: readonly S[],
  run: (step: S) => Promise<unknown>,
): Promise<{ results: StepResult[]; stepMs: number[] }> {
  const results: StepResult[] = [];
  const stepMs: number[] = [];
  for (const step of steps) {
    const started = performance.now();
    try {
      results.push({ ok: true, value: await run(step) });
    } catch (error) {
      const e = error as Error & { status?: unknown; code?: unknown; reasons?: unknown };
      const code = e.reasons ?? e.code;
      results.push({
        ok: false,
        error: {
          name: e.name,
          message: e.message,
          ...(typeof e.status === 'number' ? { status: e.status } : {}),
          ...(code === undefined ? {} : { code }),
        },
      });
    }
    stepMs.push(Math.round(performance.now() - started));
  }
  return { results, stepMs };
}
