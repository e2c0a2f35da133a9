// A throwaway CA and a server certificate signed by it, made with openssl for TLS tests.

import { OPENSSL } from "./_transport_servers.ts";

/** The CA's PEM path, and the server certificate and key as PEM text. */
export interface ServerCertificate {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Makes `ca.pem` and a server certificate for `subjectAltName` (EC P-256,
 * valid for two days) in `dir`.
 */
export async function makeServerCertificate(
  dir: string,
  subjectAltName = "DNS:localhost,IP:127.0.0.1",
): Promise<ServerCertificate> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(OPENSSL, { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=netstack test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  );
  await run("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltName}\n`,
  );
  await run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  );
  return {
    ca: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
  };
}
