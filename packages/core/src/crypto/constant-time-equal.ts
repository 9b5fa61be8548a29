/**
 * Compares two byte arrays in time that depends only on their length (never on where they first
 * differ), for checking MACs. Arrays of different lengths are unequal; callers compare fixed-size
 * MACs, so the length is no secret.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
