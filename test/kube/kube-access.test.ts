/**
 * Where the API server is and how to authenticate: kubeconfig files (read without the library
 * when the credentials are static), the pod's service account, TLS against a real HTTPS server
 * with certificates made at test time, and secrets that never show up in errors.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import { createKubeApi, inClusterAccess, KubeApiError, kubeconfigFileAccess, loadKubeAccess } from "@kured/core";
import { startCluster, type ApiServer, type Cluster } from "@kured/testkit";
import type { V1Node } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  opensslMissing,
  selfSignedCert,
  startFakeApiServer,
  tempDir,
  writeIn,
  type FakeApiServer,
  type TestCert,
} from "./support.js";

let cluster: Cluster;
let tmp: { dir: string; remove: () => Promise<void> };
const server = (): ApiServer => cluster.server as ApiServer;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-1"], inProcess: true, kured: false });
  tmp = await tempDir();
});
afterAll(async () => {
  await cluster?.close();
  await tmp?.remove();
});

/** A kubeconfig with one context `ctx` (JSON is YAML). */
function kubeconfig(clusterFields: Record<string, unknown>, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "ctx",
    contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
    clusters: [{ name: "c", cluster: clusterFields }],
    users: [{ name: "u", user }],
  });
}

/** The user of the newest audited request. */
const lastUser = (): string | undefined => server().audit.entries().at(-1)?.user;

const KUBE_ACCESS = fileURLToPath(new URL("../../packages/core/src/kube/kube-access.ts", import.meta.url));

/**
 * Loads kubeconfig files with `kubeconfigFileAccess` in a fresh Node process (so nothing else has
 * loaded @kubernetes/client-node yet) and reports, per file, whether that loaded the library.
 */
async function loadInFreshNode(
  files: string[],
): Promise<{ source: string; authorization: string | undefined; libraryLoaded: boolean }[]> {
  const script = `
    import { registerHooks } from "node:module";
    import { pathToFileURL } from "node:url";
    const seen = [];
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.startsWith("@kubernetes/client-node")) seen.push(specifier);
        return next(specifier, context);
      },
    });
    const { kubeconfigFileAccess } = await import(pathToFileURL(process.argv[1]).href);
    const out = [];
    for (const file of process.argv.slice(2)) {
      const before = seen.length;
      const access = await kubeconfigFileAccess(file);
      const { headers } = await access.credentials();
      out.push({ source: access.source, authorization: headers.Authorization, libraryLoaded: seen.length > before });
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, [
    "--input-type=module",
    "-e",
    script,
    KUBE_ACCESS,
    ...files,
  ]);
  return JSON.parse(stdout) as { source: string; authorization: string | undefined; libraryLoaded: boolean }[];
}

/** An exec user printing an ExecCredential with this token. */
function execUser(token: string): Record<string, unknown> {
  const credential = JSON.stringify({
    apiVersion: "client.authentication.k8s.io/v1",
    kind: "ExecCredential",
    status: { token },
  });
  return {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1",
      command: process.execPath,
      args: ["-e", `process.stdout.write(${JSON.stringify(credential)})`],
      interactiveMode: "Never",
    },
  };
}

describe("kubeconfig files with static credentials", () => {
  it("reads a bearer-token kubeconfig without loading @kubernetes/client-node", async () => {
    const file = join(tmp.dir, "written.kubeconfig");
    await server().writeKubeconfig(file, { token: "file-token-1" });
    server().addToken("file-token-1", "file-user");

    const access = await kubeconfigFileAccess(file);
    expect(access.source).toBe(`kubeconfig ${file}`);
    expect(access.server).toBe(cluster.url);
    expect(await access.credentials()).toEqual({
      headers: { Authorization: "Bearer file-token-1" },
      tls: { rejectUnauthorized: false }, // writeKubeconfig sets insecure-skip-tls-verify
    });
    const node = await createKubeApi(access).get<V1Node>("/api/v1/nodes/node-1");
    expect(node.metadata?.name).toBe("node-1");
    expect(lastUser()).toBe("file-user");

    // in a fresh process: the lean file does not load the library, an exec one does
    const execConfig = await writeIn(
      tmp.dir,
      "exec.kubeconfig",
      kubeconfig({ server: cluster.url, "insecure-skip-tls-verify": true }, execUser("x")),
    );
    const [lean, exec] = await loadInFreshNode([file, execConfig]);
    expect(lean).toEqual({
      source: `kubeconfig ${file}`,
      authorization: "Bearer file-token-1",
      libraryLoaded: false,
    });
    expect(exec).toEqual({ source: "kubeconfig context ctx", authorization: "Bearer x", libraryLoaded: true });
  });

  it("resolves relative certificate, key and token paths against the kubeconfig's directory", async () => {
    const dir = join(tmp.dir, "relative");
    await writeIn(dir, "pki/ca.crt", "the CA");
    await writeIn(dir, "pki/client.crt", "the client certificate");
    await writeIn(dir, "pki/client.key", "the client key");
    await writeIn(dir, "secrets/token", "relative-token\n");
    const file = await writeIn(
      dir,
      "config.yaml",
      `apiVersion: v1
kind: Config
current-context: relative
contexts:
  - name: relative
    context: { cluster: relative, user: relative }
clusters:
  - name: relative
    cluster:
      server: https://kube.example:6443/
      certificate-authority: pki/ca.crt
      tls-server-name: kube.example
users:
  - name: relative
    user:
      client-certificate: pki/client.crt
      client-key: ./pki/client.key
      tokenFile: secrets/token
`,
    );
    expect(process.cwd()).not.toBe(dir);
    // the file itself named relative to the working directory
    const access = await kubeconfigFileAccess(relative(process.cwd(), file));
    expect(access.server).toBe("https://kube.example:6443");
    expect(await access.credentials()).toEqual({
      headers: { Authorization: "Bearer relative-token" },
      tls: {
        ca: Buffer.from("the CA"),
        cert: Buffer.from("the client certificate"),
        key: Buffer.from("the client key"),
        servername: "kube.example",
      },
    });
  });

  it("reads inline certificate data, basic auth and insecure-skip-tls-verify", async () => {
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    const file = await writeIn(
      tmp.dir,
      "inline.kubeconfig",
      kubeconfig(
        {
          server: "https://10.0.0.1",
          "certificate-authority-data": b64("inline CA"),
          "insecure-skip-tls-verify": true,
        },
        {
          "client-certificate-data": b64("inline cert"),
          "client-key-data": b64("inline key"),
          username: "admin",
          password: "pa:ss",
        },
      ),
    );
    const access = await kubeconfigFileAccess(file);
    expect(access.source).toBe(`kubeconfig ${file}`);
    expect(await access.credentials()).toEqual({
      headers: { Authorization: `Basic ${b64("admin:pa:ss")}` },
      tls: {
        ca: Buffer.from("inline CA"),
        cert: Buffer.from("inline cert"),
        key: Buffer.from("inline key"),
        rejectUnauthorized: false,
      },
    });
    // a token wins over basic auth
    const both = await writeIn(
      tmp.dir,
      "both.kubeconfig",
      kubeconfig({ server: "https://10.0.0.1" }, { token: "t", username: "admin", password: "p" }),
    );
    expect((await (await kubeconfigFileAccess(both)).credentials()).headers).toEqual({ Authorization: "Bearer t" });
  });

  it("re-reads tokenFile for every request", async () => {
    server().addToken("rotating-a", "user-a");
    server().addToken("rotating-b", "user-b");
    const dir = join(tmp.dir, "rotating");
    const tokenFile = await writeIn(dir, "token", "rotating-a\n");
    const file = await writeIn(dir, "config", kubeconfig({ server: cluster.url }, { tokenFile: "token" }));
    const access = await kubeconfigFileAccess(file);
    const api = createKubeApi(access);

    await api.get("/api/v1/nodes/node-1");
    expect(lastUser()).toBe("user-a");
    await writeFile(tokenFile, "rotating-b\n");
    await api.get("/api/v1/nodes/node-1");
    expect(lastUser()).toBe("user-b");
    expect((await access.credentials()).headers.Authorization).toBe("Bearer rotating-b");
  });
});

describe("kubeconfig files the library reads", () => {
  it("uses the library for an exec user, and its token reaches the server", async () => {
    server().addToken("exec-token", "exec-user");
    const file = await writeIn(
      tmp.dir,
      "exec-user.kubeconfig",
      kubeconfig({ server: cluster.url, "insecure-skip-tls-verify": true }, execUser("exec-token")),
    );
    const access = await kubeconfigFileAccess(file);
    expect(access.source).toBe("kubeconfig context ctx");
    expect(access.server).toBe(cluster.url);
    expect((await access.credentials()).headers.Authorization).toBe("Bearer exec-token");
    await createKubeApi(access).get("/api/v1/nodes/node-1");
    expect(lastUser()).toBe("exec-user");
  });

  it("refuses proxy-url and uses the library for impersonation and auth-provider", async () => {
    const proxied = await writeIn(
      tmp.dir,
      "proxy.kubeconfig",
      kubeconfig(
        { server: cluster.url, "proxy-url": "http://127.0.0.1:3128", "insecure-skip-tls-verify": true },
        { token: "t" },
      ),
    );
    // proxies live in the library's own agent, which kured's client does not use: refused clearly
    await expect(kubeconfigFileAccess(proxied)).rejects.toThrow(/sets proxy-url, which kured does not support/);

    const impersonating = await writeIn(
      tmp.dir,
      "as.kubeconfig",
      kubeconfig({ server: cluster.url, "insecure-skip-tls-verify": true }, { token: "imp-token", as: "someone-else" }),
    );
    const access = await kubeconfigFileAccess(impersonating);
    expect(access.source).toBe("kubeconfig context ctx");
    expect((await access.credentials()).headers).toMatchObject({
      Authorization: "Bearer imp-token",
      "Impersonate-User": "someone-else",
    });

    const provider = await writeIn(
      tmp.dir,
      "provider.kubeconfig",
      kubeconfig(
        { server: cluster.url, "insecure-skip-tls-verify": true },
        { "auth-provider": { name: "oidc", config: { "id-token": "x" } } },
      ),
    );
    expect((await kubeconfigFileAccess(provider)).source).toBe("kubeconfig context ctx");
  });

  it("says so when the current context names no cluster", async () => {
    const file = await writeIn(
      tmp.dir,
      "dangling.kubeconfig",
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "missing",
        contexts: [],
        clusters: [],
        users: [],
      }),
    );
    await expect(kubeconfigFileAccess(file)).rejects.toThrow(/no current cluster/);
  });
});

describe("a kubeconfig with proxy-url", () => {
  const seen: string[] = [];
  let proxy: Server;
  let proxyPort: number;
  beforeAll(async () => {
    // a plain HTTP forward proxy to the in-process API server
    proxy = createServer((req, res) => {
      seen.push(req.url ?? "");
      const url = new URL(req.url ?? "/", cluster.url);
      const forward = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  it("(the test's proxy forwards requests)", async () => {
    seen.length = 0;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpRequest({ host: "127.0.0.1", port: proxyPort, path: `${cluster.url}/api/v1/nodes/node-1` }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(200);
    expect(seen).toEqual([`${cluster.url}/api/v1/nodes/node-1`]);
  });

  it("is refused before any request, rather than bypassing the proxy", async () => {
    seen.length = 0;
    const file = await writeIn(
      tmp.dir,
      "via-proxy.kubeconfig",
      kubeconfig(
        { server: cluster.url, "proxy-url": `http://127.0.0.1:${proxyPort}`, "insecure-skip-tls-verify": true },
        { token: "t" },
      ),
    );
    const audited = server().audit.count();
    await expect(kubeconfigFileAccess(file)).rejects.toThrow(/proxy-url/);
    expect(seen).toEqual([]);
    expect(server().audit.count()).toBe(audited);
  });
});

describe("loadKubeAccess and inClusterAccess", () => {
  it("fails clearly with neither a kubeconfig nor a cluster", async () => {
    await expect(loadKubeAccess("", {})).rejects.toThrow(
      "not running in a cluster (KUBERNETES_SERVICE_HOST is not set) and no kubeconfig given",
    );
    expect(() => inClusterAccess({})).toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set/);
    expect(() => inClusterAccess({ KUBERNETES_SERVICE_HOST: "10.96.0.1" })).toThrow(/KUBERNETES_SERVICE_PORT/);
    await expect(loadKubeAccess(join(tmp.dir, "no-such-file"), {})).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("takes the file when given, else the service account", async () => {
    const file = await writeIn(tmp.dir, "plain.kubeconfig", kubeconfig({ server: cluster.url }, { token: "t" }));
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    expect((await loadKubeAccess(file, env)).source).toBe(`kubeconfig ${file}`);
    const inCluster = await loadKubeAccess("", env);
    expect(inCluster.source).toBe("in-cluster");
    expect(inCluster.server).toBe("https://10.96.0.1:443");
  });

  it("brackets an IPv6 host and reads the token (per request) and the CA from the directory", async () => {
    const dir = join(tmp.dir, "serviceaccount");
    await writeIn(dir, "ca.crt", "cluster CA");
    await writeIn(dir, "token", "sa-token-1\n");
    const access = inClusterAccess({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, dir);
    expect(access.server).toBe("https://[fd00::1]:443");
    expect(access.source).toBe("in-cluster");
    expect(await access.credentials()).toEqual({
      headers: { Authorization: "Bearer sa-token-1" },
      tls: { ca: Buffer.from("cluster CA") },
    });
    await writeIn(dir, "token", "sa-token-2");
    expect((await access.credentials()).headers.Authorization).toBe("Bearer sa-token-2");
  });
});

/** `text` must not contain `secret` anywhere an error is shown or logged. */
function expectNoSecret(error: unknown, secret: string): void {
  expect(error).toBeInstanceOf(Error);
  const e = error as Error;
  for (const shown of [e.message, String(e), e.stack ?? "", inspect(e), JSON.stringify(e)]) {
    expect(shown).not.toContain(secret);
  }
}

describe("secrets", () => {
  it("never show up in a refused request's or watch's error, nor in the access", async () => {
    const secret = "s3cr3t-never-logged";
    const file = await writeIn(tmp.dir, "secret.kubeconfig", kubeconfig({ server: cluster.url }, { token: secret }));
    const access = await kubeconfigFileAccess(file);
    for (const shown of [access.source, access.server, JSON.stringify(access), inspect(access)]) {
      expect(shown).not.toContain(secret);
    }
    const api = createKubeApi(access);
    server().rbacEnabled = true; // an unknown token is now 401
    try {
      const error = await api.get("/api/v1/nodes/node-1").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error).toMatchObject({ code: 401 });
      expectNoSecret(error, secret);

      const done: unknown[] = [];
      await api.watch(
        "/api/v1/nodes",
        {},
        () => undefined,
        (e) => done.push(e),
      );
      await eventually(() => done.length > 0);
      expect(done[0]).toMatchObject({ statusCode: 401 });
      expectNoSecret(done[0], secret);
    } finally {
      server().rbacEnabled = false;
    }

    // nobody listening
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await createKubeApi({ ...access, server: `http://127.0.0.1:${port}` })
      .get("/api/v1/nodes/node-1")
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expectNoSecret(refused, secret);
  });
});

const noOpenssl = opensslMissing();

describe.skipIf(noOpenssl !== undefined)(`TLS${noOpenssl ? ` (skipped: ${noOpenssl})` : ""}`, () => {
  let certs: string;
  let serverCert: TestCert;
  let otherCert: TestCert;
  let clientCert: TestCert;
  let fake: FakeApiServer;
  let other: FakeApiServer;

  beforeAll(async () => {
    certs = join(tmp.dir, "certs");
    await mkdir(certs, { recursive: true });
    serverCert = await selfSignedCert(certs, "server", "IP:127.0.0.1,IP:::1,DNS:localhost");
    otherCert = await selfSignedCert(certs, "other", "DNS:kube.example", "kube.example");
    clientCert = await selfSignedCert(certs, "client", "DNS:kured-client", "kured-client");
    fake = await startFakeApiServer(serverCert, "tls-token-1", { clientCa: clientCert.cert });
    other = await startFakeApiServer(otherCert, "other-token");
  });
  afterAll(async () => {
    await fake?.close();
    await other?.close();
  });

  /** A service account directory with this CA and token. */
  async function serviceAccount(name: string, ca: Buffer, token: string): Promise<string> {
    const dir = join(tmp.dir, name);
    await writeIn(dir, "ca.crt", ca);
    await writeIn(dir, "token", `${token}\n`);
    return dir;
  }

  const env = (port: number, host = "127.0.0.1") => ({
    KUBERNETES_SERVICE_HOST: host,
    KUBERNETES_SERVICE_PORT: String(port),
  });

  it("talks to the server with the service account's CA and token, and a rotated token", async () => {
    fake.token = "tls-token-1";
    const dir = await serviceAccount("sa-good", serverCert.cert, "tls-token-1");
    const api = createKubeApi(inClusterAccess(env(fake.port), dir));
    expect(api.server).toBe(`https://127.0.0.1:${fake.port}`);
    await expect(api.get<V1Node>("/api/v1/nodes/x")).resolves.toMatchObject({ metadata: { name: "x" } });
    expect(fake.requests.at(-1)).toMatchObject({
      method: "GET",
      path: "/api/v1/nodes/x",
      authorization: "Bearer tls-token-1",
    });

    // the kubelet rotates the token; the server accepts only the new one
    fake.token = "tls-token-2";
    await writeIn(dir, "token", "tls-token-2\n");
    await expect(api.get<V1Node>("/api/v1/nodes/x")).resolves.toMatchObject({ metadata: { name: "x" } });
    expect(fake.requests.at(-1)?.authorization).toBe("Bearer tls-token-2");
  });

  it("refuses a server its CA does not vouch for, without sending the token", async () => {
    fake.token = "tls-token-wrong-ca";
    const dir = await serviceAccount("sa-wrong-ca", otherCert.cert, "tls-token-wrong-ca");
    const before = fake.requests.length;
    const error = await createKubeApi(inClusterAccess(env(fake.port), dir))
      .get("/api/v1/nodes/x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(KubeApiError);
    expect((error as { code?: string }).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(fake.requests.length).toBe(before);
    expectNoSecret(error, "tls-token-wrong-ca");
  });

  it("needs no CA with insecure-skip-tls-verify, and trusts nothing without it", async () => {
    fake.token = "tls-token-insecure";
    const server = `https://127.0.0.1:${fake.port}`;
    const insecure = await writeIn(
      tmp.dir,
      "insecure.kubeconfig",
      kubeconfig({ server, "insecure-skip-tls-verify": true }, { token: "tls-token-insecure" }),
    );
    const api = createKubeApi(await kubeconfigFileAccess(insecure));
    await expect(api.get<V1Node>("/api/v1/nodes/x")).resolves.toMatchObject({ metadata: { name: "x" } });
    expect(fake.requests.at(-1)?.authorization).toBe("Bearer tls-token-insecure");

    const strict = await writeIn(tmp.dir, "strict.kubeconfig", kubeconfig({ server }, { token: "tls-token-insecure" }));
    const error = await createKubeApi(await kubeconfigFileAccess(strict))
      .get("/api/v1/nodes/x")
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });

  it("checks the certificate against tls-server-name when given", async () => {
    await writeIn(tmp.dir, "pki-other/ca.crt", otherCert.cert);
    const server = `https://127.0.0.1:${other.port}`;
    const named = await writeIn(
      tmp.dir,
      "named.kubeconfig",
      kubeconfig(
        { server, "certificate-authority": "pki-other/ca.crt", "tls-server-name": "kube.example" },
        { token: "other-token" },
      ),
    );
    await expect(createKubeApi(await kubeconfigFileAccess(named)).get("/api/v1/nodes/x")).resolves.toMatchObject({
      metadata: { name: "x" },
    });
    const unnamed = await writeIn(
      tmp.dir,
      "unnamed.kubeconfig",
      kubeconfig({ server, "certificate-authority": "pki-other/ca.crt" }, { token: "other-token" }),
    );
    const error = await createKubeApi(await kubeconfigFileAccess(unnamed))
      .get("/api/v1/nodes/x")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("authenticates with a client certificate given by relative paths", async () => {
    fake.token = "no-token-accepted-here";
    const dir = join(tmp.dir, "mtls");
    await writeIn(dir, "pki/server-ca.crt", serverCert.cert);
    await writeIn(dir, "pki/client.crt", clientCert.cert);
    await writeIn(dir, "pki/client.key", clientCert.key);
    const file = await writeIn(
      dir,
      "config",
      kubeconfig(
        { server: `https://127.0.0.1:${fake.port}`, "certificate-authority": "pki/server-ca.crt" },
        { "client-certificate": "pki/client.crt", "client-key": "pki/client.key" },
      ),
    );
    await expect(createKubeApi(await kubeconfigFileAccess(file)).get("/api/v1/nodes/x")).resolves.toMatchObject({
      metadata: { name: "x" },
    });
    expect(fake.requests.at(-1)).toMatchObject({ authorization: undefined, clientCertCN: "kured-client" });
  });

  it("connects to an IPv6 in-cluster address", async (ctx) => {
    let v6: FakeApiServer;
    try {
      v6 = await startFakeApiServer(serverCert, "tls-token-v6", { host: "::1" });
    } catch (e) {
      ctx.skip(`no IPv6 loopback here: ${(e as Error).message}`);
      return;
    }
    try {
      const dir = await serviceAccount("sa-v6", serverCert.cert, "tls-token-v6");
      const api = createKubeApi(inClusterAccess(env(v6.port, "::1"), dir));
      expect(api.server).toBe(`https://[::1]:${v6.port}`);
      await expect(api.get<V1Node>("/api/v1/nodes/x")).resolves.toMatchObject({ metadata: { name: "x" } });
      expect(v6.requests.at(-1)?.authorization).toBe("Bearer tls-token-v6");
    } finally {
      await v6.close();
    }
  });
});
