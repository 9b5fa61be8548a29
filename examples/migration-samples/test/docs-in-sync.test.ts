import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGuides, SAMPLES_DIR } from '../scripts/doc-samples.mjs';

const guides = renderGuides();

describe('docs/migration embeds the type-checked samples verbatim', () => {
  it.each(guides.map((guide) => [guide.path, guide] as const))('%s', (_path, guide) => {
    expect(guide.samples.length).toBeGreaterThan(0);
    expect(
      guide.text,
      'a sample and its copy in the guide differ: run `pnpm --filter @sessions/example-migration-samples sync-docs`',
    ).toBe(guide.synced);
  });

  it('embeds every before/after sample somewhere', () => {
    const embedded = new Set(guides.flatMap((guide) => guide.samples));
    const dir = SAMPLES_DIR;
    for (const library of readdirSync(dir, { withFileTypes: true })) {
      if (!library.isDirectory()) continue;
      for (const file of readdirSync(join(dir, library.name))) {
        expect(embedded, `${library.name}/${file} is in no guide`).toContain(
          `${library.name}/${file}`,
        );
      }
    }
  });
});
