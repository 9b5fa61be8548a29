import { sha256 } from '@noble/hashes/sha2.js';
import type { HeaderSource } from '../adapter/header-source.js';
import { encodeBase64Url } from '../crypto/base64url.js';
import { SessionError } from '../errors/session-error.js';
import type { ClientBindingOptions, ClientBindingRequest } from './client-binding-options.js';
import { ipNetwork } from './ip-prefix.js';

/** Where an adapter's client address comes from: called only when a binding needs it. */
export type ClientAddressSource = () => string | undefined;

/** Domain separation: these hashes can never equal a store key or any other hash we make. */
const DOMAIN = '@sessions/core client-binding v1';

const encoder = new TextEncoder();

/** Client binding as resolved from {@link ClientBindingOptions}; computes a request's binding. */
export interface ClientBinding {
  /**
   * The binding of the client making this request: a 43-character base64url SHA-256 over the
   * configured attributes (never the raw values). Throws `MISCONFIGURED` when the IP is bound but
   * the adapter gave no client address, or when `fingerprint` returns a non-string.
   */
  compute(headers: HeaderSource, clientAddress: ClientAddressSource | undefined): string;
}

function misconfigured(message: string): SessionError {
  return new SessionError('MISCONFIGURED', `binding: ${message}`);
}

function prefixBits(value: unknown, max: number, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw misconfigured(`ip.${name} must be an integer from 0 to ${max} (got ${String(value)}).`);
  }
  return value as number;
}

/** A field of the hashed text, length-prefixed so no two attribute sets can collide. */
const field = (name: string, value: string): string => `${name}=${value.length}:${value};`;

const KNOWN_KEYS = new Set(['userAgent', 'ip', 'fingerprint']);

/**
 * Validates the manager option `binding` (`MISCONFIGURED` for anything unsafe or that binds
 * nothing); `undefined` when it is absent, so the engine does no binding work at all.
 */
export function resolveClientBinding(
  options: ClientBindingOptions | undefined,
): ClientBinding | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw misconfigured('must be an object such as { userAgent: true }, or omitted.');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      throw misconfigured(`unknown attribute "${key}" (known: userAgent, ip, fingerprint).`);
    }
  }
  const { userAgent = false, ip = false, fingerprint } = options;
  if (typeof userAgent !== 'boolean') throw misconfigured('userAgent must be a boolean.');
  let prefixes: { v4: number; v6: number } | undefined;
  if (ip === true) prefixes = { v4: 32, v6: 128 };
  else if (typeof ip === 'object' && ip !== null) {
    prefixes = {
      v4: prefixBits(ip.v4Prefix, 32, 'v4Prefix'),
      v6: prefixBits(ip.v6Prefix, 128, 'v6Prefix'),
    };
  } else if (ip !== false) {
    throw misconfigured('ip must be a boolean or { v4Prefix, v6Prefix }.');
  }
  if (fingerprint !== undefined && typeof fingerprint !== 'function') {
    throw misconfigured('fingerprint must be a function returning a string.');
  }
  if (!userAgent && prefixes === undefined && fingerprint === undefined) {
    throw misconfigured(
      'binds nothing; turn on userAgent, ip or fingerprint, or omit binding (the default).',
    );
  }
  return {
    compute(headers, clientAddress) {
      let text = DOMAIN;
      if (userAgent) text += field('ua', headers.get('user-agent') ?? '');
      if (prefixes !== undefined) {
        const address = clientAddress?.();
        if (address === undefined || address === '') {
          throw misconfigured(
            'ip is bound but the client address is unknown: the adapter passed none (pass { clientAddress } to manager.session()), or the framework could not tell it (check its trust-proxy setting).',
          );
        }
        text += field('ip', ipNetwork(address, prefixes.v4, prefixes.v6));
      }
      if (fingerprint !== undefined) {
        const request: ClientBindingRequest = {
          headers,
          clientAddress: () => clientAddress?.(),
        };
        const print: unknown = fingerprint(request);
        if (typeof print !== 'string') {
          throw misconfigured(`fingerprint must return a string (got ${typeof print}).`);
        }
        text += field('fp', print);
      }
      return encodeBase64Url(sha256(encoder.encode(text)));
    },
  };
}
