/// <reference types="npm:@types/titanium@9.0.1" />
// deno-lint-ignore-file no-console
// Structural check of the Network face against @types/titanium (DefinitelyTyped, from npm):
// every member the Titanium seed and titanium-api.md name must have @types/titanium's name and
// a type assignable to its declaration (ours → theirs), and what apps pass in (creation
// dictionaries, callbacks, cookies) must be accepted (theirs → ours).
// tests/titanium_types_test.ts type-checks it under `strict` and expects zero errors.

import { Ti as Ours } from "../../mod.ts";

type Theirs = typeof Titanium.Network;

// ---- Ti.Network (module) -------------------------------------------------------------------

type NetworkMembers =
  | "apiName"
  | "bubbleParent"
  | "online"
  | "networkType"
  | "networkTypeName"
  | "NETWORK_NONE"
  | "NETWORK_WIFI"
  | "NETWORK_MOBILE"
  | "NETWORK_LAN"
  | "NETWORK_UNKNOWN"
  | "PROGRESS_UNKNOWN"
  | "TLS_VERSION_1_0"
  | "TLS_VERSION_1_1"
  | "TLS_VERSION_1_2"
  | "TLS_VERSION_1_3"
  | "addEventListener"
  | "removeEventListener"
  | "fireEvent"
  | "applyProperties"
  | "getApiName"
  | "getOnline"
  | "getNetworkType"
  | "getNetworkTypeName"
  | "addHTTPCookie"
  | "addSystemCookie"
  | "removeAllHTTPCookies"
  | "removeAllSystemCookies"
  | "removeHTTPCookie"
  | "removeHTTPCookiesForDomain"
  | "removeSystemCookie"
  | "allHTTPCookies"
  | "getAllHTTPCookies"
  | "getHTTPCookies"
  | "getHTTPCookiesForDomain"
  | "getSystemCookies"
  | "createCookie"
  | "encodeURIComponent"
  | "decodeURIComponent";
export const network: Pick<Theirs, NetworkMembers> = Ours.Network;

// Members that return our own Cookie / HTTPClient: their results carry every member the
// apps use (checked below), so the functions are compared on what they take.
export const cookieLists: Array<() => Pick<Titanium.Network.Cookie, CookieMembers>[]> = [
  () => Ours.Network.allHTTPCookies,
  () => Ours.Network.getAllHTTPCookies(),
  () => Ours.Network.getHTTPCookies("d", "/", "n"),
  () => Ours.Network.getHTTPCookiesForDomain("d"),
  () => Ours.Network.getSystemCookies("d", "/", "n"),
];
export const create = (
  client: Dictionary<Titanium.Network.HTTPClient>,
  cookie: Dictionary<Titanium.Network.Cookie>,
): [
  Pick<Titanium.Network.HTTPClient, ClientMembers>,
  Pick<Titanium.Network.Cookie, CookieMembers>,
] => [
  Ours.Network.createHTTPClient(client),
  Ours.Network.createCookie(cookie),
];

// ---- Ti.Network.HTTPClient -----------------------------------------------------------------

type ClientMembers =
  | "DONE"
  | "HEADERS_RECEIVED"
  | "LOADING"
  | "OPENED"
  | "UNSENT"
  | "apiName"
  | "bubbleParent"
  | "allResponseHeaders"
  | "autoEncodeUrl"
  | "autoRedirect"
  | "cache"
  | "connected"
  | "connectionType"
  | "domain"
  | "enableKeepAlive"
  | "location"
  | "password"
  | "readyState"
  | "responseHeaders"
  | "responseText"
  | "status"
  | "statusText"
  | "timeout"
  | "tlsVersion"
  | "username"
  | "validatesSecureCertificate"
  | "abort"
  | "addEventListener"
  | "removeEventListener"
  | "fireEvent"
  | "applyProperties"
  | "getApiName"
  | "clearCookies"
  | "getAllResponseHeaders"
  | "getResponseHeader"
  | "open"
  | "send"
  | "setRequestHeader"
  | "setTimeout"
  // the accessor methods
  | "getAutoEncodeUrl"
  | "getAutoRedirect"
  | "getCache"
  | "getConnected"
  | "getConnectionType"
  | "getDomain"
  | "getEnableKeepAlive"
  | "getLocation"
  | "getPassword"
  | "getReadyState"
  | "getResponseHeaders"
  | "getResponseText"
  | "getStatus"
  | "getStatusText"
  | "getTimeout"
  | "getTlsVersion"
  | "getUsername"
  | "getValidatesSecureCertificate"
  | "setAutoEncodeUrl"
  | "setAutoRedirect"
  | "setCache"
  | "setDomain"
  | "setEnableKeepAlive"
  | "setPassword"
  | "setTlsVersion"
  | "setUsername"
  | "setValidatesSecureCertificate";
export const client: Pick<Titanium.Network.HTTPClient, ClientMembers> = Ours.Network
  .createHTTPClient();

// responseData: the Ti.Blob members a body has (images' width/height are 0 here).
type BlobMembers =
  | "length"
  | "size"
  | "mimeType"
  | "text"
  | "nativePath"
  | "width"
  | "height"
  | "toString"
  | "getText"
  | "getLength"
  | "getSize"
  | "getMimeType"
  | "getNativePath";
export const data: Pick<Titanium.Blob, BlobMembers> = Ours.Network.createHTTPClient().responseData;

// Callbacks and settings as apps assign them (theirs → ours).
export function assign(
  theirs: Titanium.Network.HTTPClient,
  ours: Ours.Network.HTTPClient,
): void {
  ours.onload = theirs.onload;
  ours.onerror = theirs.onerror;
  ours.onreadystatechange = theirs.onreadystatechange;
  ours.ondatastream = theirs.ondatastream;
  ours.onsendstream = theirs.onsendstream;
  ours.securityManager = theirs.securityManager;
  ours.file = theirs.file;
  ours.timeout = theirs.timeout;
  ours.tlsVersion = theirs.tlsVersion;
  ours.validatesSecureCertificate = theirs.validatesSecureCertificate;
  ours.applyProperties({ timeout: theirs.timeout, onload: theirs.onload });
  ours.setOnload(theirs.getOnload());
  ours.setOnerror(theirs.getOnerror());
  ours.setFile(theirs.getFile());
  ours.setSecurityManager(theirs.getSecurityManager());
}

// ---- Ti.Network.Cookie ---------------------------------------------------------------------

type CookieMembers =
  | "apiName"
  | "bubbleParent"
  | "comment"
  | "domain"
  | "expiryDate"
  | "httponly"
  | "maxAge"
  | "name"
  | "originalUrl"
  | "path"
  | "secure"
  | "value"
  | "version"
  | "isValid"
  // the accessor methods
  | "getComment"
  | "getDomain"
  | "getExpiryDate"
  | "getHttponly"
  | "getMaxAge"
  | "getName"
  | "getOriginalUrl"
  | "getPath"
  | "getSecure"
  | "getValue"
  | "getVersion"
  | "setComment"
  | "setDomain"
  | "setExpiryDate"
  | "setHttponly"
  | "setMaxAge"
  | "setOriginalUrl"
  | "setPath"
  | "setSecure"
  | "setValue"
  | "setVersion";
export const cookie: Pick<Titanium.Network.Cookie, CookieMembers> = Ours.Network.createCookie();
// Every member @types/titanium declares: our Cookie is a Titanium.Network.Cookie.
export const wholeCookie: Titanium.Network.Cookie = Ours.Network.createCookie();

// Their cookies go into our jar, and our cookies' fields take their values (theirs → ours).
export function cookiesIn(theirs: Titanium.Network.Cookie, ours: Ours.Network.Cookie): void {
  Ours.Network.addHTTPCookie(theirs);
  Ours.Network.addSystemCookie(theirs);
  ours.name = theirs.name;
  ours.value = theirs.value;
  ours.domain = theirs.domain;
  ours.path = theirs.path;
  ours.expiryDate = theirs.expiryDate;
  ours.originalUrl = theirs.originalUrl;
  ours.comment = theirs.comment;
  ours.maxAge = theirs.maxAge;
  ours.version = theirs.version;
  ours.secure = theirs.secure;
  ours.httponly = theirs.httponly;
}

// ---- Events --------------------------------------------------------------------------------

export function events(theirs: (e: Titanium.Network_change_Event) => void): void {
  Ours.Network.addEventListener("change", theirs);
  Ours.Network.addEventListener("change", (e: Ours.Network.ChangeEvent) => {
    const seen: Pick<
      Titanium.Network_change_Event,
      "online" | "networkType" | "networkTypeName" | "reason"
    > = e;
    console.log(seen);
  });
}
