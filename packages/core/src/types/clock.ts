/** A source of the current time in epoch milliseconds. Inject one to control time in tests. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();
