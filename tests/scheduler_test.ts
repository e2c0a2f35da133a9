// Priority scheduling against a real loopback server whose first request
// holds the only slot while others queue.
import assert from "node:assert/strict";
import http, { configureScheduler } from "../mod.ts";
import { serve } from "./_helpers.ts";

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => open = resolve);
  return { open, opened };
}

Deno.test("queued requests start by priority, FIFO within one priority", async () => {
  const order: string[] = [];
  const hold = gate();
  const first = gate();
  await using server = serve(async (req) => {
    const name = new URL(req.url).searchParams.get("name")!;
    order.push(name);
    if (name === "holder") {
      first.open();
      await hold.opened;
    }
    return new Response(name);
  });
  configureScheduler({ maxInFlightPerOrigin: 1 });
  const req = http.createHttp();
  try {
    const get = (name: string, priority: number) =>
      req.request(`${server.url}/?name=${name}`, { priority });
    const holder = get("holder", 1);
    await first.opened;
    const queued = [
      get("low", 1),
      get("high-a", 1000),
      get("mid", 500),
      get("high-b", 1000),
      get("low-2", 1),
    ];
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(order, ["holder"], "nothing else starts while the slot is held");
    hold.open();
    await Promise.all([holder, ...queued]);
    assert.deepEqual(order, ["holder", "high-a", "high-b", "mid", "low", "low-2"]);
  } finally {
    configureScheduler({ maxInFlightPerOrigin: 256 });
    req.destroy();
  }
});

Deno.test("other origins are not held up by a full origin", async () => {
  const hold = gate();
  const first = gate();
  await using slow = serve(async () => {
    first.open();
    await hold.opened;
    return new Response("slow");
  });
  await using fast = serve(() => new Response("fast"));
  configureScheduler({ maxInFlightPerOrigin: 1 });
  const req = http.createHttp();
  try {
    const a = req.request(slow.url);
    await first.opened;
    const b = req.request(slow.url);
    const res = await req.request(fast.url);
    assert.equal(res.result, "fast");
    hold.open();
    await Promise.all([a, b]);
  } finally {
    configureScheduler({ maxInFlightPerOrigin: 256 });
    req.destroy();
  }
});

Deno.test("destroy() rejects queued requests with 2300023 and frees the queue", async () => {
  const hold = gate();
  const first = gate();
  await using server = serve(async () => {
    first.open();
    await hold.opened;
    return new Response("x");
  });
  configureScheduler({ maxInFlightPerOrigin: 1 });
  const req = http.createHttp();
  const other = http.createHttp();
  try {
    const a = req.request(server.url).catch((e) => e);
    await first.opened;
    const queued = req.request(server.url).catch((e) => e);
    req.destroy();
    assert.equal((await queued).code, 2300023);
    assert.equal((await a).code, 2300023);
    hold.open();
    const res = await other.request(server.url);
    assert.equal(res.responseCode, 200);
  } finally {
    configureScheduler({ maxInFlightPerOrigin: 256 });
    other.destroy();
  }
});

Deno.test("configureScheduler refuses limits that are not positive integers", () => {
  assert.throws(() => configureScheduler({ maxInFlight: 0 }), /maxInFlight/);
  assert.throws(() => configureScheduler({ maxInFlightPerOrigin: 1.5 }), /maxInFlightPerOrigin/);
});
