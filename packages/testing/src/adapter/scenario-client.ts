import type { AdapterDriver } from './adapter-driver.js';
import type { HeaderLine } from './raw-request.js';

/** A response as the scenario tests inspect it. */
export interface ScenarioReply {
  readonly status: number;
  readonly headers: Headers;
  /** Every `Set-Cookie` line, in order. */
  readonly setCookies: readonly string[];
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

/**
 * What a server reads for `value` sent as UTF-8: each byte as one Latin-1 character (as Node does).
 */
function asReceived(value: string): string {
  let text = '';
  for (const byte of new TextEncoder().encode(value)) text += String.fromCharCode(byte);
  return text;
}

async function toReply(response: Response): Promise<ScenarioReply> {
  const setCookies = response.headers.getSetCookie();
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, setCookies, json };
}

/** A browser-like client for the scenario app: keeps cookies by name and honours deletion. */
export class ScenarioClient {
  readonly cookies = new Map<string, string>();
  readonly #driver: AdapterDriver;

  constructor(driver: AdapterDriver) {
    this.#driver = driver;
  }

  /** The `Cookie` header this client would send. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sends a request with the jar's cookies (unless `headers` sets `cookie`) and updates the jar. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScenarioReply> {
    const all = new Headers(headers);
    const cookie = this.cookieHeader();
    if (cookie !== '' && !all.has('cookie')) all.set('cookie', cookie);
    if (body !== undefined) all.set('content-type', 'application/json');
    const init: RequestInit = { method, headers: all };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.#driver.fetch(new Request(`http://localhost${path}`, init));
    const reply = await toReply(response);
    for (const line of reply.setCookies) this.#apply(line);
    return reply;
  }

  /** True when {@link ScenarioClient.sendRaw} writes to a real socket (the driver has `sendRaw`). */
  get sendsRawLines(): boolean {
    return this.#driver.sendRaw !== undefined;
  }

  /**
   * Sends a request with exactly these header lines (the jar is neither sent nor updated). With a
   * driver's `sendRaw` they are written to the socket as given: one line each, in order, values as
   * UTF-8 bytes, nothing validated. Otherwise they go through the driver's `fetch`, each value as
   * the Latin-1 reading of its UTF-8 bytes (what a server sees), repeated names appended to one
   * `Headers` (joined with `", "`, as a Fetch runtime receives them); a value a Fetch `Headers`
   * refuses (NUL, CR, LF) then throws a `TypeError`. A server that closes the connection without
   * answering gives `status: 0`.
   */
  async sendRaw(
    method: string,
    path: string,
    lines: readonly HeaderLine[],
    body?: string,
  ): Promise<ScenarioReply> {
    if (this.#driver.sendRaw !== undefined) {
      const response = await this.#driver.sendRaw({ method, path, headers: lines, body });
      if (response === undefined) {
        return { status: 0, headers: new Headers(), setCookies: [], json: undefined };
      }
      return toReply(response);
    }
    const headers = new Headers();
    for (const [name, value] of lines) headers.append(name, asReceived(value));
    const init: RequestInit = { method, headers };
    if (body !== undefined && body !== '') init.body = body;
    return toReply(await this.#driver.fetch(new Request(`http://localhost${path}`, init)));
  }

  #apply(line: string): void {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (/;\s*Max-Age=0(;|$)/i.test(line)) this.cookies.delete(name);
    else this.cookies.set(name, pair.slice(eq + 1));
  }
}
