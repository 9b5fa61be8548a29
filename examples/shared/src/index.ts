export type { DemoApiReply, DemoError, DemoState } from './demo-actions.js';
export {
  deleteSession,
  listSessions,
  revokeOtherSessions,
  revokeSessionFromPage,
  savePref,
  sessionState,
  showHome,
  signIn,
  signOut,
} from './demo-actions.js';
export type { DemoOptions, DemoSession } from './demo-session.js';
export { demoSessionManager, demoSessionOptions } from './demo-session.js';
export type { PageModel, PageSessions } from './page.js';
export { renderPage } from './page.js';
export type { DemoSettings } from './settings.js';
export { settingsFromEnv } from './settings.js';
export type { DemoStore } from './store-from-env.js';
export { DEMO_STORES, storeFromEnv } from './store-from-env.js';
