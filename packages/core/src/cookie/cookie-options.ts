/** The `SameSite` attribute of the session cookie. */
export type SameSite = 'lax' | 'strict' | 'none';

/**
 * Attributes of the session cookie. The defaults are the safe ones; unsafe combinations throw
 * `MISCONFIGURED` when the manager is created.
 */
export interface CookieOptions {
  /**
   * Cookie name. Default `"sid"`. A `__Host-` prefix (recommended in production) requires
   * `secure`, `path: "/"` and no `domain`; a `__Secure-` prefix requires `secure`.
   */
  name?: string | undefined;
  /** `Path` attribute. Default `"/"`. */
  path?: string | undefined;
  /** `Domain` attribute. Default: none (host-only cookie, the safest choice). */
  domain?: string | undefined;
  /**
   * `Secure` attribute. Default `true`. Browsers accept secure cookies from `http://localhost`, so
   * keep it on in development. Behind a TLS-terminating proxy the browser sees HTTPS, so it works.
   */
  secure?: boolean | undefined;
  /** `HttpOnly` attribute. Default `true`: scripts cannot read the session cookie. */
  httpOnly?: boolean | undefined;
  /**
   * `SameSite` attribute. Default `"lax"` (sent on top-level navigations, so OAuth return
   * redirects keep working). `"none"` requires `secure`.
   */
  sameSite?: SameSite | undefined;
  /** `Partitioned` attribute (CHIPS). Default `false`. Requires `secure`. */
  partitioned?: boolean | undefined;
  /** `Priority` attribute (Chromium). Default: not sent. */
  priority?: 'low' | 'medium' | 'high' | undefined;
}

/** The `Priority` attribute of the session cookie (Chromium). */
export type CookiePriority = NonNullable<CookieOptions['priority']>;
