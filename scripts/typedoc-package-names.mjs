// TypeDoc plugin: in the API reference, a module whose entry point is packages/<dir>/src/index.ts
// is named after that package (`@sessions/core`) rather than its path (`core/src`).
import { readFileSync } from 'node:fs';
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const folder = /^([\w-]+)\/src$/.exec(module.name)?.[1];
      if (folder === undefined) continue;
      const manifest = JSON.parse(readFileSync(`packages/${folder}/package.json`, 'utf8'));
      module.name = manifest.name;
    }
  });
}
