import type { Sql } from 'postgres';
import { expect } from 'vitest';
import { sleep } from './database.js';

/**
 * Waits until a backend of `applicationName` is blocked on a lock (so a statement of the store is
 * really in flight and waiting), failing after `withinMs`.
 */
export async function waitForLockWait(
  admin: Sql,
  applicationName: string,
  withinMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const rows = await admin`
      select pid from pg_stat_activity
      where application_name = ${applicationName} and wait_event_type = 'Lock'
    `;
    if (rows.length > 0) return;
    expect(Date.now(), `no backend of ${applicationName} waited on a lock`).toBeLessThan(deadline);
    await sleep(20);
  }
}

/** Backends of `applicationName` currently running a statement. */
export async function activeStatements(admin: Sql, applicationName: string): Promise<number> {
  const rows = await admin`
    select pid from pg_stat_activity
    where application_name = ${applicationName} and state = 'active'
  `;
  return rows.length;
}

/** A unique `application_name`, to find one client's backends in `pg_stat_activity`. */
export function uniqueApplicationName(label: string): string {
  return `sessions-test-${label}-${Math.random().toString(36).slice(2, 10)}`;
}
