import type { HeaderSource } from '../adapter/header-source.js';
import { sessionStoreKey } from '../crypto/hash-session-id.js';
import { SessionError } from '../errors/session-error.js';
import type { SessionConfig } from '../manager/session-config.js';

/** The session a request presents, once its token is verified. */
export interface PresentedIdentity {
  /** The verified session ID. */
  readonly id: string;
  /** Its store key (SHA-256 of the ID). */
  readonly key: string;
  /** True when an older secret signed it. */
  readonly signedWithOldKey: boolean;
  /** The token as presented; re-issued as is while it is signed with the newest secret. */
  readonly token: string;
}

/** More distinct well-shaped tokens than this in one request is treated as an attack. */
export const MAX_CANDIDATE_TOKENS = 4;

/**
 * Reports `session-ambiguous` and returns the `AMBIGUOUS_SESSION` error for a request carrying
 * several different valid tokens (shared with the sealed-cookie manager).
 */
export function ambiguousSession(config: SessionConfig): SessionError {
  config.emit({ type: 'session-ambiguous' });
  return new SessionError(
    'AMBIGUOUS_SESSION',
    'the request carries several different session tokens; clear the duplicate session cookies (check cookies set for other paths or parent domains) and retry.',
  );
}

/**
 * Finds the session a request presents: reads every token the transport sees, drops malformed ones
 * by shape before any crypto, verifies the rest, and fails closed when two different valid IDs
 * arrive together. Returns `undefined` for "no session". Performs no store I/O.
 */
export async function resolveIdentity(
  config: SessionConfig,
  headers: HeaderSource,
): Promise<PresentedIdentity | undefined> {
  const tokens = config.transport.read(headers);
  if (tokens.length === 0) return undefined;
  const candidates = new Set<string>();
  // Shape by length first (fixed for default IDs, bounded for a custom `generateId`).
  const { minTokenLength, maxTokenLength } = config.idFormat;
  for (const token of tokens) {
    if (token.length >= minTokenLength && token.length <= maxTokenLength) candidates.add(token);
    else config.emit({ type: 'token-rejected', reason: 'malformed' });
  }
  if (candidates.size > MAX_CANDIDATE_TOKENS) throw ambiguousSession(config);
  if (candidates.size === 1) {
    // The common case, a returning visitor: one token, probably verified before.
    const remembered = config.verifiedTokens.get(candidates.values().next().value as string);
    if (remembered !== undefined) return remembered;
  }
  let found: { id: string; signedWithOldKey: boolean; token: string } | undefined;
  for (const token of candidates) {
    const verified = await config.signer.verify(token);
    if (verified === undefined) {
      config.emit({ type: 'token-rejected', reason: 'bad-signature' });
    } else if (found === undefined) {
      found = { ...verified, token };
    } else if (found.id !== verified.id) {
      throw ambiguousSession(config);
    } else if (!verified.signedWithOldKey) {
      found = { ...verified, token };
    }
  }
  if (found === undefined) return undefined;
  const identity: PresentedIdentity = {
    id: found.id,
    key: sessionStoreKey(found.id),
    signedWithOldKey: found.signedWithOldKey,
    token: found.token,
  };
  config.verifiedTokens.remember(identity);
  return identity;
}
