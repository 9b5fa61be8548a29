import { fileURLToPath } from 'node:url';

/** examples/runtimes */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** Where the bundles are written (gitignored): workerd/config.capnp embeds two of them. */
export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));
/** packages/core, whose test files the bundles run. */
export const CORE_DIR = fileURLToPath(new URL('../../../../packages/core/', import.meta.url));
