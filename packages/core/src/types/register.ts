import type { DefaultSessionData, SessionData } from './session-value.js';

/**
 * Declare your app's session data type once, for every framework adapter:
 *
 * ```ts
 * declare module '@sessions/core' {
 *   interface Register {
 *     sessionData: { userId: string; views: number };
 *   }
 * }
 * ```
 *
 * Adapters default their `Session<Data>` to the registered type.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by apps (declaration merging).
export interface Register {}

/** The app's registered session data type, or {@link DefaultSessionData} when none is registered. */
export type RegisteredSessionData = Register extends { sessionData: infer Data extends SessionData }
  ? Data
  : DefaultSessionData;
