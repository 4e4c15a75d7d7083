/**
 * Where the API server is and how to authenticate, without @kubernetes/client-node: the pod's
 * service account (in-cluster) and kubeconfig files with static credentials are read here; a
 * kubeconfig that needs the library's machinery (exec or auth-provider plugins, impersonation) is
 * handed to the library's KubeConfig, loaded only then. A `proxy-url` is refused with a clear
 * error: the library keeps proxies in its own agent. docs/adr/0003.
 */
import type * as FsPromises from "node:fs/promises";
import type * as Yaml from "yaml";
import type { KubeConfig } from "@kubernetes/client-node";

/** TLS settings of the connection (node:tls names). */
export interface KubeTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

/** TLS settings without the unset ones (an empty server name counts as unset). */
function kubeTls(settings: { [K in keyof KubeTls]: KubeTls[K] | undefined }): KubeTls {
  const tls: { -readonly [K in keyof KubeTls]: KubeTls[K] } = {};
  if (settings.ca) tls.ca = settings.ca;
  if (settings.cert) tls.cert = settings.cert;
  if (settings.key) tls.key = settings.key;
  if (settings.rejectUnauthorized !== undefined) tls.rejectUnauthorized = settings.rejectUnauthorized;
  if (settings.servername) tls.servername = settings.servername;
  return tls;
}

/** What one request needs: headers (credentials) and TLS settings. */
export interface KubeCredentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: KubeTls;
}

/** The API server and the credentials for the next request (tokens may rotate between requests). */
export interface KubeAccess {
  /** e.g. `https://10.96.0.1:443`, no trailing slash */
  readonly server: string;
  credentials(): Promise<KubeCredentials>;
  /** where it came from, for messages: `in-cluster`, a kubeconfig path, … (never a secret) */
  readonly source: string;
}

/** The service account's files, as the kubelet mounts them. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

const fs = (): typeof FsPromises => process.getBuiltinModule("node:fs/promises");

/**
 * The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, the CA and the token file. The
 * token is read for every request, because the kubelet rotates it (bound tokens last an hour).
 */
export function inClusterAccess(
  env: Readonly<Record<string, string | undefined>> = process.env,
  dir: string = SERVICE_ACCOUNT_DIR,
): KubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  let ca: Promise<Buffer> | undefined;
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    source: "in-cluster",
    async credentials() {
      ca ??= fs()
        .readFile(`${dir}/ca.crt`)
        .catch((error: unknown) => {
          ca = undefined; // read again next time: the file may not be mounted yet
          throw error;
        });
      const [caBytes, token] = await Promise.all([ca, fs().readFile(`${dir}/token`, "utf8")]);
      return { headers: { Authorization: `Bearer ${token.trim()}` }, tls: { ca: caBytes } };
    },
  };
}

/** Access through the library's KubeConfig (any auth it supports), asked afresh per request. */
export function kubeConfigAccess(kubeConfig: KubeConfig): KubeAccess {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  if (cluster.proxyUrl) {
    // the library keeps proxies in its own HTTP agent, which kured's client does not use
    throw new Error(
      `the kubeconfig's cluster ${cluster.name} sets proxy-url, which kured does not support; ` +
        "reach the API server directly (kured normally runs in the cluster)",
    );
  }
  return {
    server: cluster.server.replace(/\/+$/, ""),
    source: `kubeconfig context ${kubeConfig.getCurrentContext() || "(none)"}`,
    async credentials() {
      const opts: {
        headers?: Record<string, string | number | string[]>;
        ca?: Buffer | string;
        cert?: Buffer | string;
        key?: Buffer | string;
        rejectUnauthorized?: boolean;
        servername?: string;
        auth?: string;
      } = {};
      // the library's public way to its credentials (it also makes an agent, which we do not use)
      await kubeConfig.applyToHTTPSOptions(opts as Parameters<KubeConfig["applyToHTTPSOptions"]>[0]);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name] = String(value);
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
      const buf = (v: Buffer | string | undefined): Buffer | undefined =>
        v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v);
      const tls = kubeTls({
        ca: buf(opts.ca),
        cert: buf(opts.cert),
        key: buf(opts.key),
        rejectUnauthorized: opts.rejectUnauthorized,
        servername: opts.servername ?? cluster.tlsServerName,
      });
      return { headers, tls };
    },
  };
}

/** The parts of a kubeconfig file read without the library. */
interface KubeconfigFile {
  "current-context"?: string;
  clusters?: { name?: string; cluster?: Record<string, unknown> }[];
  users?: { name?: string; user?: Record<string, unknown> }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string } }[];
}

/** User fields the lean reader understands; any other key hands the file to the library. */
const LEAN_USER_KEYS = new Set([
  "token",
  "tokenFile",
  "client-certificate",
  "client-certificate-data",
  "client-key",
  "client-key-data",
  "username",
  "password",
]);
const LEAN_CLUSTER_KEYS = new Set([
  "server",
  "certificate-authority",
  "certificate-authority-data",
  "insecure-skip-tls-verify",
  "tls-server-name",
  "extensions",
]);

/**
 * Reads a kubeconfig file. Static credentials (token, token file, client certificate, basic
 * auth) and the cluster's CA are read here; anything else (exec, auth-provider, proxy-url,
 * impersonation, …) loads the library and uses its KubeConfig.
 */
export async function kubeconfigFileAccess(file: string): Promise<KubeAccess> {
  const { dirname, resolve } = process.getBuiltinModule("node:path");
  const text = await fs().readFile(file, "utf8");
  // yaml is CommonJS: in the bundle, import() gives only its `default` (module.exports)
  const yaml = (await import("yaml")) as typeof Yaml & { default?: typeof Yaml };
  const parse = yaml.default?.parse ?? yaml.parse;
  const doc = (parse(text) ?? {}) as KubeconfigFile;
  const contextName = doc["current-context"];
  const context = doc.contexts?.find((c) => c.name === contextName)?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user ?? {};
  const lean =
    context !== undefined &&
    cluster !== undefined &&
    typeof cluster.server === "string" &&
    Object.keys(cluster).every((k) => LEAN_CLUSTER_KEYS.has(k)) &&
    Object.keys(user).every((k) => LEAN_USER_KEYS.has(k));
  if (!lean) {
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return kubeConfigAccess(kc);
  }
  const dir = dirname(resolve(file));
  const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  const bytes = async (path: unknown, data: unknown): Promise<Buffer | undefined> => {
    const p = str(path);
    if (p) return fs().readFile(resolve(dir, p));
    const d = str(data);
    return d ? Buffer.from(d, "base64") : undefined;
  };
  const tls = kubeTls({
    ca: await bytes(cluster["certificate-authority"], cluster["certificate-authority-data"]),
    cert: await bytes(user["client-certificate"], user["client-certificate-data"]),
    key: await bytes(user["client-key"], user["client-key-data"]),
    rejectUnauthorized: cluster["insecure-skip-tls-verify"] === true ? false : undefined,
    servername: str(cluster["tls-server-name"]),
  });
  const token = str(user.token);
  const tokenFile = str(user.tokenFile);
  const username = str(user.username);
  const password = typeof user.password === "string" ? user.password : "";
  return {
    server: (cluster.server as string).replace(/\/+$/, ""),
    source: `kubeconfig ${file}`,
    async credentials() {
      const headers: Record<string, string> = {};
      if (tokenFile) headers.Authorization = `Bearer ${(await fs().readFile(resolve(dir, tokenFile), "utf8")).trim()}`;
      else if (token) headers.Authorization = `Bearer ${token}`;
      else if (username) headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
      return { headers, tls };
    },
  };
}
