import { describe, expect, it } from 'vitest';
import { newOpId, OP_ID_LENGTH } from '../src/op-id.js';

describe('write ids', () => {
  it('have a fixed length, base64url characters, and never repeat within a process', () => {
    const ids = Array.from({ length: 100_000 }, newOpId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 1_000)) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([OP_ID_LENGTH]));
  });

  it('consecutive ids differ in their last characters only (the counter), after a random prefix', () => {
    const [a = '', b = ''] = [newOpId(), newOpId()];
    expect(a.slice(0, 6)).toBe(b.slice(0, 6));
    expect(a.slice(6)).not.toBe(b.slice(6));
  });
});
