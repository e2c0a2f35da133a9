/**
 * Server authentication, as the auth layer (`auth_layer.ts`) does it for a
 * request that carries `authentication`: a 401 challenge from the
 * credentials' own origin is answered once (Digest per RFC 7616, NTLMv2, or
 * Basic per RFC 7617), and the answer's response is the result. The
 * challenged 401 itself is held back from the events (its head and body), so
 * listeners see only the answer. Credentials go to no other origin, and a
 * request that already has an `Authorization` header is left alone (by the
 * layer). Loaded by the first request that carries `authentication`.
 *
 * Basic alone is sent at once (as libcurl does when only Basic is allowed);
 * NTLM starts with its NEGOTIATE message, and its three messages rely on the
 * keep-alive connection being reused.
 *
 * @module
 */

import { basicAuthorization } from "./auth.ts";
import { type Challenge, parseChallenges } from "./auth_challenge.ts";
import type { RequestBody } from "./body.ts";
import type {
  CoreRequest,
  CoreResult,
  Dispatch,
  RequestEvents,
  ResponseHead,
  ServerCredentials,
} from "./request.ts";

/** Digest and NTLM, loaded with the first challenge-response login: they need `node:crypto`. */
let digestAuth: typeof import("./auth_digest.ts");
let ntlmAuth: typeof import("./auth_ntlm.ts");

/** Answers the 401 challenges of a request with `authentication` (see `auth_layer.ts`). */
export async function authenticate(
  request: CoreRequest,
  events: RequestEvents,
  credentials: ServerCredentials,
  next: Dispatch,
): Promise<CoreResult> {
  const { username, password, scheme } = credentials;
  if (scheme === "basic") {
    return next(withAuthorization(request, basicAuthorization(username, password)), events);
  }
  [digestAuth, ntlmAuth] = await Promise.all([
    import("./auth_digest.ts"),
    import("./auth_ntlm.ts"),
  ]);
  if (scheme === "ntlm") {
    const held = holdChallenge(events, credentials, "ntlm");
    const negotiated = await next(
      withAuthorization(request, `NTLM ${ntlmAuth.ntlmNegotiate()}`),
      held.events,
    );
    if (!held.challenges) return negotiated;
    return next(await answer(request, held.challenges, credentials, held.head!), events);
  }
  const held = holdChallenge(events, credentials, scheme);
  const first = await next(request, held.events);
  if (!held.challenges) return first;
  return next(await answer(request, held.challenges, credentials, held.head!), events);
}

/**
 * Events that hold back a final 401 with a challenge this layer can answer:
 * its head and body never reach the caller's listeners.
 */
function holdChallenge(
  events: RequestEvents,
  credentials: ServerCredentials,
  scheme: ServerCredentials["scheme"],
): { events: RequestEvents; challenges: Challenge[] | null; head: ResponseHead | null } {
  const state = {
    events: { ...events } as RequestEvents,
    challenges: null as Challenge[] | null,
    head: null as ResponseHead | null,
  };
  state.events.onHeaders = (head) => {
    if (head.final && head.status === 401 && new URL(head.url).origin === credentials.origin) {
      const challenges = parseChallenges(head.headers.get("www-authenticate") ?? "");
      if (chooseScheme(challenges, scheme)) {
        state.challenges = challenges;
        state.head = head;
        return;
      }
    }
    events.onHeaders?.(head);
  };
  if (events.onData) {
    state.events.onData = (chunk, transferable) =>
      state.challenges ? undefined : events.onData!(chunk, transferable);
  }
  if (events.onDownloadProgress) {
    state.events.onDownloadProgress = (received, total) => {
      if (!state.challenges) events.onDownloadProgress!(received, total);
    };
  }
  return state;
}

type Scheme = "digest" | "ntlm" | "basic";

/** The scheme to answer with: the one asked for, else the strongest offered. */
function chooseScheme(challenges: Challenge[], wanted: ServerCredentials["scheme"]): Scheme | null {
  const offered = (name: Scheme) => {
    if (name === "digest") return digestAuth.pickDigest(challenges) !== null;
    if (name === "ntlm") return challenges.some((c) => c.scheme === "ntlm");
    return challenges.some((c) => c.scheme === "basic");
  };
  const order: Scheme[] = wanted ? [wanted] : ["digest", "ntlm", "basic"];
  return order.find(offered) ?? null;
}

/** The request again, to the URL that challenged, with the answer. */
async function answer(
  request: CoreRequest,
  challenges: Challenge[],
  credentials: ServerCredentials,
  head: ResponseHead,
): Promise<CoreRequest> {
  const url = new URL(head.url);
  const retry = { ...request, url };
  const scheme = chooseScheme(challenges, credentials.scheme)!;
  const { username, password } = credentials;
  if (scheme === "basic") return withAuthorization(retry, basicAuthorization(username, password));
  if (scheme === "ntlm") {
    const token = challenges.find((c) => c.scheme === "ntlm")?.token68 ?? "";
    const challenge = ntlmAuth.parseNtlmChallenge(token);
    if (!challenge) {
      // An NTLM challenge without its message: begin the handshake.
      return withAuthorization(retry, `NTLM ${ntlmAuth.ntlmNegotiate()}`);
    }
    const user = ntlmAuth.splitNtlmUser(username);
    return withAuthorization(
      retry,
      `NTLM ${ntlmAuth.ntlmAuthenticate({ ...user, password, workstation: "" }, challenge)}`,
    );
  }
  const digest = digestAuth.pickDigest(challenges)!;
  const body = digestAuth.needsBody(digest) ? await bodyBytes(request.body) : null;
  return withAuthorization(
    retry,
    digestAuth.digestAuthorization(digest, {
      username,
      password,
      method: request.method,
      uri: url.pathname + url.search,
      body,
      nc: 1,
    }),
  );
}

function withAuthorization(request: CoreRequest, value: string): CoreRequest {
  const headers = new Headers(request.headers);
  headers.set("authorization", value);
  return { ...request, headers };
}

async function bodyBytes(body: RequestBody | null): Promise<Uint8Array | null> {
  if (!body) return null;
  if (body.bytes) return body.bytes;
  return new Uint8Array(await new Response(body.stream()).arrayBuffer());
}
