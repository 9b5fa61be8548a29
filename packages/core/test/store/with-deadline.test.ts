import { describe, expect, it } from 'vitest';
import { withDeadline, withTimeout } from '../../src/index.js';

describe('withDeadline', () => {
  it('settles with the work when it finishes in time, passing the deadline instant', async () => {
    const before = Date.now();
    let seen = 0;
    const value = await withDeadline(
      1_000,
      async (deadline) => {
        seen = deadline;
        return 'done';
      },
      'late',
    );
    expect(value).toBe('done');
    expect(seen).toBeGreaterThanOrEqual(before + 1_000);
  });

  it('rejects with the message at the deadline, aborts the signal, and swallows the late failure', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let aborted = false;
    const work = (_deadline: number, signal: AbortSignal) =>
      new Promise<never>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          setTimeout(() => reject(new Error('late failure')), 10);
        });
      });
    await expect(withDeadline(20, work, 'store: load timed out')).rejects.toThrow(
      'store: load timed out',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', onUnhandled);
    expect(aborted).toBe(true);
    expect(unhandled).toEqual([]);
  });

  it('passes through the work failing, or throwing synchronously', async () => {
    await expect(
      withDeadline(1_000, () => Promise.reject(new Error('refused')), 'late'),
    ).rejects.toThrow('refused');
    await expect(
      withDeadline(
        1_000,
        () => {
          throw new Error('sync');
        },
        'late',
      ),
    ).rejects.toThrow('sync');
  });
});

describe('withTimeout', () => {
  it('settles with the work in time, passing the deadline instant', async () => {
    const before = Date.now();
    let seen = 0;
    const value = await withTimeout(
      1_000,
      async (deadline) => {
        seen = deadline;
        return 'done';
      },
      'late',
    );
    expect(value).toBe('done');
    expect(seen).toBeGreaterThanOrEqual(before + 1_000);
  });

  it('rejects with the message at the deadline and swallows the late failure', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const work = () =>
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 60));
    await expect(withTimeout(20, work, 'store: load timed out')).rejects.toThrow(
      'store: load timed out',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('passes through the work failing, or throwing synchronously', async () => {
    await expect(
      withTimeout(1_000, () => Promise.reject(new Error('refused')), 'late'),
    ).rejects.toThrow('refused');
    await expect(
      withTimeout(
        1_000,
        () => {
          throw new Error('sync');
        },
        'late',
      ),
    ).rejects.toThrow('sync');
  });
});
