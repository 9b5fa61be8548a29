import type { SessionPatch, SessionRecord } from '@sessions/core';
import { createTestKey } from '@sessions/testing';

/** A fresh store key. */
export const newKey = createTestKey;

/** A record holding `entries` (key → value), live for an hour from `now`. */
export function recordOf(
  now: number,
  entries: Readonly<Record<string, string>> = {},
  expiresInMs = 3_600_000,
): SessionRecord {
  return {
    entries: new Map(Object.entries(entries).map(([key, value]) => [key, { value }])),
    meta: { createdAt: now },
    expiresAt: now + expiresInMs,
  };
}

/** A patch setting `entries`, moving the expiry to two hours from `now`. */
export function patchOf(
  now: number,
  entries: Readonly<Record<string, string>> = {},
  remove: readonly string[] = [],
): SessionPatch {
  return {
    set: new Map(Object.entries(entries).map(([key, value]) => [key, { value }])),
    remove: [...remove],
    clear: false,
    expiresAt: now + 7_200_000,
  };
}

/** A record's entries as a plain object (values only), for `toEqual`. */
export function valuesOf(record: SessionRecord | undefined): Record<string, string> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(
    [...record.entries].map(([key, entry]) => [key, entry.value as string]),
  );
}
