/**
 * Concurrent loads of one key in one process share one flight (one hot read and, on a miss, one
 * cold read and one fill), so a burst of requests for a session that just left the cache costs
 * the cold store one read, not one per request.
 *
 * Why `forget`: a load must see every write that finished before it started. Each write through
 * this store forgets the key's flight once its cold step has settled, so a load starting after
 * the write resolved starts a new flight instead of joining one that read cold before the write.
 * (A write made by another process cannot do that; see the README's guarantees.)
 */
export interface SingleFlight<T> {
  /** Joins the flight for `key`, or starts one with `start`. */
  run(key: string, start: () => Promise<T>): Promise<T>;
  /** Makes the next `run` for `key` start a new flight (the current one still settles). */
  forget(key: string): void;
}

/** Creates an empty {@link SingleFlight}. */
export function createSingleFlight<T>(): SingleFlight<T> {
  const flights = new Map<string, Promise<T>>();
  return {
    run(key, start) {
      const current = flights.get(key);
      if (current !== undefined) return current;
      const flight = start();
      flights.set(key, flight);
      const land = () => {
        // Only our own entry: a write may have replaced it with a newer flight meanwhile.
        if (flights.get(key) === flight) flights.delete(key);
      };
      flight.then(land, land);
      return flight;
    },
    forget(key) {
      flights.delete(key);
    },
  };
}
