import { SessionError } from '../errors/session-error.js';
import { isBase64UrlAlphabet } from './base64url.js';
import { generateSessionId, isWellFormedSessionId, SESSION_ID_LENGTH } from './session-id.js';

/** Longest ID a custom `generateId` may return (a tenant prefix plus the random part). */
export const MAX_CUSTOM_SESSION_ID_LENGTH = 128;

/**
 * Fewest characters in which the samples of a custom `generateId` must differ: the default ID's
 * 43 base64url characters (256 bits), so a prefix or suffix may be added but never replace them.
 */
export const MIN_SESSION_ID_RANDOM_CHARS = SESSION_ID_LENGTH;

/** How many IDs a custom `generateId` is asked for at start-up, to check it. */
const SAMPLES = 8;

/** Length of a token's `.<signature>` suffix (a 43-character HMAC-SHA-256 in base64url). */
const SIGNATURE_SUFFIX_LENGTH = 44;

/**
 * The shape of the session IDs a manager mints and accepts: the default (43 canonical base64url
 * characters from `generateSessionId`) or the checked shape of a custom `generateId`.
 */
export interface SessionIdFormat {
  /** Mints a new ID in this format. */
  readonly generate: () => string;
  /** True when `id` has this format; checked before any crypto or store access. */
  readonly isWellFormed: (id: string) => boolean;
  /** Shortest signed token (`<id>.<signature>`) in this format. */
  readonly minTokenLength: number;
  /** Longest signed token in this format. */
  readonly maxTokenLength: number;
}

/** The default format: `generateSessionId`, exactly 43 characters of canonical base64url. */
export const DEFAULT_SESSION_ID_FORMAT: SessionIdFormat = {
  generate: generateSessionId,
  isWellFormed: isWellFormedSessionId,
  minTokenLength: SESSION_ID_LENGTH + SIGNATURE_SUFFIX_LENGTH,
  maxTokenLength: SESSION_ID_LENGTH + SIGNATURE_SUFFIX_LENGTH,
};

/**
 * True when `id` has the shape every custom ID must have: 43 to 128 characters, all base64url
 * (`A-Z a-z 0-9 - _`), so it is safe in a cookie, a header and a store key, and the token's `.`
 * separator stays unambiguous.
 */
export function isWellFormedCustomSessionId(id: string): boolean {
  return (
    typeof id === 'string' &&
    id.length >= MIN_SESSION_ID_RANDOM_CHARS &&
    id.length <= MAX_CUSTOM_SESSION_ID_LENGTH &&
    isBase64UrlAlphabet(id)
  );
}

function misconfigured(message: string, cause?: unknown): SessionError {
  return new SessionError(
    'MISCONFIGURED',
    `generateId ${message}; return a tenant prefix plus generateSessionId(), e.g. () => \`acme_\${generateSessionId()}\`.`,
    cause === undefined ? undefined : { cause },
  );
}

function sample(generateId: () => string): string {
  let id: unknown;
  try {
    id = generateId();
  } catch (error) {
    throw misconfigured('threw when called at start-up (it must work outside a request)', error);
  }
  if (typeof id !== 'string' || !isWellFormedCustomSessionId(id)) {
    throw misconfigured(
      `must return ${MIN_SESSION_ID_RANDOM_CHARS} to ${MAX_CUSTOM_SESSION_ID_LENGTH} base64url characters (A-Z a-z 0-9 - _), got ${typeof id === 'string' ? `${id.length} characters` : typeof id}`,
    );
  }
  return id;
}

/** Length of the prefix every string in `ids` shares. */
function commonPrefixLength(ids: readonly string[]): number {
  const first = ids[0] as string;
  let length = first.length;
  for (const id of ids) {
    let i = 0;
    while (i < length && i < id.length && id.charCodeAt(i) === first.charCodeAt(i)) i++;
    length = i;
  }
  return length;
}

/** Length of the suffix every string in `ids` shares. */
function commonSuffixLength(ids: readonly string[]): number {
  return commonPrefixLength(ids.map((id) => [...id].reverse().join('')));
}

/**
 * How many positions in `[from, to)` hold different characters across `ids`: fixed characters
 * between varying ones (a timestamp padded with zeros, say) do not count.
 */
function varyingPositions(ids: readonly string[], from: number, to: number): number {
  const first = ids[0] as string;
  let varied = 0;
  for (let i = from; i < to; i++) {
    const char = first.charCodeAt(i);
    if (ids.some((id) => id.charCodeAt(i) !== char)) varied++;
  }
  return varied;
}

/**
 * The format for the manager option `generateId`: the default when absent; otherwise the
 * generator is called 8 times now and must return distinct well-formed IDs (see
 * {@link isWellFormedCustomSessionId}) that, once the prefix and suffix they all share are set
 * aside (a tenant tag, say), still differ in at least 43 character positions. That rule catches constants,
 * counters, timestamps, UUIDs and short tokens; it cannot prove randomness, so the varying part
 * must come from `generateSessionId()` (or another CSPRNG). IDs minted later are checked for
 * shape too (`MISCONFIGURED` at the write that needed one). Presented tokens are accepted in the
 * same shape (43 to 128 base64url characters, then the signature), checked before any crypto.
 */
export function resolveSessionIdFormat(generateId: (() => string) | undefined): SessionIdFormat {
  if (generateId === undefined) return DEFAULT_SESSION_ID_FORMAT;
  if (typeof generateId !== 'function') throw misconfigured('must be a function');
  const ids = Array.from({ length: SAMPLES }, () => sample(generateId));
  if (new Set(ids).size !== SAMPLES) throw misconfigured('returned the same ID twice');
  const shortest = Math.min(...ids.map((id) => id.length));
  const varied = varyingPositions(ids, commonPrefixLength(ids), shortest - commonSuffixLength(ids));
  if (varied < MIN_SESSION_ID_RANDOM_CHARS) {
    throw misconfigured(
      `must vary in at least ${MIN_SESSION_ID_RANDOM_CHARS} characters (256 random bits as base64url) besides a fixed prefix or suffix; its IDs varied in ${varied}`,
    );
  }
  return {
    generate() {
      const id = generateId();
      if (!isWellFormedCustomSessionId(id)) {
        throw misconfigured(
          `returned an ID outside ${MIN_SESSION_ID_RANDOM_CHARS} to ${MAX_CUSTOM_SESSION_ID_LENGTH} base64url characters; nothing was stored`,
        );
      }
      return id;
    },
    isWellFormed: isWellFormedCustomSessionId,
    minTokenLength: MIN_SESSION_ID_RANDOM_CHARS + SIGNATURE_SUFFIX_LENGTH,
    maxTokenLength: MAX_CUSTOM_SESSION_ID_LENGTH + SIGNATURE_SUFFIX_LENGTH,
  };
}
