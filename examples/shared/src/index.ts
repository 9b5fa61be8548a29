export type { PageModel } from './page.js';
export { renderPage } from './page.js';
export type { DemoSettings } from './settings.js';
export { settingsFromEnv } from './settings.js';
export type { DemoStore } from './store-from-env.js';
export { DEMO_STORES, storeFromEnv } from './store-from-env.js';
