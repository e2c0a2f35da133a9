/**
 * Titanium's accessor methods: every property `x` of a proxy also has
 * `getX()` (and `setX(value)` when it can be set), as `@types/titanium`
 * declares them. Titanium deprecated them in favour of the properties; they
 * are kept so that code written with them compiles and runs.
 *
 * @module
 */

/** `getX(): T["x"]` for each property name `K` of `T`. */
export type Getters<T, K extends keyof T & string> = {
  [P in K as `get${Capitalize<P>}`]: () => T[P];
};

/** `setX(value: T["x"])` for each property name `K` of `T`. */
export type Setters<T, K extends keyof T & string> = {
  [P in K as `set${Capitalize<P>}`]: (value: T[P]) => void;
};

/** Defines `getX()` for each of `getters` and `setX()` for each of `setters` on `proto`. */
export function defineAccessors(
  proto: object,
  getters: readonly string[],
  setters: readonly string[],
): void {
  const capital = (name: string) => name[0]!.toUpperCase() + name.slice(1);
  for (const name of getters) {
    Object.defineProperty(proto, `get${capital(name)}`, {
      value: function (this: Record<string, unknown>) {
        return this[name];
      },
      writable: true,
      configurable: true,
    });
  }
  for (const name of setters) {
    Object.defineProperty(proto, `set${capital(name)}`, {
      value: function (this: Record<string, unknown>, value: unknown) {
        this[name] = value;
      },
      writable: true,
      configurable: true,
    });
  }
}
