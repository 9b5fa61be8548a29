// Rewrites the sample blocks of docs/migration/*.md from the files in src/.
import { writeFileSync } from 'node:fs';
import { renderGuides } from './doc-samples.mjs';

for (const guide of renderGuides()) {
  if (guide.synced !== guide.text) {
    writeFileSync(guide.path, guide.synced);
    console.log(`updated ${guide.path}`);
  }
}
