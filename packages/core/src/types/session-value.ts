/**
 * A value in the default JSON codec's domain: JSON values plus `Date`. Plain objects only (no class
 * instances, `Map`, `Set`); numbers must be finite; strings well-formed Unicode. `undefined` object
 * properties are omitted, as in `JSON.stringify`. Everything else fails at `session.set()` with
 * `INVALID_VALUE`.
 */
export type SessionValue =
  | null
  | boolean
  | number
  | string
  | Date
  | readonly SessionValue[]
  | { readonly [key: string]: SessionValue | undefined };

/**
 * The bound for a session data type: any object type, interfaces included. Its values are checked
 * against the value domain by {@link ValidSessionData} where a manager is created.
 */
export type SessionData = object;

/**
 * Maps `T` to itself when it is within the value domain, and the offending parts to `never`, so an
 * interface such as `{ user: User }` is accepted when `User` holds only storable fields, and a type
 * with a function, `bigint`, `symbol`, `Map` or `Set` inside is rejected at compile time.
 */
export type StorableValue<T> = T extends SessionValue | undefined
  ? T
  : T extends (...args: never[]) => unknown
    ? never
    : T extends readonly unknown[]
      ? { readonly [I in keyof T]: StorableValue<T[I]> }
      : T extends object
        ? { [K in keyof T]: K extends string ? StorableValue<T[K]> : never }
        : never;

/** The constraint a session data type must meet: string keys, values in the domain. */
export type ValidSessionData<Data> = {
  [K in keyof Data]: K extends string ? StorableValue<Data[K]> : never;
};

/** The data type used when the app declares none: any key, any value in the domain. */
export type DefaultSessionData = Record<string, SessionValue>;
