// Release checks, run by `pnpm run check` after the builds (`pnpm release:check` on its own):
//
// 1. `changeset version` on a throwaway copy of the workspace's manifests and changesets: every
//    public package gets the same new version (the fixed group) and a CHANGELOG entry for it.
// 2. `pnpm pack` of every public package (packages/* not marked private): each tarball holds only
//    the allowed files (no tests, no configs, no stale build output), every source map's sources
//    are in the tarball, and no `workspace:` range is left in its package.json.
// 3. A scratch app outside the workspace installs the tarballs with npm (not the workspace links),
//    plus the peer dependencies, then type-checks and runs an ESM consumer and a CommonJS one
//    (`require()` of the ESM packages, Node 20.19+) against the real Redis and Postgres at
//    REDIS_URL / DATABASE_URL, removing its keys and its schema afterwards.
//
// Nothing in the working tree is changed; everything happens in a temporary folder that is removed
// at the end (KEEP_RELEASE_CHECK=1 keeps it for debugging).
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumerFiles } from './release-check-consumer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'sessions-release-check-'));
const started = Date.now();

/** An environment variable (these scripts run outside turbo, so none is a task input). */
function envVar(name) {
  return process.env[name];
}

/** Reads a JSON file. */
function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Fails the check with a message. */
function fail(message) {
  throw new Error(`release check: ${message}`);
}

/** Runs a command to completion, failing with its output when it exits non-zero. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    fail(
      `\`${command} ${args.join(' ')}\` failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Runs a command asynchronously (for packing in parallel). */
function runAsync(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`release check: \`${command} ${args.join(' ')}\` failed:\n${output}`));
    });
  });
}

/** The workspace's package folders, from pnpm-workspace.yaml (`- dir` and `- dir/*` entries). */
function workspaceFolders() {
  const patterns = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((line) => /^\s*-\s*['"]?([^'"#\s]+)['"]?/.exec(line)?.[1])
    .filter((pattern) => pattern !== undefined);
  const folders = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
        if (entry.isDirectory()) folders.push(`${parent}/${entry.name}`);
      }
    } else {
      folders.push(pattern);
    }
  }
  return folders.filter((folder) => existsSync(join(root, folder, 'package.json')));
}

/** Every public package: packages/* whose package.json is not private. */
function publicPackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `packages/${entry.name}`)
    .filter((folder) => existsSync(join(root, folder, 'package.json')))
    .map((folder) => ({ folder, manifest: readJson(join(root, folder, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true);
}

// 1. changeset version, on a copy --------------------------------------------------------------

function checkChangesetVersion(packages) {
  const copy = join(work, 'changesets');
  mkdirSync(copy);
  for (const file of ['package.json', 'pnpm-workspace.yaml']) {
    cpSync(join(root, file), join(copy, file));
  }
  cpSync(join(root, '.changeset'), join(copy, '.changeset'), { recursive: true });
  for (const folder of workspaceFolders()) {
    mkdirSync(join(copy, folder), { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(root, folder, file))) {
        cpSync(join(root, folder, file), join(copy, folder, file));
      }
    }
  }
  // The changelog generator named in .changeset/config.json resolves from here.
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const pending = readdirSync(join(copy, '.changeset')).filter(
    (name) => name.endsWith('.md') && name !== 'README.md',
  );
  if (pending.length === 0) {
    console.log('release check: no pending changesets; version check skipped');
    return;
  }
  run(process.execPath, [join(root, 'node_modules/@changesets/cli/bin.js'), 'version'], {
    cwd: copy,
    env: { ...process.env, CI: 'true' },
  });

  const versions = new Map();
  for (const { folder, manifest } of packages) {
    const next = readJson(join(copy, folder, 'package.json'));
    versions.set(manifest.name, next.version);
    if (next.version === manifest.version) {
      fail(`changeset version left ${manifest.name} at ${manifest.version}`);
    }
    const changelog = join(copy, folder, 'CHANGELOG.md');
    if (!existsSync(changelog))
      fail(`changeset version wrote no CHANGELOG.md for ${manifest.name}`);
    const text = readFileSync(changelog, 'utf8');
    if (!text.includes(`## ${next.version}\n`)) {
      fail(`${manifest.name}'s CHANGELOG.md has no "## ${next.version}" entry`);
    }
  }
  const distinct = new Set(versions.values());
  if (distinct.size !== 1) {
    fail(`the fixed group got different versions: ${JSON.stringify(Object.fromEntries(versions))}`);
  }
  const declared = declaredVersion(packages[0].manifest.version, pending, root);
  if (declared !== [...distinct][0]) {
    // The peers on @sessions/core use `workspace:>=0.0.0 <1.0.0` so that, while the group is at
    // 0.x, a minor bump of core stays in range (a caret range `^0.a.b` would exclude it, and
    // changesets would then bump every package that peers on core, and the fixed group, as major).
    fail(
      `the changesets declare ${declared}, but changeset version gives ${[...distinct][0]}: check the @sessions/core peer ranges and .changeset/config.json's onlyUpdatePeerDependentsWhenOutOfRange`,
    );
  }
  console.log(
    `release check: changeset version -> ${[...distinct][0]} for ${packages.length} packages (${pending.length} changesets), each with a CHANGELOG entry`,
  );
}

/** The version the pending changesets ask for: the highest declared bump applied to `current`. */
function declaredVersion(current, pending, from) {
  const rank = { patch: 1, minor: 2, major: 3 };
  let highest = 0;
  for (const name of pending) {
    const text = readFileSync(join(from, '.changeset', name), 'utf8');
    const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
    for (const match of front.matchAll(/:\s*(patch|minor|major)\s*$/gm)) {
      highest = Math.max(highest, rank[match[1]]);
    }
  }
  const [major, minor, patch] = current.split('.').map(Number);
  if (highest === 3) return `${major + 1}.0.0`;
  if (highest === 2) return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

// 2. pnpm pack and tarball contents ---------------------------------------------------------------

/** The pnpm running this script (npm_execpath), else `pnpm` from PATH. */
function pnpmCommand() {
  const execPath = envVar('npm_execpath');
  if (execPath !== undefined && /pnpm/.test(execPath) && /\.c?js$/.test(execPath)) {
    return [process.execPath, [execPath]];
  }
  return ['pnpm', []];
}

/** Files a package may publish: its build, its sources (for source maps) and its documents. */
function isAllowed(file) {
  if (['package.json', 'README.md', 'LICENSE', 'LICENSE.md', 'CHANGELOG.md'].includes(file)) {
    return true;
  }
  if (/(^|\/)(test|tests|__tests__|fixtures)\//.test(file)) return false;
  if (/\.(test|spec|test-d|bench)\.[cm]?[jt]s(\.map)?$/.test(file)) return false;
  if (/^dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map|lua)$/.test(file)) return true;
  if (/^src\/.+\.(ts|lua)$/.test(file) && !file.endsWith('.d.ts')) return true;
  return false;
}

/** The compiled path of a source file (`src/a/b.ts` -> `dist/a/b.js`). */
function compiledPath(source) {
  return source.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');
}

async function packAndInspect(packages) {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const [pnpm, pnpmArgs] = pnpmCommand();
  // Two at a time: pack is mostly I/O, and the machine is shared.
  const queue = [...packages];
  const packed = [];
  async function worker() {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const output = await runAsync(pnpm, [...pnpmArgs, 'pack', '--pack-destination', tarballs], {
        cwd: join(root, next.folder),
      });
      const tarball = output
        .trim()
        .split('\n')
        .map((line) => line.trim())
        .findLast((line) => line.endsWith('.tgz'));
      if (tarball === undefined) fail(`pnpm pack printed no tarball for ${next.manifest.name}`);
      packed.push({ ...next, tarball });
    }
  }
  await Promise.all([worker(), worker()]);

  const failures = [];
  for (const { manifest, tarball } of packed) {
    const files = run('tar', ['-tzf', tarball])
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''));
    const problems = [];
    const present = new Set(files);
    for (const file of files) {
      if (!isAllowed(file)) problems.push(`not allowed in a tarball: ${file}`);
    }
    if (!present.has('README.md')) problems.push('no README.md');
    if (!present.has('dist/index.js') || !present.has('dist/index.d.ts')) {
      problems.push('no dist/index.js and dist/index.d.ts (was it built?)');
    }
    const shipsSources = files.some((file) => file.startsWith('src/'));
    for (const file of files) {
      // Stale output of a deleted or renamed source, or a source whose output is missing.
      if (shipsSources && /^dist\/.+\.js$/.test(file)) {
        const source = file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
        if (!present.has(source)) problems.push(`${file} has no ${source} (stale build output?)`);
      }
      if (/^src\/.+\.ts$/.test(file) && !present.has(compiledPath(file))) {
        problems.push(`${file} was not built to ${compiledPath(file)}`);
      }
    }
    for (const map of files.filter((file) => file.endsWith('.map'))) {
      const { sources = [] } = JSON.parse(run('tar', ['-xzOf', tarball, `package/${map}`]));
      for (const source of sources) {
        const target = relative('.', join(dirname(map), source));
        if (!present.has(target)) problems.push(`${map} points at ${source}, not in the tarball`);
      }
    }
    const published = run('tar', ['-xzOf', tarball, 'package/package.json']);
    if (published.includes('workspace:')) problems.push('package.json still has workspace: ranges');
    if (problems.length > 0) failures.push(`${manifest.name}:\n  ${problems.join('\n  ')}`);
  }
  if (failures.length > 0) fail(`tarball contents:\n${failures.join('\n')}`);
  console.log(
    `release check: packed ${packed.length} packages, contents checked (${packed.map((entry) => entry.manifest.name).join(', ')})`,
  );
  return packed;
}

// 3. A consumer outside the workspace -------------------------------------------------------------

/** The version to install for a peer: a pinned dev dependency of the package, else its range. */
function peerVersions(packed) {
  const rootManifest = readJson(join(root, 'package.json'));
  const wanted = new Map();
  const pick = (name, manifest) =>
    manifest.devDependencies?.[name] ?? rootManifest.devDependencies?.[name];
  for (const { manifest } of packed) {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (name.startsWith('@sessions/')) continue;
      wanted.set(name, pick(name, manifest) ?? range);
      // Frameworks without bundled types (koa, express) are typed by their @types package.
      const types = `@types/${name}`;
      const typesVersion = pick(types, manifest);
      if (typesVersion !== undefined && !wanted.has(types)) wanted.set(types, typesVersion);
    }
  }
  wanted.set('@types/node', rootManifest.devDependencies['@types/node']);
  return wanted;
}

/** The environment for npm and node in the scratch app: without pnpm's npm_* settings. */
function cleanEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return env;
}

function checkConsumer(packed) {
  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const dependencies = Object.fromEntries(
    packed.map(({ manifest, tarball }) => [manifest.name, `file:${tarball}`]),
  );
  for (const [name, version] of peerVersions(packed)) dependencies[name] = version;
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'release-check-app', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  const env = cleanEnv();
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--no-package-lock',
    ],
    { cwd: app, env },
  );
  const names = packed.map(({ manifest }) => manifest.name);
  for (const [file, text] of Object.entries(consumerFiles(names))) {
    writeFileSync(join(app, file), text);
  }
  // The workspace's TypeScript, on the consumer's node_modules only. The .d.ts files are checked
  // too (no skipLibCheck): an error in the consumer or in a @sessions package fails; one inside
  // another library's types (a framework's @types against a newer transitive dependency) is
  // theirs, so it is shown and tolerated. tsc emits either way.
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', app, '--pretty', 'false'],
    { cwd: app, encoding: 'utf8' },
  );
  const errors = `${tsc.stdout}${tsc.stderr}`
    .split('\n')
    .filter((line) => /error TS\d+/.test(line));
  const ours = errors.filter(
    (line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@sessions/'),
  );
  if (ours.length > 0 || (tsc.status !== 0 && errors.length === 0)) {
    fail(`the consumer does not type-check:\n${tsc.stdout}${tsc.stderr}`);
  }
  for (const line of errors) console.log(`release check: (not ours, tolerated) ${line}`);
  const runtimeEnv = {
    ...env,
    REDIS_URL: envVar('REDIS_URL') ?? 'redis://127.0.0.1:6379',
    DATABASE_URL: envVar('DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
  for (const entry of ['out/esm.mjs', 'out/cjs.cjs']) {
    const output = run(process.execPath, ['--no-warnings', entry], { cwd: app, env: runtimeEnv });
    process.stdout.write(output);
  }
}

try {
  const packages = publicPackages();
  if (packages.length === 0) fail('no public packages under packages/');
  checkChangesetVersion(packages);
  const packed = await packAndInspect(packages);
  checkConsumer(packed);
  console.log(`release check: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  if (envVar('KEEP_RELEASE_CHECK') === '1') console.log(`release check: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
