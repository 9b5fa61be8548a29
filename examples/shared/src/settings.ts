/** Settings every demo reads from its environment. */
export interface DemoSettings {
  /** `PORT`, default 3000. */
  readonly port: number;
  /** `SESSION_SECRET`, or a development fallback (with a printed warning). */
  readonly secret: string;
}

const DEVELOPMENT_SECRET = 'development-only-secret-do-not-use-in-production';

/** Reads `PORT` and `SESSION_SECRET`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoSettings {
  let secret = env.SESSION_SECRET;
  if (!secret) {
    secret = DEVELOPMENT_SECRET;
    console.warn(
      'SESSION_SECRET is not set: using a development secret. Set SESSION_SECRET (32+ bytes) in production.',
    );
  }
  return { port: Number(env.PORT ?? 3000), secret };
}
