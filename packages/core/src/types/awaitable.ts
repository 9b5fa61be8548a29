/** A value returned either directly or as a promise: store methods may be sync or async. */
export type Awaitable<T> = T | PromiseLike<T>;
