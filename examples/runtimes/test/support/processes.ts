import { type ChildProcess, spawn } from 'node:child_process';
import { childEnv } from './runtimes.js';

/** Output kept per process, for failure messages. */
const OUTPUT_LIMIT = 64_000;

/** Process groups still running, killed on exit even if a run is torn down abruptly. */
const running = new Set<number>();
process.on('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A runtime process in its own process group, with its output collected. */
export class RuntimeProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(
    command: string,
    args: readonly string[],
    options: { cwd: string; extraFds?: boolean } = { cwd: process.cwd() },
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(),
      detached: true,
      stdio: options.extraFds ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
    const pid = this.child.pid;
    if (pid !== undefined) running.add(pid);
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
      for (const listener of this.listeners) listener();
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.output += `\n[spawn failed: ${error.message}]`;
        resolve({ code: null, signal: null });
      });
      this.child.on('close', (code, signal) => {
        if (pid !== undefined) running.delete(pid);
        for (const listener of this.listeners) listener();
        resolve({ code, signal });
      });
    });
  }

  /** The extra descriptor 3 (workerd's control channel), when requested. */
  get control(): NodeJS.ReadableStream | undefined {
    const stream = this.child.stdio[3];
    return stream && 'on' in stream ? (stream as NodeJS.ReadableStream) : undefined;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error: Error | undefined, match?: RegExpMatchArray) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.listeners.delete(check);
        if (match) resolve(match);
        else reject(error);
      };
      const check = () => {
        const match = this.output.match(pattern);
        if (match) finish(undefined, match);
        else if (this.child.exitCode !== null || this.child.signalCode !== null)
          finish(new Error(`exited before printing ${pattern}:\n${this.output}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for the exit, killing the group after `timeoutMs`. */
  async finish(timeoutMs: number): Promise<{ code: number | null; output: string }> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.kill();
    }, timeoutMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    if (timedOut) this.output += `\n[killed after ${timeoutMs} ms]`;
    return { code, output: this.output };
  }

  /** Kills the whole process group and waits for the exit. */
  async stop(): Promise<void> {
    this.kill();
    await this.exited;
  }

  private kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
