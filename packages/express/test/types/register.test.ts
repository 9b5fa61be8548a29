import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./register/tsconfig.json', import.meta.url));

describe('Register augmentation', () => {
  it('declaring sessionData once types req.session in Express apps and routers', () => {
    // Throws with the compiler's diagnostics when the fixture's type assertions fail.
    const output = execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
    expect(output).toBe('');
  }, 60_000);
});
