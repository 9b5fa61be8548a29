import { Buffer } from 'node:buffer';
import type { RotateResult } from '@sessions/core';
import { decodeRecord, type HashPair, hashPairs } from './decode-record.js';
import type { EncodedPatch } from './encode-record.js';
import {
  ENTRY_EXPIRY_PREFIX,
  FIELD_EXPIRES_AT,
  FIELD_META,
  FIELD_OPS,
  FIELD_SIZE,
  FIELD_USER,
  INTERNAL_FIELD_MARK,
  type SessionKeys,
} from './key-layout.js';
import { rotateAbortScript } from './lua/rotate-abort-script.js';
import { rotateCommitScript } from './lua/rotate-commit-script.js';
import { rotateCopyScript } from './lua/rotate-copy-script.js';
import { newOpId } from './op-id.js';
import type { StoreCommands } from './redis-client.js';
import { runScript } from './run-script.js';
import { fieldValueLength, type ValueArg } from './value-form.js';

/**
 * Copy attempts before giving up on a session that is written to faster than it can be copied
 * (each attempt is two round trips; the operation's deadline usually ends it first).
 */
const MAX_ATTEMPTS = 32;

/**
 * The size of the record a snapshot holds, in the contract's measure (`RecordLimits`, as
 * `record-size.ts` measures it in Lua): its entries, and the UTF-8 bytes of their keys plus their
 * values' lengths (a binary value's without its marker byte, see `value-form.ts`).
 */
export function snapshotSize(pairs: readonly HashPair[]): {
  readonly bytes: number;
  readonly keys: number;
} {
  let bytes = 0;
  let keys = 0;
  for (const [field, value] of pairs) {
    if (field.startsWith(INTERNAL_FIELD_MARK)) continue;
    bytes += Buffer.byteLength(field, 'utf8') + fieldValueLength(value);
    keys += 1;
  }
  return { bytes, keys };
}

/**
 * The copy script's arguments: the snapshot's hash fields with the patch applied, exactly as
 * `LUA_APPLY_PATCH` would, the patch's limits and the snapshot's size (the copy script measures
 * the copy and enforces the limits; its totals field is its own, never the snapshot's). Values are
 * passed on as the snapshot's raw bytes, so text and binary values are copied byte for byte.
 */
function copyArgs(
  opId: string,
  pairs: readonly HashPair[],
  patch: EncodedPatch,
): { readonly args: ValueArg[]; readonly ops: string } {
  const fields = new Map<string, ValueArg>(pairs);
  const text = (field: string) => {
    const value = fields.get(field);
    return value === undefined ? undefined : value.toString();
  };
  const ops = text(FIELD_OPS) ?? '';
  const meta = patch.meta === '' ? text(FIELD_META) : patch.meta;
  if (meta === undefined) throw new Error('redis store: the session hash lacks its meta field');
  const before = snapshotSize(pairs);
  for (const field of [FIELD_OPS, FIELD_META, FIELD_EXPIRES_AT, FIELD_SIZE]) fields.delete(field);
  // A new meta replaces the bound user with it, exactly as LUA_APPLY_PATCH does.
  if (patch.meta !== '') {
    if (patch.user === '') fields.delete(FIELD_USER);
    else fields.set(FIELD_USER, patch.user);
  }
  if (patch.clear) {
    for (const field of fields.keys()) {
      if (!field.startsWith(INTERNAL_FIELD_MARK) || field.startsWith(ENTRY_EXPIRY_PREFIX)) {
        fields.delete(field);
      }
    }
  }
  for (const key of patch.remove) {
    fields.delete(key);
    fields.delete(`${ENTRY_EXPIRY_PREFIX}${key}`);
  }
  for (let i = 0; i < patch.set.length; i += 3) {
    const key = String(patch.set[i] ?? '');
    const value = patch.set[i + 1] ?? '';
    const expiry = String(patch.set[i + 2] ?? '');
    fields.set(key, value);
    if (expiry === '') fields.delete(`${ENTRY_EXPIRY_PREFIX}${key}`);
    else fields.set(`${ENTRY_EXPIRY_PREFIX}${key}`, expiry);
  }
  const args: ValueArg[] = [
    opId,
    patch.expireAt,
    meta,
    patch.expiresAt,
    ops,
    patch.maxBytes,
    patch.maxKeys,
    String(before.bytes),
    String(before.keys),
  ];
  for (const [field, value] of fields) args.push(field, value);
  return { args, ops };
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('redis store: rotate stopped at its deadline');
}

function unexpected(script: string, reply: unknown): Error {
  return new Error(`redis store: unexpected reply from the ${script} script: ${String(reply)}`);
}

/**
 * Rotation when the old and new keys may live on different Cluster nodes, where no single script
 * may touch both. New before old, and no lost writes:
 *
 * 1. Read the old hash (`HGETALL`); gone → `missing`.
 * 2. In the new key's slot, write the patched copy unless another record is live there
 *    (`conflict`, nothing written) or the copy would exceed the patch's limits while growing the
 *    snapshot's size (`too-large`, nothing written and an earlier attempt's copy removed; the old
 *    record is left as it is). Nobody else knows the new key, so the copy is invisible.
 * 3. In the old key's slot, delete the old hash only if its write ids (its version) are still
 *    the ones read in step 1, leaving a tombstone. If a patch or touch landed in between, the
 *    script returns the current hash and steps 2-3 repeat with it, so a write that reported `ok`
 *    on the old key is always carried over, and one arriving after the delete reports `missing`.
 *    If the old hash was destroyed or expired meanwhile, the copy is removed and the result is
 *    `missing`: the rotation never resurrects a session.
 *
 * The deletion in step 3 is the rotation's single linearization point, so callers observe the
 * same behaviour as the standalone one-script rotation. It costs 3 round trips (more only while
 * racing writes). If the process dies or the deadline passes between steps 2 and 3, the old
 * session stays valid and the unreferenced copy expires at the patch's `expiresAt`.
 */
export async function rotateAcrossSlots(
  client: StoreCommands,
  from: SessionKeys,
  to: SessionKeys,
  patch: EncodedPatch,
  deadline: number,
  signal: AbortSignal,
): Promise<RotateResult> {
  // Always as bytes (binary values are copied as they are); a rotation is not the hot path.
  let pairs = hashPairs(await client.hgetallBuffer(from.record));
  // Validate the snapshot as a record (a corrupt hash is an error, never a silent copy).
  if (decodeRecord(pairs) === undefined) return 'missing';
  if (from.record === to.record) return 'conflict';
  const opId = newOpId();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { args, ops } = copyArgs(opId, pairs, patch);
    stopIfAborted(signal);
    const copied = await runScript(
      client,
      rotateCopyScript,
      [to.record, to.revoked],
      args,
      deadline,
    );
    if (copied === 'conflict' || copied === 'too-large') return copied;
    if (copied !== 'ok') throw unexpected(rotateCopyScript.name, copied);
    stopIfAborted(signal);
    // Read as bytes: a changed hash comes back whole, binary values included.
    const committed = await runScript(
      client,
      rotateCommitScript,
      [from.record, from.tombstone],
      [opId, ops],
      deadline,
      'bytes',
    );
    if (!Array.isArray(committed)) throw unexpected(rotateCommitScript.name, committed);
    const [head, ...current] = committed as unknown[];
    const status = Buffer.isBuffer(head) ? head.toString('utf8') : head;
    if (status === 'ok') return 'ok';
    if (status === 'missing') {
      // Best effort: if it fails, the copy nobody can reach expires at its TTL.
      await runScript(client, rotateAbortScript, [to.record], [opId], deadline).catch(() => 0);
      return 'missing';
    }
    if (status !== 'changed') throw unexpected(rotateCommitScript.name, status);
    pairs = hashPairs(current);
  }
  throw new Error(
    `redis store: rotate gave up after ${MAX_ATTEMPTS} attempts; the session kept changing`,
  );
}
