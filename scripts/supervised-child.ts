/**
 * A helper process started by a script (the Agents Playground, the local Direct Line): its output kept and
 * passed on line by line, its exit (or failure to spawn) awaited, and a stop that escalates to SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';

export interface SupervisedChild {
  /** Everything it wrote, stdout and stderr together. */
  output(): string;
  /** The error of a spawn that failed, if any. */
  spawnError(): Error | undefined;
  /** Resolves when it exits or fails to spawn. */
  readonly exited: Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it is gone. Nothing to do when it already is. */
  stop(): Promise<void>;
}

/** Follows `child` (spawned with stdout and stderr piped); `onData` is told of each chunk as it comes. */
export function supervise(
  child: ChildProcess,
  options: { readonly onOutput?: (line: string) => void; readonly onData?: () => void } = {},
): SupervisedChild {
  let output = '';
  let pending = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) options.onOutput?.(line);
    options.onData?.();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });
  return {
    output: () => output,
    spawnError: () => spawnError,
    exited,
    stop: async () => {
      if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
