// The migration guides embed each sample file verbatim, after a marker naming it:
//
//   <!-- sample: express-session/before.ts -->
//   ```ts
//   ...the file's content...
//   ```
//
// `pnpm sync-docs` rewrites the blocks from the files; the test `docs-in-sync` fails when they
// differ, so the code in the docs is always the code CI type-checks.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The samples' folder. */
export const SAMPLES_DIR = join(here, '..', 'src');
/** The guides' folder. */
export const DOCS_DIR = join(here, '..', '..', '..', 'docs', 'migration');

const BLOCK = /(<!-- sample: ([\w./-]+) -->\n```ts\n)([\s\S]*?)(```)/g;

/** Every guide: its path, its text, and that text with every sample block rewritten. */
export function renderGuides() {
  return readdirSync(DOCS_DIR)
    .filter((name) => name.endsWith('.md'))
    .map((name) => {
      const path = join(DOCS_DIR, name);
      const text = readFileSync(path, 'utf8');
      const samples = [];
      const synced = text.replace(BLOCK, (_match, open, sample, _body, close) => {
        samples.push(sample);
        return `${open}${readFileSync(join(SAMPLES_DIR, sample), 'utf8')}${close}`;
      });
      return { path, text, synced, samples };
    });
}
