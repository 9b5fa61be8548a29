/**
 * Gates that hold a scenario request in the middle of its handler, so a scenario can make requests
 * overlap in an exact order (a slow write still in flight while another request logs out).
 *
 * The registry lives in this module: the scenario and the app's `handleScenario` must come from the
 * same `@sessions/testing` instance, as they do when an adapter's test file runs the suite.
 */

/** A gate held by a scenario (see {@link holdScenarioRequest}). */
export interface HeldScenarioRequest {
  /**
   * Resolves once a request has reached the gate (after loading its session); rejects after
   * `timeoutMs` when none did, naming the gate.
   */
  reached(timeoutMs?: number): Promise<void>;
  /** Lets the held request (and any later one at this gate) go on. Idempotent. */
  release(): void;
}

interface Gate {
  arrive(): void;
  readonly arrived: Promise<void>;
  readonly released: Promise<void>;
}

const gates = new Map<string, Gate>();

/**
 * Holds the next request that reaches the gate `name` (the `:key` of `PUT /slow-set/:key`) until
 * {@link HeldScenarioRequest.release} is called. Use a name of its own per scenario run.
 */
export function holdScenarioRequest(name: string): HeldScenarioRequest {
  if (gates.has(name)) throw new Error(`scenario gate "${name}" is already held`);
  let arrive = (): void => undefined;
  let release = (): void => undefined;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  gates.set(name, { arrive, arrived, released });
  return {
    async reached(timeoutMs = 5_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `no request reached scenario gate "${name}" within ${timeoutMs} ms: does the app call handleScenario from the same @sessions/testing instance as the scenarios?`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([arrived, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    release() {
      gates.delete(name);
      release();
    },
  };
}

/** Called by the scenario app at gate `name`: waits while a scenario holds it, else returns at once. */
export async function passScenarioGate(name: string): Promise<void> {
  const gate = gates.get(name);
  if (gate === undefined) return;
  gate.arrive();
  await gate.released;
}
