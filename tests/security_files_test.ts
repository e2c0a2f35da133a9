// TLS files are read only when they are regular files of a sane size: a caPath (or client
// certificate) at a FIFO, a device such as /dev/zero, a huge file or a directory holding one
// fails at once with the CA-file (or client-certificate) error instead of hanging or reading
// gigabytes. The http face and the CLI (--cacert); the Network face has no caPath.

import assert from "node:assert/strict";
import { closedPort, createHttp, failure } from "./_helpers.ts";

const ROOT = new URL("../", import.meta.url);

async function mkfifo(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(out.success, "mkfifo");
}

Deno.test("files: caPath at a FIFO, /dev/zero, a huge file or a directory with a FIFO fails with 2300077", async () => {
  const dir = await Deno.makeTempDir({ prefix: "security_files_" });
  try {
    const fifo = `${dir}/ca.pem`;
    await mkfifo(fifo);
    const huge = `${dir}/huge.pem`;
    await Deno.truncate(huge, 1024 * 1024 * 1024).catch(async () => {
      await Deno.writeFile(huge, new Uint8Array(0));
      await Deno.truncate(huge, 1024 * 1024 * 1024);
    });
    const withFifo = `${dir}/certs`;
    await Deno.mkdir(withFifo);
    await mkfifo(`${withFifo}/odd.pem`);
    const url = `https://127.0.0.1:${closedPort()}/`;
    using req = createHttp();
    for (const caPath of [fifo, "/dev/zero", huge, withFifo]) {
      const error = await failure(req.request(url, { caPath, readTimeout: 30_000 }), caPath);
      assert.equal(error.code, 2300077, `${caPath}: ${error.code} ${error.message}`);
      assert.ok(error.message.includes("caPath"), error.message);
    }
    for (const certPath of [fifo, "/dev/zero", huge]) {
      const error = await failure(
        req.request(url, { clientCert: { certPath, keyPath: fifo }, readTimeout: 30_000 }),
        certPath,
      );
      assert.equal(error.code, 2300058, `${certPath}: ${error.code} ${error.message}`);
    }
    const cli = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("cli.ts", ROOT).pathname, "-s", "--cacert", "/dev/zero", url],
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(cli.code, 77, new TextDecoder().decode(cli.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
