/**
 * A short tag naming a session in logs and audit events: the first 12 characters of its store key
 * (itself a SHA-256 of the ID), so events about one session can be correlated while the tag can
 * never be turned back into the ID or replayed as a cookie (security bar 22).
 */
export function sessionTag(storeKey: string): string {
  return storeKey.slice(0, 12);
}
