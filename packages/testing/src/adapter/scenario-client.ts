import type { AdapterDriver } from './adapter-driver.js';

/** A response as the scenario tests inspect it. */
export interface ScenarioReply {
  readonly status: number;
  readonly headers: Headers;
  /** Every `Set-Cookie` line, in order. */
  readonly setCookies: readonly string[];
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
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
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) this.#apply(line);
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, setCookies, json };
  }

  #apply(line: string): void {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (/;\s*Max-Age=0(;|$)/i.test(line)) this.cookies.delete(name);
    else this.cookies.set(name, pair.slice(eq + 1));
  }
}
