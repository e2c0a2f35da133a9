/**
 * A throwaway CA and a certificate for 127.0.0.1, for the benchmarks' https
 * rows: each benchmark re-runs itself with `--cert DIR/ca.pem`.
 *
 * @module
 */

/**
 * Writes `ca.pem`, `cert.pem` and `key.pem` (EC P-256, valid 2 days) into a new
 * temporary directory and returns its path; the caller removes it.
 *
 * @example
 * ```ts ignore
 * const dir = await makeBenchCertificates("netstack-bench-");
 * ```
 */
export async function makeBenchCertificates(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stderr: "piped" }).output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(
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
    "/CN=bench CA",
  );
  await openssl("req", ...ec, "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  await Deno.writeTextFile(`${dir}/ext`, "subjectAltName=IP:127.0.0.1\n");
  await openssl(
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
    "cert.pem",
    "-days",
    "2",
    "-extfile",
    "ext",
  );
  return dir;
}
