/** Helpers of the kube client tests: temp dirs, test certificates, a small HTTPS API server. */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TLSSocket } from "node:tls";

/** A fresh temp dir and its removal. */
export async function tempDir(prefix = "kured-kube-"): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `check` until it holds. */
export async function eventually(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why the TLS tests cannot run, or undefined when the `openssl` CLI is there. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "the openssl CLI is not installed: cannot generate test certificates";
  }
}

/** A self-signed certificate (its own CA) and its key, PEM. */
export interface TestCert {
  cert: Buffer;
  key: Buffer;
}

/** Makes a self-signed EC certificate with the given subject alternative names, in `dir`. */
export async function selfSignedCert(dir: string, name: string, san: string, cn = "localhost"): Promise<TestCert> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      `subjectAltName=${san}`,
      "-days",
      "1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return { cert: await readFile(certFile), key: await readFile(keyFile) };
}

/** One request the fake API server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** CN of a client certificate the server's CA verified */
  clientCertCN: string | undefined;
}

/** A small HTTPS server answering like the API server for a Node `x`, with bearer tokens. */
export interface FakeApiServer {
  readonly port: number;
  readonly requests: SeenRequest[];
  /** the bearer token it accepts (a verified client certificate is accepted too) */
  token: string;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Starts the fake server on `host` (127.0.0.1 by default). Any path ending in
 * `/api/v1/nodes/x` answers the Node when authenticated (401 Unauthorized otherwise); anything
 * else is 404. `clientCa` makes it ask for (but not require) client certificates.
 */
export async function startFakeApiServer(
  tls: TestCert,
  token: string,
  options: { host?: string; clientCa?: Buffer } = {},
): Promise<FakeApiServer> {
  const requests: SeenRequest[] = [];
  const state = { token };
  const server: HttpsServer = createHttpsServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(options.clientCa ? { requestCert: true, rejectUnauthorized: false, ca: options.clientCa } : {}),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
      const seen: SeenRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        authorization: req.headers.authorization,
        clientCertCN: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN),
      };
      requests.push(seen);
      const authenticated = seen.authorization === `Bearer ${state.token}` || seen.clientCertCN !== undefined;
      if (!authenticated) {
        sendJson(res, 401, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Unauthorized", code: 401 });
        return;
      }
      if (!(req.url ?? "").split("?")[0]?.endsWith("/api/v1/nodes/x")) {
        sendJson(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
        return;
      }
      sendJson(res, 200, { kind: "Node", apiVersion: "v1", metadata: { name: "x", resourceVersion: "1" } });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get token() {
      return state.token;
    },
    set token(value: string) {
      state.token = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeIn(dir: string, name: string, text: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}
