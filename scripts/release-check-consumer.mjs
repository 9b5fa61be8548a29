// The scratch consumer app of scripts/release-check.mjs: what a user writes after
// `npm install @sessions/...`. Every public package is imported (ESM) and required (CommonJS), so a
// new package is covered the day it appears; the known ones are also exercised: a session written
// and read back through Redis, Postgres, a layered store, the MessagePack codec and each framework
// adapter. Keys and the schema it creates are removed before it exits.

/** TypeScript identifiers for the generic import of each package. */
function identifier(name, index) {
  return `pkg${index}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Fails unless every package exports something. */
function genericImports(names, style) {
  const lines = names.map((name, index) =>
    style === 'esm'
      ? `import * as ${identifier(name, index)} from '${name}';`
      : `import ${identifier(name, index)} = require('${name}');`,
  );
  lines.push(
    `const everyPackage: Record<string, object> = { ${names
      .map((name, index) => `'${name}': ${identifier(name, index)}`)
      .join(', ')} };`,
    'for (const [name, moduleExports] of Object.entries(everyPackage)) {',
    `  if (Object.keys(moduleExports).length === 0) throw new Error(\`\${name} exports nothing\`);`,
    '}',
  );
  return lines.join('\n');
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    // The published .d.ts files are what this checks: do not skip them (errors inside other
    // libraries' types are reported but do not fail the check; see release-check.mjs).
    skipLibCheck: false,
    rootDir: 'src',
    outDir: 'out',
  },
  include: ['src'],
};

/** Scenario helpers shared by both entry points (inlined, so each file stands alone). */
const HELPERS = `
const SECRET = 'release-check secret, at least 32 bytes long';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = Math.random().toString(36).slice(2, 10);

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(\`release check consumer: \${message}\`);
}

/** The name=value of the session cookie in a list of response headers. */
function cookieOf(headers: readonly (readonly [string, string])[]): string {
  const setCookie = headers.find(([name]) => name.toLowerCase() === 'set-cookie');
  check(setCookie !== undefined, 'no Set-Cookie after a write');
  return setCookie[1].split(';')[0] ?? '';
}
`;

/** Writes a value through a manager, reads it back with the cookie, then destroys it. */
const ROUND_TRIP = `
async function roundTrip(
  manager: { session(request: Request): import('@sessions/core').Session },
  label: string,
): Promise<void> {
  const first = manager.session(new Request('http://localhost/'));
  await first.set('greeting', \`hello from \${label}\`);
  const cookie = cookieOf((await first.commit()).headers);
  const second = manager.session(new Request('http://localhost/', { headers: { cookie } }));
  check((await second.get('greeting')) === \`hello from \${label}\`, \`\${label}: value not read back\`);
  await second.destroy();
  await second.commit();
  console.log(\`release check consumer: \${label} round trip ok\`);
}
`;

function esmScenario(names) {
  const has = (name) => names.includes(name);
  const parts = [
    genericImports(names, 'esm'),
    "import { createMemoryStore, createSessionManager } from '@sessions/core';",
    has('@sessions/store-redis') ? "import { createRedisStore } from '@sessions/store-redis';" : '',
    has('@sessions/store-redis') ? "import { Redis } from 'ioredis';" : '',
    has('@sessions/store-postgres')
      ? "import { createPostgresStore } from '@sessions/store-postgres';\nimport postgres from 'postgres';"
      : '',
    has('@sessions/store-layered')
      ? "import { createLayeredStore } from '@sessions/store-layered';"
      : '',
    has('@sessions/codec-msgpack')
      ? "import { createMsgpackCodec } from '@sessions/codec-msgpack';"
      : '',
    has('@sessions/hono')
      ? "import { Hono } from 'hono';\nimport { sessions as honoSessions, type SessionEnv } from '@sessions/hono';"
      : '',
    has('@sessions/fastify')
      ? "import Fastify from 'fastify';\nimport { sessions as fastifySessions } from '@sessions/fastify';"
      : '',
    has('@sessions/koa')
      ? "import Koa from 'koa';\nimport { sessions as koaSessions } from '@sessions/koa';"
      : '',
    has('@sessions/express')
      ? "import express from 'express';\nimport { sessions as expressSessions } from '@sessions/express';"
      : '',
    has('@sessions/testing') ? "import { describeStoreConformance } from '@sessions/testing';" : '',
    "import { createServer, type RequestListener } from 'node:http';",
    HELPERS,
    ROUND_TRIP,
    `
/** Serves a Node listener on a free port for one request. */
async function requestOnce(listener: RequestListener, label: string): Promise<void> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = server.address();
    check(typeof address === 'object' && address !== null, 'no server address');
    const response = await fetch(\`http://127.0.0.1:\${address.port}/\`);
    check(response.status === 200, \`\${label}: status \${response.status}\`);
    check(response.headers.get('set-cookie')?.startsWith('sid=') === true, \`\${label}: no session cookie\`);
    console.log(\`release check consumer: \${label} request ok\`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

await roundTrip(createSessionManager({ store: createMemoryStore(), secrets: [SECRET] }), 'memory store (ESM)');
`,
  ];
  if (has('@sessions/codec-msgpack')) {
    parts.push(`
await roundTrip(
  createSessionManager({ store: createMemoryStore(), secrets: [SECRET], codec: createMsgpackCodec() }),
  'MessagePack codec',
);
`);
  }
  if (has('@sessions/store-redis')) {
    parts.push(`
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const redisPrefix = \`release-check:\${RUN}:\`;
try {
  const redisStore = createRedisStore(redis, { prefix: redisPrefix });
  await roundTrip(createSessionManager({ store: redisStore, secrets: [SECRET] }), 'Redis store');
  ${
    has('@sessions/store-layered')
      ? `await roundTrip(
    createSessionManager({
      store: createLayeredStore({ hot: createMemoryStore(), cold: redisStore }),
      secrets: [SECRET],
    }),
    'layered store (memory over Redis)',
  );`
      : ''
  }
} finally {
  const keys = await redis.keys(\`\${redisPrefix}*\`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
`);
  }
  if (has('@sessions/store-postgres')) {
    parts.push(`
const sql = postgres(DATABASE_URL, { onnotice: () => {} });
const schema = \`release_check_\${RUN}\`;
try {
  const store = createPostgresStore(sql, { schema });
  await store.migrate();
  await roundTrip(createSessionManager({ store, secrets: [SECRET] }), 'Postgres store');
} finally {
  await sql\`drop schema if exists \${sql(schema)} cascade\`;
  await sql.end();
}
`);
  }
  if (has('@sessions/hono')) {
    parts.push(`
const honoApp = new Hono<SessionEnv<{ views: number }>>();
honoApp.use(honoSessions<{ views: number }>({ store: createMemoryStore(), secrets: [SECRET] }));
honoApp.get('/', async (c) => {
  await c.var.session.set('views', 1);
  return c.text('ok');
});
const honoResponse = await honoApp.request('/');
check(honoResponse.headers.get('set-cookie')?.startsWith('sid=') === true, 'hono: no session cookie');
console.log('release check consumer: hono request ok');
`);
  }
  if (has('@sessions/fastify')) {
    parts.push(`
const fastifyApp = Fastify();
await fastifyApp.register(fastifySessions, { store: createMemoryStore(), secrets: [SECRET] });
fastifyApp.get('/', async (request) => {
  await request.session.set('views', 1);
  return 'ok';
});
const fastifyResponse = await fastifyApp.inject('/');
check(String(fastifyResponse.headers['set-cookie']).startsWith('sid='), 'fastify: no session cookie');
await fastifyApp.close();
console.log('release check consumer: fastify request ok');
`);
  }
  if (has('@sessions/koa')) {
    parts.push(`
const koaApp = new Koa();
koaApp.use(koaSessions({ store: createMemoryStore(), secrets: [SECRET] }));
koaApp.use(async (ctx) => {
  await ctx.session.set('views', 1);
  ctx.body = 'ok';
});
await requestOnce(koaApp.callback(), 'koa');
`);
  }
  if (has('@sessions/express')) {
    parts.push(`
const expressApp = express();
expressApp.use(expressSessions({ store: createMemoryStore(), secrets: [SECRET] }));
expressApp.get('/', async (req, res) => {
  await req.session.set('views', 1);
  res.send('ok');
});
await requestOnce(expressApp, 'express');
`);
  }
  if (has('@sessions/testing')) {
    parts.push(
      "check(typeof describeStoreConformance === 'function', 'describeStoreConformance is not a function');",
    );
  }
  parts.push(
    `console.log('release check consumer: ESM consumer ok (${names.length} packages imported)');`,
  );
  return parts.filter((part) => part !== '').join('\n');
}

function cjsScenario(names) {
  const has = (name) => names.includes(name);
  const parts = [
    genericImports(names, 'cjs'),
    "import core = require('@sessions/core');",
    has('@sessions/hono')
      ? "import hono = require('hono');\nimport honoAdapter = require('@sessions/hono');"
      : '',
    HELPERS,
    ROUND_TRIP,
    `
async function main(): Promise<void> {
  await roundTrip(
    core.createSessionManager({ store: core.createMemoryStore(), secrets: [SECRET] }),
    'memory store (CommonJS)',
  );
  ${
    has('@sessions/hono')
      ? `const app = new hono.Hono<honoAdapter.SessionEnv>();
  app.use(honoAdapter.sessions({ store: core.createMemoryStore(), secrets: [SECRET] }));
  app.get('/', async (c) => {
    await c.var.session.set('views', 1);
    return c.text('ok');
  });
  const response = await app.request('/');
  check(response.headers.get('set-cookie')?.startsWith('sid=') === true, 'hono (CommonJS): no cookie');`
      : ''
  }
  console.log('release check consumer: CommonJS consumer ok (${names.length} packages required)');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`,
  ];
  return parts.filter((part) => part !== '').join('\n');
}

/** The files of the scratch app, by path relative to it. */
export function consumerFiles(names) {
  return {
    'tsconfig.json': `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    'src/esm.mts': `${esmScenario(names)}\n`,
    'src/cjs.cts': `${cjsScenario(names)}\n`,
  };
}
