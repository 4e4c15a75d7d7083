/**
 * The in-process Kubernetes API server: a real HTTP server on a loopback port that
 * `@kubernetes/client-node` and `kubectl` talk to. Routing, authentication, RBAC, fault
 * injection, the audit log, content negotiation (JSON and server-side Table) and watch streams
 * live here; the verbs themselves are in the Registry.
 */
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { systemClock, type Clock } from "@kured/core";
import { parse as parseYaml } from "yaml";
import { ioActivity } from "../clock/io-activity.js";
import { AuditLog } from "./audit-log.js";
import { coreVersions, groupDocument, groupList, resourceList, SERVER_VERSION } from "./discovery.js";
import { FaultInjector, type RequestAttributes } from "./faults.js";
import { ObjectStore } from "./object-store.js";
import {
  checkFields,
  documentHash,
  fieldProblemsMessage,
  openApiV2Document,
  openApiV3Document,
  openApiV3Index,
  unknownFieldWarnings,
  type FieldValidation,
} from "./openapi.js";
import { applyManifests, forbiddenReason, RbacAuthorizer } from "./rbac.js";
import { seededRandom } from "./random.js";
import { Registry, type DeleteOptions, type PatchType } from "./registry.js";
import { apiVersionOf, findResource, type ResourceType } from "./resources.js";
import { parseSelection } from "./selection.js";
import {
  ApiError,
  badRequest,
  forbidden,
  internalError,
  methodNotSupported,
  statusForCode,
  unauthorized,
  unsupportedMediaType,
} from "./status.js";
import { toTable } from "./table.js";
import { isJsonObject, type KubeObject, type UserInfo } from "./types.js";

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  /** every timer (grace periods, watch timeouts, latency, outages) runs on this clock; default: system clock */
  clock?: Clock;
  /** port to listen on (127.0.0.1 only); default: a free port */
  port?: number;
  /** the token of the admin user (group system:masters); default "kured-testkit-admin" */
  adminToken?: string;
  /** enforce RBAC for every token but the admin's; default false (any request is admin) */
  rbac?: boolean;
  /** Roles, ClusterRoles and bindings (multi-document YAML or objects) to load at start */
  rbacManifests?: string | KubeObject[];
  /** extra bearer tokens and the users they authenticate as (a string is a user name) */
  tokens?: Record<string, string | UserInfo>;
  /** how many changes watches can resume from before 410 Gone; default 5000 */
  historyLimit?: number;
  /** seed of the generateName and fault-injection random sequences; default 1 */
  seed?: number;
  /** namespaces created at start; default default, kube-system, kube-public, kube-node-lease */
  namespaces?: string[];
}

/** Options of {@link ApiServer.toKubeConfig}. */
export interface KubeConfigOptions {
  /** bearer token; default the admin token */
  token?: string;
  /** the context's namespace */
  namespace?: string;
}

const ADMIN: UserInfo = { name: "kured-testkit-admin", groups: ["system:masters", "system:authenticated"] };
const ANONYMOUS: UserInfo = { name: "system:anonymous", groups: ["system:unauthenticated"] };
const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
};
const MAX_BODY = 3 * 1024 * 1024;

interface ResourceRoute {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string;
  verb: string;
}

function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

function userFrom(value: string | UserInfo): UserInfo {
  if (typeof value !== "string") return value;
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(value);
  if (sa) return serviceAccountUser(sa[1] as string, sa[2] as string);
  return { name: value, groups: ["system:authenticated"] };
}

/** The in-process Kubernetes API server; create one with {@link startApiServer}. */
export class ApiServer {
  readonly clock: Clock;
  readonly store: ObjectStore;
  readonly registry: Registry;
  readonly faults: FaultInjector;
  readonly audit = new AuditLog();
  readonly rbac: RbacAuthorizer;
  /** whether RBAC is enforced (can be switched at run time) */
  rbacEnabled: boolean;
  readonly adminToken: string;
  private readonly tokens = new Map<string, UserInfo>();
  private readonly http: Server;
  private readonly openStreams = new Set<ServerResponse>();
  private readonly closing = new AbortController();
  private baseUrl = "";

  /** Use {@link startApiServer}. */
  constructor(options: ApiServerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.store = new ObjectStore(options.historyLimit);
    this.registry = new Registry(this.store, this.clock, seededRandom((options.seed ?? 1) + 7919));
    this.faults = new FaultInjector(this.clock, options.seed ?? 1);
    this.rbac = new RbacAuthorizer(this.store);
    this.rbacEnabled = options.rbac ?? false;
    this.adminToken = options.adminToken ?? "kured-testkit-admin";
    this.tokens.set(this.adminToken, ADMIN);
    for (const [token, user] of Object.entries(options.tokens ?? {})) this.tokens.set(token, userFrom(user));
    const nsType = findResource("", "v1", "namespaces") as ResourceType;
    for (const ns of options.namespaces ?? ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      this.registry.create(nsType, undefined, { metadata: { name: ns } }, { internal: true });
    }
    if (options.rbacManifests) applyManifests(this.registry, options.rbacManifests);
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.sendError(res, e);
        else res.destroy();
      });
    });
  }

  /** Listens on 127.0.0.1. */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, "127.0.0.1", () => resolve());
    });
    const addr = this.http.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${addr.port}`;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.baseUrl;
  }

  /** Maps a bearer token to a user (a string is a user name or `system:serviceaccount:<ns>:<name>`). */
  addToken(token: string, user: string | UserInfo): void {
    this.tokens.set(token, userFrom(user));
  }

  /** A token that authenticates as the ServiceAccount `<namespace>/<name>`. */
  serviceAccountToken(namespace: string, name: string): string {
    const token = `kured-testkit-sa-${namespace}-${name}`;
    this.tokens.set(token, serviceAccountUser(namespace, name));
    return token;
  }

  /** Creates or replaces objects from multi-document YAML or objects (RBAC, workloads, …). */
  apply(manifests: string | KubeObject[]): KubeObject[] {
    return applyManifests(this.registry, manifests).applied;
  }

  /** A KubeConfig for this server (http, skipTLSVerify, bearer token), as kured would load one. */
  toKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
    const kc = new KubeConfig();
    const context: { name: string; cluster: string; user: string; namespace?: string } = {
      name: "kured-testkit",
      cluster: "kured-testkit",
      user: "kured-testkit",
    };
    if (options.namespace) context.namespace = options.namespace;
    kc.loadFromOptions({
      clusters: [{ name: "kured-testkit", server: this.url, skipTLSVerify: true }],
      users: [{ name: "kured-testkit", token: options.token ?? this.adminToken }],
      contexts: [context],
      currentContext: "kured-testkit",
    });
    return kc;
  }

  /** Writes a kubeconfig file for kubectl or kured. */
  async writeKubeconfig(path: string, options: KubeConfigOptions = {}): Promise<void> {
    await writeFile(path, this.toKubeConfig(options).exportConfig(), { mode: 0o600 });
  }

  /** Ends every watch, stops timers and closes the port. */
  async close(): Promise<void> {
    this.closing.abort(new Error("server closed"));
    this.registry.close();
    for (const s of this.openStreams) s.end();
    this.openStreams.clear();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  // ----- request pipeline ---------------------------------------------------------------------

  private authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(header);
    const user = m ? this.tokens.get((m[1] as string).trim()) : undefined;
    if (!this.rbacEnabled) return user ?? ADMIN;
    if (m && !user) throw unauthorized();
    return user ?? ANONYMOUS;
  }

  private route(method: string, segments: string[], query: URLSearchParams): ResourceRoute | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === "api" && segments.length >= 3) {
      group = "";
      version = segments[1] as string;
      rest = segments.slice(2);
    } else if (segments[0] === "apis" && segments.length >= 4) {
      group = segments[1] as string;
      version = segments[2] as string;
      rest = segments.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    let resource: string;
    let name: string | undefined;
    let subresource: string;
    if (rest[0] === "namespaces" && rest.length >= 3 && findResource(group, version, rest[2] as string)?.namespaced) {
      namespace = rest[1];
      resource = rest[2] as string;
      name = rest[3];
      subresource = rest[4] ?? "";
      if (rest.length > 5) return undefined;
    } else {
      resource = rest[0] as string;
      name = rest[1];
      subresource = rest[2] ?? "";
      if (rest.length > 3) return undefined;
    }
    const type = findResource(group, version, resource);
    if (!type) return undefined;
    if (!type.namespaced && namespace !== undefined) return undefined;
    if (type.namespaced && name !== undefined && namespace === undefined) return undefined;
    if (subresource && !type.subresources.includes(subresource)) return undefined;
    let verb: string;
    switch (method) {
      case "GET":
        verb = name ? "get" : query.get("watch") === "1" || query.get("watch") === "true" ? "watch" : "list";
        break;
      case "POST":
        verb = "create";
        if (name && subresource !== "eviction") return undefined;
        break;
      case "PUT":
        verb = "update";
        break;
      case "PATCH":
        verb = "patch";
        break;
      case "DELETE":
        verb = name ? "delete" : "deletecollection";
        break;
      default:
        return undefined;
    }
    if ((verb === "update" || verb === "patch") && !name) return undefined;
    return { type, namespace, name, subresource, verb };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.clock.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const segments = url.pathname.split("/").filter((s) => s !== "");
    const method = req.method ?? "GET";
    const route = this.route(method, segments, url.searchParams);
    const attrs: RequestAttributes = {
      verb: route?.verb ?? method.toLowerCase(),
      resource: route?.type.resource ?? "",
      subresource: route?.subresource ?? "",
      namespace: route?.namespace ?? "",
      name: route?.name ?? "",
      path: url.pathname,
    };
    let user = ANONYMOUS;
    try {
      user = this.authenticate(req);
      const decision = this.faults.decide(attrs);
      if (decision.latencyMs > 0) {
        const endWait = ioActivity.serverWait();
        try {
          await this.clock.sleep(decision.latencyMs, this.closing.signal);
        } finally {
          endWait();
        }
      }
      if (decision.drop) {
        req.socket.destroy();
        return;
      }
      if (decision.status !== undefined) throw statusForCode(decision.status, decision.message);
      if (route) {
        this.authorize(user, route, url.pathname, url.searchParams);
        await this.serveResource(req, res, route, url.searchParams);
      } else {
        if (
          this.rbacEnabled &&
          !this.rbac.authorize({
            user,
            verb: method.toLowerCase(),
            resourceRequest: false,
            apiGroup: "",
            resource: "",
            subresource: "",
            namespace: "",
            name: "",
            path: url.pathname,
          })
        ) {
          throw new ApiError(
            403,
            "Forbidden",
            `forbidden: User "${user.name}" cannot ${method.toLowerCase()} path "${url.pathname}"`,
            {},
          );
        }
        this.serveNonResource(req, res, segments, url);
      }
    } catch (e) {
      if (!res.headersSent && !res.destroyed) this.sendError(res, e);
    } finally {
      this.audit.record({
        time: started,
        user: user.name,
        verb: attrs.verb,
        resource: attrs.resource,
        subresource: attrs.subresource,
        namespace: attrs.namespace,
        name: attrs.name,
        path: `${url.pathname}${url.search}`,
        status: res.headersSent ? res.statusCode : 0,
        userAgent: String(req.headers["user-agent"] ?? ""),
      });
    }
  }

  private authorize(user: UserInfo, route: ResourceRoute, path: string, query: URLSearchParams): void {
    if (!this.rbacEnabled) return;
    const request = {
      user,
      verb: route.verb,
      resourceRequest: true,
      apiGroup: route.type.group,
      resource: route.type.resource,
      subresource: route.subresource,
      namespace: route.namespace ?? "",
      name: route.name ?? nameFromFieldSelector(route.verb, query) ?? "",
      path,
    };
    if (!this.rbac.authorize(request)) {
      throw forbidden(
        { group: route.type.group, resource: route.type.resource },
        route.name ?? "",
        forbiddenReason(request),
      );
    }
  }

  private serveNonResource(req: IncomingMessage, res: ServerResponse, segments: string[], url: URL): void {
    const [first, second, third] = segments;
    const path = url.pathname;
    let body: Record<string, unknown> | undefined;
    if (first === "openapi") {
      if (this.serveOpenApi(req, res, segments, url.searchParams)) return;
    } else if (path === "/version" || path === "/version/") body = SERVER_VERSION;
    else if (first === "api" && segments.length === 1) body = coreVersions(new URL(this.url).host);
    else if (first === "api" && segments.length === 2) body = resourceList("", second as string);
    else if (first === "apis" && segments.length === 1) body = groupList();
    else if (first === "apis" && segments.length === 2) body = groupDocument(second as string);
    else if (first === "apis" && segments.length === 3) body = resourceList(second as string, third as string);
    else if (first === "healthz" || first === "livez" || first === "readyz") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (!body) {
      throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
    }
    this.sendJson(res, 200, body);
  }

  /**
   * /openapi/v2, /openapi/v3 and /openapi/v3/<group version>, in JSON only: an Accept that names
   * only protobuf (what kubectl sends for v2) gets the 406 kube-apiserver gives a media type it
   * cannot produce. A group version's document asked for by the hash the index names may be
   * cached for good, as on kube-apiserver; a stale hash is redirected to the current one.
   * Returns false when the path names no document.
   */
  private serveOpenApi(req: IncomingMessage, res: ServerResponse, segments: string[], query: URLSearchParams): boolean {
    const version = segments[1];
    const gvPath = version === "v3" && segments.length > 2 ? segments.slice(2).join("/") : undefined;
    let doc: Record<string, unknown> | undefined;
    if (version === "v2" && segments.length === 2) doc = openApiV2Document();
    else if (version === "v3" && segments.length === 2) doc = openApiV3Index();
    else if (gvPath !== undefined) doc = openApiV3Document(gvPath);
    if (!doc) return false;
    if (!acceptsJson(String(req.headers.accept ?? ""))) {
      throw new ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json", {});
    }
    const headers: Record<string, string> = { Vary: "Accept" };
    if (gvPath !== undefined) {
      const hash = documentHash(doc);
      headers.ETag = `"${hash}"`;
      const asked = query.get("hash");
      if (asked !== null && asked !== hash) {
        res.writeHead(301, { Location: `/openapi/v3/${gvPath}?hash=${hash}` });
        res.end();
        return true;
      }
      if (asked !== null) {
        headers["Cache-Control"] = "public, immutable";
        headers.Expires = new Date(this.clock.now().getTime() + 365 * 24 * 3600 * 1000).toUTCString();
      }
    }
    this.sendJson(res, 200, doc, headers);
    return true;
  }

  /**
   * Decoding and field validation of a create, update or patch body, as kube-apiserver does them:
   * a value of the wrong JSON type is always a 400 (a decode error); unknown fields are a 400 with
   * `?fieldValidation=Strict`, one `Warning` header each with Warn (the default), and unchecked with
   * Ignore. Unlike kube-apiserver, unknown fields are kept rather than dropped.
   */
  private checkBody(type: ResourceType, body: unknown, query: URLSearchParams, patch: boolean): string[] {
    const directive = (query.get("fieldValidation") || "Warn") as FieldValidation;
    // a body of another kind is the registry's 400, as kube-apiserver reads the kind first
    if (
      isJsonObject(body) &&
      !patch &&
      ((body.kind || type.kind) !== type.kind || (body.apiVersion || apiVersionOf(type)) !== apiVersionOf(type))
    ) {
      return [];
    }
    const problems = checkFields(type, body, { patch });
    const message = fieldProblemsMessage(type, problems, directive === "Strict");
    if (message) throw badRequest(message);
    return directive === "Ignore" ? [] : unknownFieldWarnings(problems);
  }

  // ----- resources ----------------------------------------------------------------------------

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { type, namespace, subresource } = route;
    const name = route.name ?? "";
    const accept = String(req.headers.accept ?? "");
    const wantsTable = accept.includes("as=Table");
    switch (route.verb) {
      case "get": {
        const obj = this.registry.get(type, namespace, name);
        if (wantsTable) {
          this.sendJson(
            res,
            200,
            toTable(type, [obj], this.clock.now(), this.includeObject(query), {
              resourceVersion: obj.metadata?.resourceVersion,
            }),
          );
        } else this.sendJson(res, 200, obj);
        return;
      }
      case "list": {
        const selection = parseSelection(
          type,
          query.get("labelSelector") ?? undefined,
          query.get("fieldSelector") ?? undefined,
        );
        const limit = query.has("limit") ? Number(query.get("limit")) : undefined;
        const result = this.registry.list(type, namespace, {
          selection,
          limit,
          continue: query.get("continue") ?? undefined,
        });
        const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
        if (result.continue) meta.continue = result.continue;
        if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
        if (wantsTable) {
          const items = result.items.map((i) => ({ ...i, apiVersion: apiVersionOf(type), kind: type.kind }));
          this.sendJson(res, 200, toTable(type, items, this.clock.now(), this.includeObject(query), meta));
        } else {
          this.sendJson(res, 200, {
            kind: `${type.kind}List`,
            apiVersion: apiVersionOf(type),
            metadata: meta,
            items: result.items,
          });
        }
        return;
      }
      case "watch":
        this.serveWatch(req, res, route, query);
        return;
      case "create": {
        const body = await this.readBody(req);
        if (subresource === "eviction") {
          if (!namespace) throw methodNotSupported({ group: "", resource: "pods" }, "eviction");
          this.registry.evict(namespace, name, body);
          this.sendJson(res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
          return;
        }
        const warnings = this.checkBody(type, body, query, false);
        this.sendJson(res, 201, this.registry.create(type, namespace, body), warningHeaders(warnings));
        return;
      }
      case "update": {
        const body = await this.readBody(req);
        const warnings = this.checkBody(type, body, query, false);
        this.sendJson(
          res,
          200,
          this.registry.update(type, namespace, name, body, subresource || undefined),
          warningHeaders(warnings),
        );
        return;
      }
      case "patch": {
        const contentType =
          String(req.headers["content-type"] ?? "")
            .split(";")[0]
            ?.trim() ?? "";
        const patchType = PATCH_TYPES[contentType];
        if (!patchType) throw unsupportedMediaType(Object.keys(PATCH_TYPES));
        const body = await this.readBody(req);
        // a JSON patch is a list of operations: its paths are not checked against the schema
        const warnings = patchType === "json" ? [] : this.checkBody(type, body, query, true);
        this.sendJson(
          res,
          200,
          this.registry.patch(type, namespace, name, patchType, body, subresource || undefined),
          warningHeaders(warnings),
        );
        return;
      }
      case "delete": {
        const raw = await this.readBody(req, true);
        const options = (isJsonObject(raw) ? raw : {}) as DeleteOptions;
        if (query.has("gracePeriodSeconds")) options.gracePeriodSeconds = Number(query.get("gracePeriodSeconds"));
        const policy = query.get("propagationPolicy");
        if (policy === "Orphan" || policy === "Background" || policy === "Foreground")
          options.propagationPolicy = policy;
        const result = this.registry.delete(type, namespace, name, options);
        if (type.kind === "Pod" || !result.gone) this.sendJson(res, 200, result.object);
        else {
          const details: Record<string, unknown> = { name, kind: type.resource, uid: result.object.metadata?.uid };
          if (type.group) details.group = type.group;
          this.sendJson(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details });
        }
        return;
      }
      case "deletecollection": {
        const selection = parseSelection(
          type,
          query.get("labelSelector") ?? undefined,
          query.get("fieldSelector") ?? undefined,
        );
        const { items } = this.registry.list(type, namespace, { selection });
        for (const item of items) {
          try {
            this.registry.delete(type, item.metadata?.namespace, item.metadata?.name as string, {});
          } catch {
            // gone meanwhile
          }
        }
        this.sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: {}, items: [] });
        return;
      }
      default:
        throw methodNotSupported({ group: type.group, resource: type.resource }, route.verb);
    }
  }

  private includeObject(query: URLSearchParams): "None" | "Metadata" | "Object" {
    const v = query.get("includeObject");
    return v === "None" || v === "Object" ? v : "Metadata";
  }

  private serveWatch(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, query: URLSearchParams): void {
    const selection = parseSelection(
      route.type,
      query.get("labelSelector") ?? undefined,
      query.get("fieldSelector") ?? undefined,
    );
    const bookmarks = query.get("allowWatchBookmarks") === "true" || query.get("allowWatchBookmarks") === "1";
    const sendInitial = query.get("sendInitialEvents") === "true";
    const rv = sendInitial ? "0" : (query.get("resourceVersion") ?? undefined);
    const buffered: string[] = [];
    let started = false;
    const write = (type: string, object: unknown): void => {
      const line = `${JSON.stringify({ type, object })}\n`;
      if (started) res.write(line);
      else buffered.push(line);
    };
    let stop: () => void;
    try {
      stop = this.registry.watch(route.type, route.namespace, selection, rv, (e) => write(e.type, e.object));
    } catch (e) {
      if (e instanceof ApiError && e.code === 410) {
        // a watch that starts too far back is a 200 stream with one ERROR event (as the real server)
        res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
        res.end(`${JSON.stringify({ type: "ERROR", object: e.toStatus() })}\n`);
        return;
      }
      throw e;
    }
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    res.flushHeaders();
    started = true;
    for (const line of buffered) res.write(line);
    const bookmark = (annotations?: Record<string, string>): void => {
      const metadata: Record<string, unknown> = { resourceVersion: String(this.store.resourceVersion) };
      if (annotations) metadata.annotations = annotations;
      write("BOOKMARK", { kind: route.type.kind, apiVersion: apiVersionOf(route.type), metadata });
    };
    if (sendInitial && bookmarks) bookmark({ "k8s.io/initial-events-end": "true" });
    this.openStreams.add(res);
    const ended = new AbortController();
    const finish = (): void => {
      if (ended.signal.aborted) return;
      ended.abort();
      stop();
      this.openStreams.delete(res);
    };
    req.on("close", finish);
    res.on("close", finish);
    const timeout = Number(query.get("timeoutSeconds") ?? "0");
    if (timeout > 0) {
      this.clock.sleep(timeout * 1000, ended.signal).then(
        () => {
          if (bookmarks) bookmark();
          finish();
          res.end();
        },
        () => undefined,
      );
    }
  }

  // ----- I/O helpers --------------------------------------------------------------------------

  private async readBody(req: IncomingMessage, optional = false): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY)
        throw new ApiError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "") {
      if (optional) return undefined;
      throw badRequest("Object 'Kind' is missing in ''");
    }
    const contentType = String(req.headers["content-type"] ?? "");
    // typed clients (kubectl create namespace, say) may send protobuf, which this server cannot read
    if (contentType.includes("protobuf")) throw unsupportedMediaType(["application/json", "application/yaml"]);
    try {
      return contentType.includes("yaml") ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }

  private sendJson(
    res: ServerResponse,
    code: number,
    body: unknown,
    headers: Record<string, string | string[]> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Content-Length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private sendError(res: ServerResponse, e: unknown): void {
    const err = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
    this.sendJson(res, err.code, err.toStatus(), err.headers);
  }
}

/** Starts an API server on a free loopback port. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const server = new ApiServer(options);
  await server.listen(options.port);
  return server;
}

/** Whether an Accept header admits JSON (no header, `application/json`, `application/*` or `*\/*`). */
function acceptsJson(accept: string): boolean {
  if (accept.trim() === "") return true;
  return accept.split(",").some((part) => {
    const media = (part.split(";")[0] ?? "").trim().toLowerCase();
    return media === "application/json" || media === "application/*" || media === "*/*";
  });
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length > 0 ? { Warning: warnings } : {};
}

/**
 * kube-apiserver authorizes a list or watch whose field selector pins `metadata.name` as a request
 * for that name, so `resourceNames` rules cover a single-object watch.
 */
function nameFromFieldSelector(verb: string, query: URLSearchParams): string | undefined {
  if (verb !== "list" && verb !== "watch") return undefined;
  const selector = query.get("fieldSelector");
  if (!selector) return undefined;
  for (const term of selector.split(",")) {
    const m = /^metadata\.name==?(.*)$/.exec(term.trim());
    if (m) return m[1];
  }
  return undefined;
}
