// Proves a CommonJS app can load the package with require() (Node 20.19+ loads ESM synchronously).
// Run from a package folder: node ../../scripts/check-require.cjs <export that must be a function>
const { createRequire } = require('node:module');
const requireHere = createRequire(`${process.cwd()}/package.json`);
const { name } = requireHere('./package.json');
const exported = requireHere(name)[process.argv[2]];
if (typeof exported !== 'function') {
  console.error(`require('${name}').${process.argv[2]} is ${typeof exported}, expected a function`);
  process.exit(1);
}
console.log(`require('${name}') works on Node ${process.version}`);
