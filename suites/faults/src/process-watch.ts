/** What the process reported while a scenario ran: both must stay empty. */
export interface ProcessWatch {
  readonly unhandledRejections: unknown[];
  readonly uncaughtExceptions: unknown[];
  /** Removes the listeners. */
  dispose(): void;
}

/**
 * Counts `unhandledRejection` and `uncaughtException` events. (Listening to `uncaughtException`
 * also keeps the process alive, so a scenario can report the crash it would have been.)
 */
export function watchProcess(): ProcessWatch {
  const unhandledRejections: unknown[] = [];
  const uncaughtExceptions: unknown[] = [];
  const onRejection = (reason: unknown) => unhandledRejections.push(reason);
  const onException = (error: unknown) => uncaughtExceptions.push(error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    unhandledRejections,
    uncaughtExceptions,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
