/** Errors of the storage layer that stop start-up or a write with a message an operator can act on. */

/** The data directory or the database cannot be used. Names the path, the problem and what to do. */
export class StorageError extends Error {
  /** The data directory or database file concerned. */
  readonly path: string;
  /** What is wrong, in a few words. */
  readonly problem: string;
  /** What the operator should do about it. */
  readonly advice: string;

  constructor(path: string, problem: string, advice: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}. ${advice}`, options);
    this.name = 'StorageError';
    this.path = path;
    this.problem = problem;
    this.advice = advice;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The SQLite (or Node system) error code of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : undefined;
}
