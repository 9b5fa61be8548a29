// `koa2` is Koa 2 installed under an alias (`npm:koa@^2`) so the suite runs on both majors. Its
// runtime API is the part of Koa 3's that the adapter uses, so it is typed with Koa 3's types.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
