// A TLS front for the in-process API server (which speaks plain HTTP), so that a benchmark can run
// the daemon as it runs in a cluster: over HTTPS, with the cluster's CA. Certificates are made
// with the openssl command at run time; every request and watch is piped through unchanged.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TlsFront {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** writes a kubeconfig for the front, with its CA and the given bearer token */
  writeKubeconfig(path: string, token: string): void;
  close(): Promise<void>;
}

export async function startTlsFront(upstream: string): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), "kured-bench-tls-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  const target = new URL(upstream);
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const forward = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders(); // a watch answers its headers long before its first event
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ca = readFileSync(cert).toString("base64");
  return {
    url,
    writeKubeconfig(path, token) {
      const config = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": "tls",
        contexts: [{ name: "tls", context: { cluster: "tls", user: "tls" } }],
        clusters: [{ name: "tls", cluster: { server: url, "certificate-authority-data": ca } }],
        users: [{ name: "tls", user: { token } }],
      };
      writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
