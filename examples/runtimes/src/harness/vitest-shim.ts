/**
 * The `vitest` module as the runtime bundles see it: the bundler aliases every `import ... from
 * 'vitest'` in the bundled test files to this file, so the same test files run on Node, Bun, Deno
 * and workerd without Vitest's runner (which needs Node's workers, `node:` modules and Vite).
 *
 * Assertions are Vitest's own: `expect` is built from `@vitest/expect` (Jest's matchers on chai,
 * asymmetric matchers, `.rejects`) and `vi.fn`/`vi.spyOn` are `@vitest/spy`, both at Vitest's
 * exact version, so a matcher means on every runtime what it means under `vitest run`. This file
 * adds the small part of the runner the bundled tests use: `describe`/`it`/`test` (with `.each`,
 * `.skip`, `.todo`), the four hooks (hooks may return a teardown), per-test timeouts, a test
 * context with `skip(note)` / `skip(condition, note)` only, and fake timers
 * (`setTimeout`/`setInterval` and their `clear*`; `Date` stays real). Anything else (`it.only`,
 * `vi.mock`, `expect.poll`, other test-context members, ...) throws, so a test file using more
 * fails loudly instead of being misread.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  ChaiStyleAssertions,
  chai,
  customMatchers,
  type ExpectStatic,
  GLOBAL_EXPECT,
  getState,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
} from '@vitest/expect';
import * as spies from '@vitest/spy';
import { printDiffOrStringify } from '@vitest/utils/diff';

// ---------------------------------------------------------------------------------------------
// expect: assembled as Vitest's createExpect() does, minus snapshots, polling and soft mode.

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(ChaiStyleAssertions);
chai.use(JestAsymmetricMatchers);

function createExpect(): ExpectStatic {
  const expect = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expect);
    setState({ assertionCalls: assertionCalls + 1 }, expect);
    return chai.expect(value, message);
  }) as unknown as ExpectStatic;
  Object.assign(expect, chai.expect);
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
  expect.getState = () => getState(expect);
  expect.setState = (state) => setState(state, expect);
  setState(
    {
      assertionCalls: 0,
      isExpectingAssertions: false,
      isExpectingAssertionsError: null,
      expectedAssertionsNumber: null,
      expectedAssertionsNumberErrorGen: null,
      currentTestName: '',
    },
    expect,
  );
  // JestExtend adds `extend(expect, matchers)` to chai.expect, which its types do not declare.
  const chaiExpect = chai.expect as unknown as {
    extend: (target: ExpectStatic, matchers: Parameters<ExpectStatic['extend']>[0]) => void;
  };
  expect.extend = (matchers) => chaiExpect.extend(expect, matchers);
  expect.unreachable = (message?: string): never => {
    chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`);
    throw new Error('unreachable');
  };
  expect.extend(customMatchers);
  return expect;
}

export const expect: ExpectStatic = createExpect();
Object.defineProperty(globalThis, GLOBAL_EXPECT, {
  value: expect,
  writable: true,
  configurable: true,
});

// ---------------------------------------------------------------------------------------------
// Collection.

type Awaitable<T> = T | Promise<T>;
type Hook = () => Awaitable<unknown>;
type TestFunction = (...args: never[]) => Awaitable<unknown>;

interface TimedHook {
  readonly fn: Hook;
  readonly timeout: number;
}

interface Suite {
  readonly kind: 'suite';
  readonly name: string;
  readonly parent: Suite | undefined;
  readonly items: (Suite | Test)[];
  readonly beforeAll: TimedHook[];
  readonly afterAll: TimedHook[];
  readonly beforeEach: TimedHook[];
  readonly afterEach: TimedHook[];
  readonly skip: boolean;
}

/** The test context the shim passes to a test: Vitest's `skip`, nothing else. */
export interface TestContext {
  readonly skip: {
    (note?: string): never;
    (condition: boolean, note?: string): void;
  };
}

interface Test {
  readonly kind: 'test';
  readonly name: string;
  readonly suite: Suite;
  readonly fn: (context: TestContext) => Awaitable<unknown>;
  readonly timeout: number;
  readonly skip: boolean;
}

/** Vitest's defaults. */
const DEFAULT_TEST_TIMEOUT = 5_000;
const DEFAULT_HOOK_TIMEOUT = 10_000;

function newSuite(name: string, parent: Suite | undefined, skip = false): Suite {
  return {
    kind: 'suite',
    name,
    parent,
    items: [],
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
    skip: skip || (parent?.skip ?? false),
  };
}

const root = newSuite('', undefined);
let current = root;
let collecting = false;

function assertCollecting(what: string): void {
  if (!collecting) throw new Error(`${what} called outside test collection`);
}

function timeoutOf(option: unknown, fallback: number): number {
  if (typeof option === 'number') return option;
  if (typeof option === 'object' && option !== null && 'timeout' in option) {
    const { timeout } = option as { timeout?: unknown };
    if (typeof timeout === 'number') return timeout;
  }
  return fallback;
}

function addSuite(name: string, body: () => unknown, skip: boolean): void {
  assertCollecting('describe()');
  const suite = newSuite(name, current, skip);
  current.items.push(suite);
  const parent = current;
  current = suite;
  try {
    const result = body();
    if (result instanceof Promise) throw new Error(`describe('${name}'): async bodies unsupported`);
  } finally {
    current = parent;
  }
}

function addTest(
  name: string,
  fn: TestFunction | undefined,
  options: unknown,
  skip: boolean,
): void {
  assertCollecting('it()');
  const run = fn ?? (() => undefined);
  current.items.push({
    kind: 'test',
    name,
    suite: current,
    fn: (context) => (run as (context: TestContext) => Awaitable<unknown>)(context),
    timeout: timeoutOf(options, DEFAULT_TEST_TIMEOUT),
    skip: skip || fn === undefined || current.skip,
  });
}

/** Vitest's `.each` title formatting: `%s %d %i %f %j %o %#` and `$key` for object rows. */
function formatTitle(template: string, row: unknown, index: number): string {
  const args = Array.isArray(row) ? [...row] : [row];
  let title = template.replace(/%[sdifjo#%$]/g, (token) => {
    if (token === '%%') return '%';
    if (token === '%#') return String(index);
    if (token === '%$') return String(index + 1);
    const value = args.shift();
    switch (token) {
      case '%d':
      case '%i':
      case '%f':
        return String(Number(value));
      case '%j':
      case '%o':
        return JSON.stringify(value) ?? String(value);
      default:
        return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    }
  });
  if (typeof row === 'object' && row !== null && !Array.isArray(row)) {
    title = title.replace(/\$([A-Za-z_][\w.]*)/g, (whole, key: string) => {
      const value = (row as Record<string, unknown>)[key];
      return value === undefined ? whole : String(value);
    });
  }
  return title;
}

function eachOf(register: (name: string, fn: TestFunction, options: unknown) => void) {
  return (table: readonly unknown[]) =>
    (template: string, fn: (...args: never[]) => unknown, options?: unknown) => {
      table.forEach((row, index) => {
        const args = Array.isArray(row) ? row : [row];
        register(
          formatTitle(template, row, index),
          (() => (fn as (...values: unknown[]) => unknown)(...args)) as TestFunction,
          options,
        );
      });
    };
}

function unsupported(name: string) {
  return () => {
    throw new Error(`${name} is not supported by the runtime harness (examples/runtimes)`);
  };
}

type TestApi = ((name: string, fn?: TestFunction, options?: unknown) => void) & {
  each: ReturnType<typeof eachOf>;
  skip: (name: string, fn?: TestFunction, options?: unknown) => void;
  todo: (name: string) => void;
  only: () => never;
  concurrent: () => never;
  skipIf: (condition: unknown) => (name: string, fn?: TestFunction, options?: unknown) => void;
  runIf: (condition: unknown) => (name: string, fn?: TestFunction, options?: unknown) => void;
};

function makeTestApi(): TestApi {
  const api = ((name: string, fn?: TestFunction, options?: unknown) =>
    addTest(name, fn, options, false)) as TestApi;
  api.each = eachOf((name, fn, options) => addTest(name, fn, options, false));
  api.skip = (name, fn, options) => addTest(name, fn, options, true);
  api.todo = (name) => addTest(name, undefined, undefined, true);
  api.only = unsupported('it.only');
  api.concurrent = unsupported('it.concurrent');
  api.skipIf = (condition) => (name, fn, options) => addTest(name, fn, options, Boolean(condition));
  api.runIf = (condition) => (name, fn, options) => addTest(name, fn, options, !condition);
  return api;
}

export const it = makeTestApi();
export const test = it;

type DescribeApi = ((name: string, body: () => unknown) => void) & {
  each: (
    table: readonly unknown[],
  ) => (template: string, body: (...args: never[]) => unknown) => void;
  skip: (name: string, body: () => unknown) => void;
  only: () => never;
  concurrent: () => never;
};

function makeDescribeApi(): DescribeApi {
  const api = ((name: string, body: () => unknown) => addSuite(name, body, false)) as DescribeApi;
  api.each = (table) => (template, body) => {
    table.forEach((row, index) => {
      const args = Array.isArray(row) ? row : [row];
      addSuite(
        formatTitle(template, row, index),
        () => (body as (...values: unknown[]) => unknown)(...args),
        false,
      );
    });
  };
  api.skip = (name, body) => addSuite(name, body, true);
  api.only = unsupported('describe.only');
  api.concurrent = unsupported('describe.concurrent');
  return api;
}

export const describe = makeDescribeApi();
export const suite = describe;

function hook(kind: 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach') {
  return (fn: Hook, timeout?: number) => {
    assertCollecting(`${kind}()`);
    current[kind].push({ fn, timeout: timeout ?? DEFAULT_HOOK_TIMEOUT });
  };
}

export const beforeAll = hook('beforeAll');
export const afterAll = hook('afterAll');
export const beforeEach = hook('beforeEach');
export const afterEach = hook('afterEach');

// ---------------------------------------------------------------------------------------------
// Fake timers: setTimeout, setInterval and their clear functions (what the bundled tests fake).

type TimerCallback = (...args: unknown[]) => void;

interface FakeTimer {
  readonly id: number;
  at: number;
  readonly interval: number | undefined;
  readonly callback: TimerCallback;
  readonly args: unknown[];
}

const realTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
};

/** The real timer functions, called on the global object (some runtimes check the receiver). */
function realSetTimeout(callback: () => void, ms: number): unknown {
  return Reflect.apply(realTimers.setTimeout, globalThis, [callback, ms]);
}
function realClearTimeout(handle: unknown): void {
  Reflect.apply(realTimers.clearTimeout, globalThis, [handle]);
}

/** A handle like Node's `Timeout` (with `ref`/`unref`); it converts to its numeric id. */
class FakeHandle {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

class FakeClock {
  now = 0;
  private nextId = 1;
  readonly timers = new Map<number, FakeTimer>();

  schedule(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): FakeHandle {
    if (typeof callback !== 'function')
      throw new TypeError('fake timers: callback must be a function');
    const ms = Math.max(0, Number(delay) || 0);
    const id = this.nextId++;
    this.timers.set(id, {
      id,
      at: this.now + ms,
      interval: repeat ? Math.max(1, ms) : undefined,
      callback: callback as TimerCallback,
      args,
    });
    return new FakeHandle(id);
  }

  cancel(handle: unknown): void {
    if (handle instanceof FakeHandle) this.timers.delete(handle.id);
    else if (typeof handle === 'number') this.timers.delete(handle);
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= target && (next === undefined || timer.at < next.at)) next = timer;
      }
      if (next === undefined) break;
      this.now = next.at;
      if (next.interval === undefined) this.timers.delete(next.id);
      else next.at += next.interval;
      next.callback(...next.args);
    }
    this.now = target;
  }
}

let fakeClock: FakeClock | undefined;

function useFakeTimers(): void {
  if (fakeClock !== undefined) return;
  const clock = new FakeClock();
  fakeClock = clock;
  Object.assign(globalThis, {
    setTimeout: (callback: unknown, delay?: unknown, ...args: unknown[]) =>
      clock.schedule(callback, delay, args, false),
    setInterval: (callback: unknown, delay?: unknown, ...args: unknown[]) =>
      clock.schedule(callback, delay, args, true),
    clearTimeout: (handle: unknown) => clock.cancel(handle),
    clearInterval: (handle: unknown) => clock.cancel(handle),
  });
}

function useRealTimers(): void {
  if (fakeClock === undefined) return;
  fakeClock = undefined;
  Object.assign(globalThis, realTimers);
}

function requireFakeClock(what: string): FakeClock {
  if (fakeClock === undefined) throw new Error(`vi.${what}: timers are not faked`);
  return fakeClock;
}

export const vi = {
  fn: spies.fn,
  spyOn: spies.spyOn,
  isMockFunction: spies.isMockFunction,
  clearAllMocks: spies.clearAllMocks,
  resetAllMocks: spies.resetAllMocks,
  restoreAllMocks: spies.restoreAllMocks,
  useFakeTimers,
  useRealTimers,
  isFakeTimers: () => fakeClock !== undefined,
  getTimerCount: () => requireFakeClock('getTimerCount').timers.size,
  clearAllTimers: () => requireFakeClock('clearAllTimers').timers.clear(),
  advanceTimersByTime: (ms: number) => {
    requireFakeClock('advanceTimersByTime').advance(ms);
    return vi;
  },
  mock: unsupported('vi.mock'),
  stubGlobal: unsupported('vi.stubGlobal'),
  waitFor: unsupported('vi.waitFor'),
};

// ---------------------------------------------------------------------------------------------
// Running.

export interface TestResult {
  /** The full name: file, describe blocks and test, joined by ` > `. */
  readonly name: string;
  readonly state: 'pass' | 'fail' | 'skip';
  readonly error?: string;
  /** Why a test skipped itself (`context.skip(note)`), as Vitest reports it. */
  readonly note?: string;
}

/** What `context.skip()` throws (Vitest's PendingError): the test ends as skipped. */
class SkipSignal extends Error {
  constructor(readonly note: string | undefined) {
    super('test is skipped; abort execution');
    this.name = 'SkipSignal';
  }
}

/** The context of one test run: `skip` as in Vitest; any other member throws when read. */
function testContext(): TestContext {
  const skip = ((condition?: boolean | string, note?: string): void => {
    if (condition === false) return;
    throw new SkipSignal(typeof condition === 'string' ? condition : note);
  }) as TestContext['skip'];
  return new Proxy(
    { skip },
    {
      get(target, property) {
        if (property === 'skip') return target.skip;
        if (typeof property === 'symbol' || property === 'then') return undefined;
        throw new Error(
          `test context: ${property} is not supported by the runtime harness (examples/runtimes)`,
        );
      },
    },
  );
}

export interface RunReport {
  readonly runtime: string;
  /** Test files collected (each file is the outermost suite). */
  readonly files: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly results: TestResult[];
  /** Errors raised outside any test (unhandled rejections, failing afterAll hooks). */
  readonly errors: string[];
}

/** Errors raised outside any test, reported by the runtime entry (unhandled rejections). */
const outsideErrors: string[] = [];

/** Records an unhandled rejection or uncaught error: it fails the run, as under Vitest. */
export function recordUnhandledError(error: unknown): void {
  outsideErrors.push(`unhandled: ${describeError(error)}`);
}

/** Registers one test file: everything it declares while `load` runs is scoped to the file. */
export async function collectFile(name: string, load: () => Promise<unknown>): Promise<void> {
  const file = newSuite(name, root);
  root.items.push(file);
  current = file;
  collecting = true;
  try {
    await load();
  } catch (error) {
    // As in Vitest, a file that fails while it is collected runs none of its tests.
    file.items.length = 0;
    for (const kind of ['beforeAll', 'afterAll', 'beforeEach', 'afterEach'] as const)
      file[kind].length = 0;
    file.items.push({
      kind: 'test',
      name: '(collecting the file)',
      suite: file,
      fn: () => {
        throw error;
      },
      timeout: DEFAULT_TEST_TIMEOUT,
      skip: false,
    });
  } finally {
    collecting = false;
    current = root;
  }
}

/** Formats an error as Vitest prints it: message, the diff when there is one, a short stack. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `thrown: ${String(error)}`;
  const lines = [`${error.name}: ${error.message}`];
  const detail = error as Error & { actual?: unknown; expected?: unknown; showDiff?: boolean };
  if (detail.showDiff !== false && 'expected' in detail && 'actual' in detail) {
    const diff = printDiffOrStringify(detail.actual, detail.expected, { expand: false });
    if (diff) lines.push(diff);
  }
  const stack = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 6);
  return [...lines, ...stack].join('\n');
}

function withTimeout<T>(run: () => Awaitable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // The real timer: a test may have faked the global one.
    const timer = realSetTimeout(() => reject(new Error(`${what} timed out in ${ms}ms`)), ms);
    Promise.resolve()
      .then(run)
      .then(
        (value) => {
          realClearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          realClearTimeout(timer);
          reject(error);
        },
      );
  });
}

function countTests(suite: Suite): number {
  return suite.items.reduce(
    (sum, item) => sum + (item.kind === 'test' ? (item.skip ? 0 : 1) : countTests(item)),
    0,
  );
}

function pathOf(suite: Suite | undefined): string[] {
  const names: string[] = [];
  for (let s = suite; s !== undefined && s !== root; s = s.parent) names.unshift(s.name);
  return names;
}

async function runHook(
  hook: TimedHook,
  what: string,
  teardowns: (() => unknown)[] | undefined,
): Promise<void> {
  const result = await withTimeout(hook.fn, hook.timeout, what);
  if (typeof result === 'function') teardowns?.push(result as () => unknown);
}

/** Runs every collected test in order and returns the report; `onResult` sees each result. */
export async function runCollected(
  runtime: string,
  onResult: (result: TestResult) => void = () => undefined,
): Promise<RunReport> {
  const results: TestResult[] = [];
  const errors: string[] = [];
  const record = (result: TestResult) => {
    results.push(result);
    onResult(result);
  };

  async function runTest(test: Test): Promise<void> {
    const name = [...pathOf(test.suite), test.name].join(' > ');
    if (test.skip) return record({ name, state: 'skip' });
    const chain: Suite[] = [];
    for (let s: Suite | undefined = test.suite; s !== undefined; s = s.parent) chain.unshift(s);
    const teardowns: (() => unknown)[] = [];
    let failure: unknown;
    let failed = false;
    let skipped: SkipSignal | undefined;
    const fail = (error: unknown) => {
      if (!failed) failure = error;
      failed = true;
    };
    expect.setState({ assertionCalls: 0, currentTestName: name });
    try {
      for (const s of chain)
        for (const hook of s.beforeEach) await runHook(hook, 'beforeEach', teardowns);
      const context = testContext();
      await withTimeout(() => test.fn(context), test.timeout, `test "${test.name}"`);
    } catch (error) {
      if (error instanceof SkipSignal) skipped = error;
      else fail(error);
    }
    // Vitest's order ('stack' hooks): afterEach innermost suite first, each suite's in reverse
    // registration order, then the teardowns beforeEach hooks returned, last first.
    for (const s of [...chain].reverse()) {
      for (const hook of [...s.afterEach].reverse()) {
        try {
          await runHook(hook, 'afterEach', undefined);
        } catch (error) {
          fail(error);
        }
      }
    }
    for (const teardown of teardowns.reverse()) {
      try {
        await teardown();
      } catch (error) {
        fail(error);
      }
    }
    // As in Vitest, a test that skipped itself is reported skipped (its afterEach hooks ran).
    if (skipped !== undefined)
      record(
        skipped.note === undefined
          ? { name, state: 'skip' }
          : { name, state: 'skip', note: skipped.note },
      );
    else
      record(
        failed ? { name, state: 'fail', error: describeError(failure) } : { name, state: 'pass' },
      );
  }

  async function failAll(suite: Suite, error: unknown): Promise<void> {
    for (const item of suite.items) {
      if (item.kind === 'suite') await failAll(item, error);
      else
        record({
          name: [...pathOf(suite), item.name].join(' > '),
          state: item.skip ? 'skip' : 'fail',
          error: `beforeAll failed: ${describeError(error)}`,
        });
    }
  }

  async function runSuite(suite: Suite): Promise<void> {
    if (countTests(suite) === 0) {
      for (const item of suite.items) {
        if (item.kind === 'suite') await runSuite(item);
        else await runTest(item);
      }
      return;
    }
    const teardowns: (() => unknown)[] = [];
    let setUp = true;
    try {
      for (const hook of suite.beforeAll) await runHook(hook, 'beforeAll', teardowns);
    } catch (error) {
      setUp = false;
      await failAll(suite, error);
    }
    if (setUp) {
      for (const item of suite.items) {
        if (item.kind === 'suite') await runSuite(item);
        else await runTest(item);
      }
    }
    // As in Vitest, afterAll runs even when beforeAll failed; then beforeAll's teardowns.
    const after: (() => unknown)[] = [
      ...[...suite.afterAll].reverse().map((hook) => () => runHook(hook, 'afterAll', undefined)),
      ...teardowns.reverse(),
    ];
    for (const run of after) {
      try {
        await run();
      } catch (error) {
        errors.push(`${pathOf(suite).join(' > ')}: afterAll: ${describeError(error)}`);
      }
    }
  }

  await runSuite(root);
  useRealTimers();
  // A rejection nobody handled is reported after the microtasks drain: give it a macrotask.
  await new Promise<void>((resolve) => realSetTimeout(resolve, 0));
  errors.push(...outsideErrors);
  const count = (state: TestResult['state']) => results.filter((r) => r.state === state).length;
  return {
    runtime,
    files: root.items.length,
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
    results,
    errors,
  };
}
