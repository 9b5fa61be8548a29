export type { FastifySessionsOptions } from './sessions-plugin.js';
export { sessions, sessions as default } from './sessions-plugin.js';
