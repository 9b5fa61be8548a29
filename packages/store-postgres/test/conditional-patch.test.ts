import {
  type EntryCondition,
  isSessionError,
  type SessionMeta,
  type SessionPatch,
  type SessionRecord,
  type StoredValue,
} from '@sessions/core';
import { createTestKey } from '@sessions/testing';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { uniqueApplicationName, waitForLockWait } from './support/activity.js';
import { connect, databaseAvailable, dropSchema, uniqueSchema } from './support/database.js';

const available = await databaseAvailable();

const HOUR = 3_600_000;

function record(entries: Record<string, string>, meta?: Partial<SessionMeta>): SessionRecord {
  return {
    entries: new Map(Object.entries(entries).map(([key, value]) => [key, { value }])),
    meta: { createdAt: Date.now(), ...meta },
    expiresAt: Date.now() + HOUR,
  };
}

function setting(entries: Record<string, string>, meta?: SessionMeta): SessionPatch {
  return {
    set: new Map(Object.entries(entries).map(([key, value]) => [key, { value }])),
    remove: [],
    clear: false,
    expiresAt: Date.now() + 2 * HOUR,
    ...(meta === undefined ? {} : { meta }),
  };
}

/** Settles `promise` and reports what it gave and how long it took. */
async function timed<T>(promise: Promise<T>) {
  const start = Date.now();
  try {
    return { ok: true as const, value: await promise, ms: Date.now() - start };
  } catch (error) {
    return { ok: false as const, error, ms: Date.now() - start };
  }
}

describe.skipIf(!available)('patchIf', () => {
  const schema = uniqueSchema('patchif');
  let admin: Sql;
  /** The store's own client: one connection, every statement it sends recorded. */
  let sql: Sql;
  let store: PostgresStore;
  const sent: string[] = [];
  const clients: Sql[] = [];

  /** A store on a client of its own, whose backends carry a unique application_name. */
  function lockableStore(label: string, timeoutMs?: number) {
    const applicationName = uniqueApplicationName(label);
    const client = connect({ max: 2, connection: { application_name: applicationName } });
    clients.push(client);
    return { store: createPostgresStore(client, { schema, timeoutMs }), applicationName };
  }

  /** The row's version (`xmin`), `updated_at`, `user_id` and `n`, read behind the store's back. */
  async function rowState(key: string) {
    const [row] = await admin`
      select xmin::text as version, updated_at::text as updated_at, user_id,
        data->'n'->>'v' as n
      from ${admin(schema)}.sessions where key = ${key}
    `;
    return row;
  }

  async function storedValue(key: string, entry = 'n'): Promise<StoredValue | undefined> {
    return (await store.load(key))?.entries.get(entry)?.value;
  }

  beforeAll(async () => {
    admin = connect({ max: 6 });
    sql = connect({ max: 1, debug: (_connection, query) => sent.push(query) });
    store = createPostgresStore(sql, { schema });
    await store.migrate();
    // Warm up: the connection is open and the statement prepared before anything is counted.
    const key = createTestKey();
    await store.create(key, record({ n: '0' }));
    await store.patchIf(key, { key: 'n', value: '0' }, setting({ n: '1' }));
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end({ timeout: 1 })));
    await dropSchema(admin, schema);
    await Promise.all([admin.end({ timeout: 5 }), sql.end({ timeout: 5 })]);
  });

  it('is one statement whatever the outcome, and a conflict writes no row version', async () => {
    const key = createTestKey();
    await store.create(key, record({ n: '1' }));
    const before = await rowState(key);

    sent.length = 0;
    expect(await store.patchIf(key, { key: 'n', value: '0' }, setting({ n: '2' }))).toBe(
      'conflict',
    );
    expect(sent, 'a conflict').toHaveLength(1);
    expect(sent[0]).toMatch(/^\s*with/);
    expect(await rowState(key), 'nothing written: same row version').toEqual(before);

    sent.length = 0;
    expect(await store.patchIf(key, { key: 'n', value: '1' }, setting({ n: '2' }))).toBe('ok');
    expect(sent, 'an applied patchIf').toHaveLength(1);
    const after = await rowState(key);
    expect(after?.version, 'a new row version').not.toBe(before?.version);
    expect(after?.n).toBe('2');

    sent.length = 0;
    expect(
      await store.patchIf(createTestKey(), { key: 'n', value: '1' }, setting({ n: '2' })),
    ).toBe('missing');
    expect(sent, 'a missing record').toHaveLength(1);
  });

  it('rejects input Postgres cannot hold before any I/O', async () => {
    const key = createTestKey();
    await store.create(key, record({ n: '1' }));
    sent.length = 0;
    const bad: [EntryCondition, string][] = [
      [{ key: 'n\u0000', value: '1' }, 'INVALID_KEY'],
      [{ key: '', value: '1' }, 'INVALID_KEY'],
      [{ key: 'n', value: 1 as unknown as string }, 'INVALID_VALUE'],
    ];
    for (const [condition, code] of bad) {
      const outcome = await timed(store.patchIf(key, condition, setting({ n: '2' })));
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(isSessionError(outcome.error, code as 'INVALID_KEY')).toBe(true);
    }
    expect(sent).toEqual([]);
    expect(await storedValue(key)).toBe('1');
  });

  it('compares byte for byte, including values stored in the `j` form', async () => {
    // [stored, a different text that some layer might take for the same value]
    const pairs: [string, string | undefined][] = [
      ['1e3', '1000'],
      ['{"a":1,"b":2}', '{"b":2,"a":1}'],
      ['"\u00e9"', '"e\u0301"'], // NFC vs NFD
      ['"A"', '"a"'],
      ['1', '1 '],
      ['', undefined], // an empty value is present, not absent
      ['a\u0000b', JSON.stringify('a\u0000b')], // `j` form vs that literal as a plain value
      ['a\u0000b', 'a\u0000c'],
      ['\ud800x', '\ufffdx'], // a lone surrogate vs what a lossy encoder would send
    ];
    for (const [stored, other] of pairs) {
      const key = createTestKey();
      await store.create(key, record({ n: stored }));
      const label = JSON.stringify({ stored, other });
      expect(await store.patchIf(key, { key: 'n', value: other }, setting({ n: 'x' })), label).toBe(
        'conflict',
      );
      expect(await storedValue(key), label).toBe(stored);
      expect(
        await store.patchIf(key, { key: 'n', value: stored }, setting({ n: 'x' })),
        label,
      ).toBe('ok');
      expect(await storedValue(key), label).toBe('x');
    }
    // And the condition's key is an exact name too (control characters, `__proto__`, quotes).
    for (const name of ['\u0001flash:n', '__proto__', "it's", 'a.b', '{n}']) {
      const key = createTestKey();
      await store.create(key, record({ [name]: '1' }));
      expect(await store.patchIf(key, { key: name, value: '1' }, setting({ [name]: '2' }))).toBe(
        'ok',
      );
      expect(await storedValue(key, name)).toBe('2');
    }
  });

  it("an entry's own expiry is checked on the database's clock", async () => {
    const key = createTestKey();
    const now = Date.now();
    await store.create(key, {
      entries: new Map([
        ['past', { value: '1', expiresAt: now - 60_000 }],
        ['future', { value: '1', expiresAt: now + 60_000 }],
      ]),
      meta: { createdAt: now },
      expiresAt: now + HOUR,
    });
    expect(await store.patchIf(key, { key: 'past', value: '1' }, setting({ a: '1' }))).toBe(
      'conflict',
    );
    expect(await store.patchIf(key, { key: 'future', value: undefined }, setting({ a: '1' }))).toBe(
      'conflict',
    );
    expect(await store.patchIf(key, { key: 'future', value: '1' }, setting({ a: '1' }))).toBe('ok');
    expect(
      await store.patchIf(key, { key: 'past', value: undefined }, setting({ past: '2' })),
    ).toBe('ok');
    expect((await store.load(key))?.entries.get('past')).toEqual({ value: '2' });
  });

  it('writes user_id from the meta exactly as patch does, and nothing on a conflict', async () => {
    const key = createTestKey();
    await store.create(key, record({ n: '1' }));
    const meta = (userId?: string): SessionMeta => ({
      createdAt: 1,
      ...(userId === undefined ? {} : { userId }),
    });
    expect(await store.patchIf(key, { key: 'n', value: '0' }, setting({}, meta('ada')))).toBe(
      'conflict',
    );
    expect((await rowState(key))?.user_id).toBeNull();
    expect(
      await store.patchIf(key, { key: 'n', value: '1' }, setting({ n: '2' }, meta('ada'))),
    ).toBe('ok');
    expect((await rowState(key))?.user_id).toBe('ada');
    expect(await store.listUserSessions('ada')).toEqual([
      expect.objectContaining({ key, meta: meta('ada') }),
    ]);
    // Without meta the column stays; with a meta naming nobody it is cleared.
    expect(await store.patchIf(key, { key: 'n', value: '2' }, setting({ n: '3' }))).toBe('ok');
    expect((await rowState(key))?.user_id).toBe('ada');
    expect(await store.patchIf(key, { key: 'n', value: '3' }, setting({ n: '4' }, meta()))).toBe(
      'ok',
    );
    expect((await rowState(key))?.user_id).toBeNull();
  });

  describe('waiting on the row lock of a concurrent write', () => {
    /**
     * Runs `write` in a transaction, starts `patchIf` (which then waits on the row lock), and
     * commits once it is really waiting; returns the `patchIf` outcome.
     */
    async function behind(
      key: string,
      write: (tx: Sql) => Promise<unknown>,
      condition: EntryCondition,
      patch: SessionPatch,
    ) {
      const { store: waiting, applicationName } = lockableStore('patchif-lock');
      let pending: Promise<unknown> | undefined;
      await admin.begin(async (tx) => {
        await write(tx as unknown as Sql);
        pending = waiting.patchIf(key, condition, patch);
        await waitForLockWait(admin, applicationName);
      });
      return pending;
    }

    it('re-checks its condition against the committed write: conflict, the write stands', async () => {
      const key = createTestKey();
      await store.create(key, record({ n: '1' }));
      const result = await behind(
        key,
        (tx) => tx`
          update ${tx(schema)}.sessions set data = jsonb_set(data, '{n,v}', '"2"')
          where key = ${key}
        `,
        { key: 'n', value: '1' },
        setting({ n: 'lost update' }),
      );
      expect(result).toBe('conflict');
      expect(await storedValue(key)).toBe('2');
    });

    it('applies on top of a committed write of another entry, keeping both', async () => {
      const key = createTestKey();
      await store.create(key, record({ n: '1' }));
      const result = await behind(
        key,
        (tx) => tx`
          update ${tx(schema)}.sessions
          set data = data || jsonb_build_object('other', jsonb_build_object('v', 'o', 'o', 9))
          where key = ${key}
        `,
        { key: 'n', value: '1' },
        setting({ n: '2' }),
      );
      expect(result).toBe('ok');
      expect(await storedValue(key)).toBe('2');
      expect(await storedValue(key, 'other')).toBe('o');
    });

    it('behind a destroy it is missing (not conflict), and resurrects nothing', async () => {
      const key = createTestKey();
      await store.create(key, record({ n: '1' }));
      const result = await behind(
        key,
        (tx) => tx`delete from ${tx(schema)}.sessions where key = ${key}`,
        { key: 'n', value: '1' },
        setting({ n: '2' }),
      );
      expect(result).toBe('missing');
      expect(await store.load(key)).toBeUndefined();
    });

    it('behind another patchIf expecting the same value: exactly one applies', async () => {
      const key = createTestKey();
      await store.create(key, record({ n: '1' }));
      const { store: first } = lockableStore('patchif-first');
      const { store: second, applicationName } = lockableStore('patchif-second');
      let results: unknown[] = [];
      await admin.begin(async (tx) => {
        await tx`select 1 from ${tx(schema)}.sessions where key = ${key} for update`;
        const a = first.patchIf(key, { key: 'n', value: '1' }, setting({ n: 'a' }));
        const b = second.patchIf(key, { key: 'n', value: '1' }, setting({ n: 'b' }));
        await waitForLockWait(admin, applicationName);
        results = [a, b];
      });
      const settled = await Promise.all(results);
      expect([...settled].sort()).toEqual(['conflict', 'ok']);
      expect(await storedValue(key)).toBe(settled[0] === 'ok' ? 'a' : 'b');
    });

    it('past its deadline it fails and writes nothing', async () => {
      const key = createTestKey();
      await store.create(key, record({ n: '1' }));
      const { store: late, applicationName } = lockableStore('patchif-deadline', 500);
      let outcome: Awaited<ReturnType<typeof timed>> | undefined;
      await admin.begin(async (tx) => {
        await tx`select 1 from ${tx(schema)}.sessions where key = ${key} for update`;
        const pending = timed(late.patchIf(key, { key: 'n', value: '1' }, setting({ n: '2' })));
        await waitForLockWait(admin, applicationName);
        outcome = await pending;
      });
      expect(outcome?.ok).toBe(false);
      expect(String(outcome?.ok === false && outcome.error)).toMatch(/500 ms deadline/);
      expect(await storedValue(key)).toBe('1');
    });
  });
});
