/**
 * `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one header value may hold
 * several challenges, each a scheme followed by either a token68 or a list
 * of `name=value` parameters (values may be quoted strings with commas).
 *
 * @module
 */

/** One challenge: the scheme (lower-case), its parameters (names lower-case) or its token68. */
export interface Challenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
  readonly token68: string | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^([A-Za-z0-9\-._~+/]+=*)\s*(?=,|$)/;

/**
 * Every challenge in `header` (the joined `WWW-Authenticate` values).
 *
 * @example Usage
 * ```ts
 * import { parseChallenges } from "./auth_challenge.ts";
 * const [digest] = parseChallenges('Digest realm="a, b", qop="auth", Basic realm="x"');
 * console.assert(digest!.params.get("realm") === "a, b");
 * ```
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  let current: { scheme: string; params: Map<string, string>; token68: string | null } | null =
    null;
  while (true) {
    rest = rest.replace(/^[\s,]+/, "");
    if (rest === "") break;
    const name = TOKEN.exec(rest)?.[0];
    if (!name) break; // malformed: keep what was parsed
    const after = rest.slice(name.length).replace(/^\s+/, "");
    if (after.startsWith("=") && !after.startsWith("==") && current) {
      // A parameter of the current challenge.
      let value: string;
      let tail = after.slice(1).replace(/^\s+/, "");
      if (tail.startsWith('"')) {
        const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(tail);
        if (!quoted) break;
        value = quoted[1]!.replace(/\\(.)/g, "$1");
        tail = tail.slice(quoted[0].length);
      } else {
        value = TOKEN.exec(tail)?.[0] ?? "";
        tail = tail.slice(value.length);
      }
      current.params.set(name.toLowerCase(), value);
      rest = tail;
      continue;
    }
    // A new challenge: the scheme, then maybe a token68.
    current = { scheme: name.toLowerCase(), params: new Map(), token68: null };
    challenges.push(current);
    rest = after;
    // A token68 stands alone up to the next comma; `name=value` starts a parameter list.
    const token68 = TOKEN68.exec(rest);
    if (token68 && token68.index === 0) {
      current.token68 = token68[1]!;
      rest = rest.slice(token68[0].length);
    }
  }
  return challenges;
}
