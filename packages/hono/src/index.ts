export type { HonoSessionOptions, SessionEnv } from './sessions.js';
export { sessions } from './sessions.js';
