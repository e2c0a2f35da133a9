// deno-lint-ignore-file no-console
// Ti.Network as a module: connectivity from the host's interfaces and the `change` event,
// proxy events and applyProperties, read-only apiName, Ti.API, the one import line.

import assert from "node:assert/strict";
import { Network, Ti, Titanium } from "../mod.ts";
import { classify, StatusWatch } from "../src/titanium/network_status.ts";
import type { NetworkStatus } from "../src/titanium/network_status.ts";

function iface(name: string, address: string): Deno.NetworkInterfaceInfo {
  const family = address.includes(":") ? "IPv6" : "IPv4";
  return { family, name, address, netmask: "", scopeid: null, cidr: "", mac: "" };
}

Deno.test("Ti and Titanium are the same namespace; Ti.Network is Network", () => {
  assert.equal(Ti, Titanium);
  assert.equal(Ti.Network, Network);
  assert.equal(Ti.Network.apiName, "Ti.Network");
  const client: Ti.Network.HTTPClient = new Ti.Network.HTTPClient();
  assert.ok(client instanceof Network.HTTPClient);
});

Deno.test("classify: online from a usable interface, the type from its name", () => {
  assert.deepEqual(classify([iface("lo", "127.0.0.1"), iface("lo", "::1")]), {
    online: false,
    networkType: Network.NETWORK_NONE,
    networkTypeName: "NONE",
  });
  assert.equal(classify([iface("eth0", "169.254.1.2"), iface("eth0", "fe80::1")]).online, false);
  assert.equal(classify([iface("wlan0", "192.168.1.5")]).networkType, Network.NETWORK_WIFI);
  assert.equal(classify([iface("wwan0", "10.1.1.1")]).networkTypeName, "MOBILE");
  assert.equal(
    classify([iface("wlan0", "192.168.1.5"), iface("eth0", "10.0.0.2")]).networkType,
    Network.NETWORK_LAN,
    "wired wins",
  );
  assert.equal(classify([iface("tun0", "10.8.0.2")]).networkTypeName, "UNKNOWN");
  assert.deepEqual(classify(null), {
    online: true,
    networkType: Network.NETWORK_UNKNOWN,
    networkTypeName: "UNKNOWN",
  }, "without permission: online, kind unknown");
});

Deno.test("Network.online without --allow-sys: true and NETWORK_UNKNOWN, no prompt", async () => {
  const state = await Deno.permissions.query({ name: "sys", kind: "networkInterfaces" });
  if (state.state === "granted") return; // the task grants no sys access; a wider run may
  assert.equal(Network.online, true);
  assert.equal(Network.networkType, Network.NETWORK_UNKNOWN);
  assert.equal(Network.getNetworkTypeName(), "UNKNOWN");
});

Deno.test("StatusWatch reports each change once, and only between start() and stop()", () => {
  let now: NetworkStatus = classify([iface("eth0", "10.0.0.2")]);
  const changes: string[] = [];
  const watch = new StatusWatch((after, before) => {
    changes.push(`${before.networkTypeName}->${after.networkTypeName}`);
  }, () => now);
  watch.start(60_000);
  assert.ok(watch.watching);
  watch.poll();
  now = classify([]);
  watch.poll();
  watch.poll();
  now = classify([iface("wlan0", "192.168.1.2")]);
  watch.poll();
  watch.stop();
  assert.ok(!watch.watching);
  assert.deepEqual(changes, ["LAN->NONE", "NONE->WIFI"]);
});

Deno.test("a change listener polls only while it exists and never keeps the process alive", async () => {
  // A real host read: the child has sys access. It adds a listener and returns; it must exit
  // by itself (the timer is unref'd), and it prints what the host said.
  const script = `
    import { Ti } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
    Ti.Network.addEventListener("change", () => {});
    console.log(JSON.stringify({ online: Ti.Network.online, type: Ti.Network.networkTypeName }));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--ext=ts",
      "--allow-sys=networkInterfaces",
      "--allow-read",
      "--allow-env",
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill(), 30_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const status = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(typeof status.online, "boolean");
  assert.ok(["NONE", "WIFI", "MOBILE", "LAN", "UNKNOWN"].includes(status.type));

  // In this process (sanitizers on): adding then removing the listener leaves no timer behind.
  const listener = () => {};
  Network.addEventListener("change", listener);
  Network.removeEventListener("change", listener);
});

Deno.test("Network and HTTPClient: addEventListener, fireEvent, removeEventListener", () => {
  const seen: unknown[] = [];
  const onCustom = function (this: unknown, e: { type: string; source: unknown; n: number }) {
    seen.push([this === Network, e.type, e.source === Network, e.n]);
  };
  Network.addEventListener("custom", onCustom);
  Network.fireEvent("custom", { n: 1 });
  Network.removeEventListener("custom", onCustom);
  Network.fireEvent("custom", { n: 2 });
  assert.deepEqual(seen, [[true, "custom", true, 1]]);

  const xhr = Network.createHTTPClient();
  const got: number[] = [];
  const listener = (e: { n: number }) => got.push(e.n);
  xhr.addEventListener("tick", listener);
  xhr.addEventListener("tick", () => {
    throw new Error("a throwing listener does not stop the others");
  });
  xhr.addEventListener("tick", (e) => got.push(e.n * 10));
  const original = console.error;
  console.error = () => {};
  try {
    xhr.fireEvent("tick", { n: 1 });
  } finally {
    console.error = original;
  }
  xhr.removeEventListener("tick", listener);
  xhr.fireEvent("other", { n: 5 });
  assert.deepEqual(got, [1, 10]);
});

Deno.test("applyProperties sets settings and custom properties; apiName is read-only", () => {
  const xhr = Network.createHTTPClient({ timeout: 10 });
  xhr.applyProperties({ timeout: 20, autoRedirect: false, custom: "kept", readyState: 3 });
  assert.equal(xhr.timeout, 20);
  assert.equal(xhr.autoRedirect, false);
  assert.equal((xhr as unknown as Record<string, unknown>).custom, "kept");
  assert.equal(xhr.readyState, 0, "a read-only property is left as it is");
  assert.throws(() => {
    (xhr as unknown as { apiName: string }).apiName = "changed";
  }, TypeError);
  assert.equal(xhr.apiName, "Ti.Network.HTTPClient");
  assert.equal(xhr.getApiName(), "Ti.Network.HTTPClient");

  Network.applyProperties({ bubbleParent: false });
  assert.equal(Network.bubbleParent, false);
  Network.setBubbleParent(true);
  assert.equal(Network.getBubbleParent(), true);
});

Deno.test("system cookies are a separate store; allHTTPCookies lists the shared jar", () => {
  Network.removeAllHTTPCookies();
  Network.removeAllSystemCookies();
  Network.addSystemCookie({ name: "web", value: "1", domain: "site.test" });
  Network.addHTTPCookie({ name: "api", value: "2", domain: "site.test" });
  assert.deepEqual(Network.getSystemCookies("site.test", "/", null).map((c) => c.name), ["web"]);
  assert.deepEqual(Network.allHTTPCookies.map((c) => c.name), ["api"]);
  assert.deepEqual(Network.getAllHTTPCookies().map((c) => c.value), ["2"]);
  Network.removeSystemCookie("site.test", "/", "web");
  assert.deepEqual(Network.getSystemCookies("site.test", null, null), []);
  Network.removeAllHTTPCookies();
});

Deno.test("accessor methods: getX() and setX() for every property, as Titanium proxies have", () => {
  const xhr = Network.createHTTPClient({ timeout: 10 });
  assert.equal(xhr.getTimeout(), 10);
  xhr.setAutoRedirect(false);
  assert.equal(xhr.autoRedirect, false);
  assert.equal(xhr.getReadyState(), 0);
  assert.equal(xhr.getResponseText(), "");
  assert.equal(xhr.getStatusText(), "");
  const onload = () => {};
  xhr.setOnload(onload);
  assert.equal(xhr.getOnload(), onload);

  const cookie = Network.createCookie({ name: "a", value: "1", domain: "h.test" });
  assert.equal(cookie.getName(), "a");
  cookie.setValue("2");
  assert.equal(cookie.value, "2");
  cookie.setExpiryDate("2030-01-01T00:00:00.000+0000");
  assert.equal(cookie.getExpiryDate(), "2030-01-01T00:00:00.000+0000");
  assert.equal(cookie.getApiName(), "Ti.Network.Cookie");
  let fired = "";
  cookie.addEventListener("x", (e) => fired = e.type);
  cookie.fireEvent("x");
  assert.equal(fired, "x");
  cookie.applyProperties({ path: "/docs", unknown: 1 });
  assert.equal(cookie.getPath(), "/docs");
});
