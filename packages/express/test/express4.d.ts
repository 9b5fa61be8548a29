// `express4` is Express 4 installed under an alias (`npm:express@4`) so the suites run on both
// majors. The part of its API the tests use is the same as Express 5's, so it is typed with
// Express 5's types.
declare module 'express4' {
  import express from 'express';
  export default express;
}
