/** One request header line, sent as written: repeated names stay separate lines. */
export type HeaderLine = readonly [name: string, value: string];

/** A request whose header lines are sent as written (see `AdapterDriver.sendRaw`). */
export interface RawRequest {
  readonly method: string;
  /** Path and query, e.g. `/get/user`. */
  readonly path: string;
  /** The header lines, in order; `Host`, `Content-Length` and `Connection` are added by the driver. */
  readonly headers: readonly HeaderLine[];
  /** The body (UTF-8; '' or absent for none). */
  readonly body?: string | undefined;
}
