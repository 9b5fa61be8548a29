// The API reference: `pnpm docs:api` writes it to docs/api (git-ignored). Every public package
// (every packages/* whose package.json is not private) is an entry point, read from its sources
// through the `@sessions/source` condition (tsconfig.typedoc.json), so no build is needed first.
// Any warning (a broken {@link}, an unknown tag, a referenced type that is not exported) fails it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const entryPoints = readdirSync('packages', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`packages/${entry.name}/package.json`))
  .filter(
    (entry) => !JSON.parse(readFileSync(`packages/${entry.name}/package.json`, 'utf8')).private,
  )
  .map((entry) => `packages/${entry.name}/src/index.ts`)
  .filter((path) => existsSync(path));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: '@sessions API reference',
  entryPoints,
  // One program over every package (the `packages` strategy builds one per package: 3x slower).
  entryPointStrategy: 'resolve',
  tsconfig: 'tsconfig.typedoc.json',
  // Names each module after its package instead of its path.
  plugin: ['./scripts/typedoc-package-names.mjs'],
  out: 'docs/api',
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: false },
  // Type errors are the packages' own typecheck's job (one program over every package's sources
  // also mixes their framework augmentations); this build checks the doc comments.
  skipErrorChecking: true,
  githubPages: false,
  disableSources: true,
};
