// deno-lint-ignore-file no-console
// Typical Titanium app code, as written against @types/titanium, after the one import line.
// tests/titanium_types_test.ts type-checks it under `strict`; it is never run.

import { Ti, Titanium } from "../../mod.ts";

interface Todo {
  id: number;
  title: string;
}

export function loadTodos(url: string, done: (todos: Todo[]) => void): void {
  if (!Ti.Network.online) {
    alert("No network connection");
    return;
  }
  const client: Ti.Network.HTTPClient = Ti.Network.createHTTPClient({
    onload: function (e) {
      Ti.API.info(`status ${this.status} ${e.success}`);
      const todos: Todo[] = JSON.parse(this.responseText);
      done(todos);
    },
    onerror: function (e) {
      Ti.API.error(`${e.code} ${e.error}`);
    },
    timeout: 5000,
  });
  client.open("GET", url);
  client.setRequestHeader("Accept", "application/json");
  client.send();
}

export function postForm(url: string): Titanium.Network.HTTPClient {
  const xhr = Titanium.Network.createHTTPClient();
  xhr.onload = () => {
    const type: string = xhr.getResponseHeader("Content-Type");
    const length: number = parseInt(xhr.getResponseHeader("content-length"), 10);
    const etag: string = xhr.responseHeaders["ETag"];
    const text: string = xhr.responseText;
    const same: string = xhr.getResponseText(); // the accessor methods compile too
    console.log(same === text, xhr.getStatus(), xhr.getReadyState());
    const status: number = xhr.status;
    const statusText: string = xhr.statusText;
    const where: string = xhr.location;
    const method: string = xhr.connectionType;
    console.log(type, length, etag, text.length, status, statusText, where, method);
    const all: string = xhr.getAllResponseHeaders();
    console.log(all.toLowerCase().indexOf("server:") >= 0);
  };
  xhr.onerror = (e) => console.log(e.code, e.error, e.success);
  xhr.onsendstream = (e) => console.log(e.progress);
  xhr.ondatastream = (e) => console.log(e.progress === Ti.Network.PROGRESS_UNKNOWN);
  xhr.onreadystatechange = function (e) {
    if (this.readyState === this.DONE) console.log("done", e.readyState);
  };
  xhr.open("POST", url);
  xhr.send({ name: "titanium", count: 3 });
  return xhr;
}

export function blobs(xhr: Ti.Network.HTTPClient): number {
  const blob = xhr.responseData;
  const mime: string = blob.mimeType;
  const text: string = blob.text;
  const asString: string = blob.toString();
  const size: number = blob.length + blob.size;
  console.log(mime, text, asString, blob.nativePath, blob.getText(), blob.getMimeType());
  const upload = Ti.Network.createHTTPClient();
  upload.open("POST", "https://example.com/upload");
  upload.send({ file: new Blob(["x"]) });
  return size;
}

export function download(url: string, path: string): void {
  const xhr = Ti.Network.createHTTPClient({
    file: path,
    onload() {
      const file = this.responseData.file;
      if (file && file.exists()) console.log(file.nativePath, this.responseData.nativePath);
    },
  });
  xhr.open("GET", url);
  xhr.send();
}

export function cookies(): void {
  const cookie: Ti.Network.Cookie = Ti.Network.createCookie({
    name: "session",
    value: "abc",
    domain: "example.com",
    path: "/",
    secure: true,
    httponly: true,
    expiryDate: "2030-01-01T00:00:00.000+0000",
  });
  if (cookie.isValid()) Ti.Network.addHTTPCookie(cookie);
  const found: Ti.Network.Cookie[] = Ti.Network.getHTTPCookies("example.com", "/", "session");
  for (const c of found) {
    const expires: string = c.expiryDate;
    console.log(c.name, c.value, c.domain, c.path, expires, c.originalUrl, c.comment);
  }
  console.log(Ti.Network.allHTTPCookies.length, Ti.Network.getHTTPCookiesForDomain("x").length);
  Ti.Network.removeHTTPCookie("example.com", "/", "session");
  Ti.Network.removeHTTPCookiesForDomain("example.com");
  Ti.Network.removeAllHTTPCookies();
  Ti.Network.addSystemCookie(cookie);
  Ti.Network.getSystemCookies("example.com", "/", "session");
  Ti.Network.removeSystemCookie("example.com", "/", "session");
  Ti.Network.removeAllSystemCookies();
}

export function network(): void {
  const type: number = Ti.Network.networkType;
  if (type === Ti.Network.NETWORK_WIFI || type === Ti.Network.NETWORK_LAN) {
    console.log(Ti.Network.networkTypeName);
  }
  Ti.Network.addEventListener("change", (e) => {
    console.log(e.online, e.networkType, e.networkTypeName, e.reason);
  });
  const xhr = Ti.Network.createHTTPClient({
    validatesSecureCertificate: true,
    tlsVersion: Ti.Network.TLS_VERSION_1_2,
    autoRedirect: false,
    autoEncodeUrl: true,
    cache: true,
    enableKeepAlive: true,
    username: "u",
    password: "p",
    domain: "CORP",
  });
  xhr.applyProperties({ timeout: 1000 });
  xhr.addEventListener("custom", (e) => console.log(e.type));
  xhr.fireEvent("custom", { value: 1 });
  const enabled: boolean = xhr.validatesSecureCertificate;
  const timeout: number = xhr.timeout;
  const user: string = xhr.username;
  const version: number = xhr.tlsVersion;
  console.log(enabled, timeout, user, version, xhr.apiName, Ti.Network.apiName);
  const doc = xhr.responseXML;
  if (doc) {
    const items = doc.getElementsByTagName("item");
    for (let i = 0; i < items.length; i++) console.log(items.item(i)?.getAttribute("id"));
    console.log(doc.documentElement?.nodeName, doc.nodeType);
  }
  const encoded: string = Ti.Network.encodeURIComponent("a b");
  console.log(Ti.Network.decodeURIComponent(encoded));
  xhr.abort();
  xhr.clearCookies("https://example.com");
}
