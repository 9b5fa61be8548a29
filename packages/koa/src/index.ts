export type { SessionContext } from './sessions.js';
export { sessions } from './sessions.js';
