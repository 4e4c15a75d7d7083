/**
 * The API server's storage layer: the verbs (get, list, create, update, patch, delete, watch,
 * evict) with the semantics of kube-apiserver's generic registry and the per-kind strategies kured
 * relies on — resourceVersion preconditions, no-op writes, status subresources, graceful pod
 * deletion, owner-reference garbage collection, and the disruption controller's budget status.
 * Used by the HTTP layer and, directly, by the simulated controllers.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "@kured/core";
import { budgetStatusObject, computeBudgetStatus, isPodReady, selectorMatches } from "./disruption.js";
import { coreToEventsV1, eventsV1ToCore } from "./event-conversion.js";
import { applyJsonPatch, jsonEqual, PatchError } from "./json-patch.js";
import { applyMergePatch } from "./merge-patch.js";
import type { ObjectStore, StoreEvent } from "./object-store.js";
import { apiVersionOf, findResource, type ResourceType } from "./resources.js";
import { matchesSelection, type Selection } from "./selection.js";
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  internalError,
  notFound,
  resourceExpired,
  tooManyRequests,
} from "./status.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";
import { cloneJson, isJsonObject, type KubeObject, type StoredObject } from "./types.js";
import { checkMicroTimes, validateObject } from "./validation.js";

/** The patch content types the server accepts. */
export type PatchType = "json" | "merge" | "strategic";

/** Options of a list call. */
export interface ListOptions {
  selection?: Selection;
  limit?: number;
  continue?: string;
}

/** A list answer (items in the resource's served form). */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** metav1.DeleteOptions, the parts the server honours. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
}

/** The outcome of a delete: the object's last state and whether it is gone already. */
export interface DeleteResult {
  object: KubeObject;
  gone: boolean;
}

/** One event a watch sends. */
export interface WatchSinkEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
}

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64");
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === "number" && typeof parsed.start === "string")
      return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
}

/** The storage layer; see the file comment. */
export class Registry {
  /**
   * The order of a watch's initial ADDED events. kube-apiserver does not specify it (the watch
   * cache sends them in no particular order); "key" is the store's order, "shuffled" a seeded
   * random one, as `serve --busy` uses to catch tests that depend on the order.
   */
  initialEventOrder: "key" | "shuffled" = "key";
  private readonly closing = new AbortController();
  private reconciling = false;
  /** a hook to veto or observe pod removal (the simulated kubelet uses it); none by default */
  private readonly random: () => number;

  constructor(
    readonly store: ObjectStore,
    readonly clock: Clock,
    random: () => number = Math.random,
  ) {
    this.random = random;
  }

  /** Stops pending timers (graceful deletions). */
  close(): void {
    this.closing.abort(new Error("server closed"));
  }

  // ----- forms --------------------------------------------------------------------------------

  /** The object as `type` serves it (events.k8s.io events are converted from storage). */
  present(type: ResourceType, obj: StoredObject): KubeObject {
    const copy = cloneJson(obj) as KubeObject;
    return type.group === "events.k8s.io" ? coreToEventsV1(copy) : copy;
  }

  private toStorage(type: ResourceType, obj: KubeObject): KubeObject {
    return type.group === "events.k8s.io" ? eventsV1ToCore(obj) : obj;
  }

  private storageType(type: ResourceType): ResourceType {
    return type.group === "events.k8s.io" ? (findResource("", "v1", "events") as ResourceType) : type;
  }

  private gr(type: ResourceType): { group: string; resource: string } {
    return { group: type.group, resource: type.resource };
  }

  private now(): string {
    return formatTime(this.clock.now());
  }

  // ----- reads --------------------------------------------------------------------------------

  /** The stored object or a 404 Status error. */
  getStored(type: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const obj = this.store.get(type.storage, type.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(this.gr(type), name);
    return obj;
  }

  /** GET one object. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return this.present(type, this.getStored(type, namespace, name));
  }

  /** LIST with selectors and paging. */
  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): ListResult {
    let objects = this.store.list(type.storage, type.namespaced ? namespace : undefined);
    if (options.continue) {
      const token = decodeContinue(options.continue);
      objects = objects.filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > token.start);
    }
    if (options.selection) {
      const sel = options.selection;
      objects = objects.filter((o) => matchesSelection(sel, o));
    }
    const result: ListResult = { items: [], resourceVersion: String(this.store.resourceVersion) };
    let page = objects;
    if (options.limit !== undefined && options.limit > 0 && objects.length > options.limit) {
      page = objects.slice(0, options.limit);
      const last = page[page.length - 1] as StoredObject;
      result.continue = encodeContinue(
        this.store.resourceVersion,
        `${last.metadata.namespace ?? ""}/${last.metadata.name}`,
      );
      // kube-apiserver counts the rest only when it need not filter it (an empty selector)
      const filtered =
        options.selection !== undefined &&
        (!options.selection.label.isEverything() || !options.selection.field.isEverything());
      if (!filtered) result.remainingItemCount = objects.length - options.limit;
    }
    result.items = page.map((o) => {
      const item = this.present(type, o);
      // the real server omits kind and apiVersion on list items
      delete item.kind;
      delete item.apiVersion;
      return item;
    });
    return result;
  }

  // ----- writes -------------------------------------------------------------------------------

  private commit(type: ResourceType, obj: KubeObject): StoredObject {
    const stored = obj as StoredObject;
    stored.metadata.resourceVersion = String(this.store.nextResourceVersion());
    this.store.put(type.storage, stored);
    this.afterChange(type);
    return stored;
  }

  private removeNow(type: ResourceType, current: StoredObject, options: DeleteOptions = {}): StoredObject {
    const final = cloneJson(current);
    final.metadata.resourceVersion = String(this.store.nextResourceVersion());
    this.store.remove(type.storage, final);
    this.afterChange(type);
    if (options.propagationPolicy !== "Orphan") this.collectDependents(final);
    return final;
  }

  /** Recomputes budgets after pods, budgets or controllers change (the disruption controller). */
  private afterChange(type: ResourceType): void {
    if (this.reconciling) return;
    if (!["pods", "poddisruptionbudgets", "replicasets", "deployments"].includes(type.resource)) return;
    this.reconcileBudgets();
  }

  /** Brings every PodDisruptionBudget's status up to date with the pods it covers. */
  reconcileBudgets(): void {
    const pdbType = findResource("policy", "v1", "poddisruptionbudgets") as ResourceType;
    const podType = findResource("", "v1", "pods") as ResourceType;
    this.reconciling = true;
    try {
      for (const pdb of this.store.list(pdbType.storage)) {
        const pods = this.store.list(podType.storage, pdb.metadata.namespace);
        const computed = computeBudgetStatus(pdb, pods, (p) => this.controllerScale(p));
        const status = budgetStatusObject(pdb, computed, this.now(), pdb.status);
        if (jsonEqual(status, pdb.status)) continue;
        const next = cloneJson(pdb);
        next.status = status;
        this.commit(pdbType, next);
      }
    } finally {
      this.reconciling = false;
    }
  }

  private controllerScale(pod: KubeObject): { uid: string; replicas: number } | undefined {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (!ref) return undefined;
    const t =
      ref.kind === "ReplicaSet"
        ? findResource("apps", "v1", "replicasets")
        : ref.kind === "DaemonSet"
          ? findResource("apps", "v1", "daemonsets")
          : undefined;
    if (!t) return undefined;
    const owner = this.store.get(t.storage, pod.metadata?.namespace, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) return undefined;
    const spec = isJsonObject(owner.spec) ? owner.spec : {};
    const status = isJsonObject(owner.status) ? owner.status : {};
    const replicas =
      t.resource === "daemonsets" ? Number(status.desiredNumberScheduled ?? 0) : Number(spec.replicas ?? 1);
    return { uid: ref.uid, replicas };
  }

  /** Background garbage collection: objects owned by a deleted object are deleted too. */
  private collectDependents(owner: StoredObject): void {
    for (const storage of this.store.storages()) {
      for (const obj of this.store.list(storage)) {
        if (!obj.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) continue;
        const [group, resource] = storage.split("/") as [string, string];
        const type = findResource(group, "v1", resource);
        if (!type) continue;
        const current = this.store.get(storage, obj.metadata.namespace, obj.metadata.name);
        if (!current) continue;
        try {
          this.delete(type, obj.metadata.namespace, obj.metadata.name, {});
        } catch {
          // already gone or terminating: nothing to collect
        }
      }
    }
  }

  private generateName(prefix: string): string {
    let suffix = "";
    for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(this.random() * GENERATE_ALPHABET.length)];
    return prefix + suffix;
  }

  private checkKind(type: ResourceType, obj: KubeObject): void {
    if (obj.kind !== undefined && obj.kind !== "" && obj.kind !== type.kind) {
      throw badRequest(
        `the server could not find the requested resource: kind ${obj.kind} does not match ${type.kind}`,
      );
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== "" && obj.apiVersion !== apiVersionOf(type)) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
  }

  /**
   * CREATE. `internal` writes (from the simulated controllers and test helpers) keep the given
   * status, as a kubelet or controller would write it right after; API clients' statuses are reset
   * as the real strategies do.
   */
  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: { internal?: boolean } = {},
  ): KubeObject {
    if (!isJsonObject(body)) throw badRequest("the body of the request must be a JSON object");
    const input = cloneJson(body) as KubeObject;
    this.checkKind(type, input);
    checkMicroTimes(type, input);
    const meta = (input.metadata = isJsonObject(input.metadata) ? input.metadata : {});
    if (type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest("the namespace of the object must be set");
      const nsType = findResource("", "v1", "namespaces") as ResourceType;
      if (!this.store.get(nsType.storage, undefined, meta.namespace))
        throw notFound({ group: "", resource: "namespaces" }, meta.namespace);
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = this.generateName(meta.generateName);
    validateObject(type, input);
    const name = meta.name as string;
    const st = this.storageType(type);
    if (this.store.get(st.storage, meta.namespace, name)) throw alreadyExists(this.gr(type), name);

    const obj = this.toStorage(type, input);
    const m = obj.metadata as NonNullable<KubeObject["metadata"]>;
    obj.apiVersion = apiVersionOf(st);
    obj.kind = st.kind;
    m.uid = randomUUID();
    m.creationTimestamp = this.now();
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.resourceVersion;
    if (st.generation) m.generation = 1;
    else delete m.generation;
    this.applyCreateStrategy(st, obj, options.internal === true);
    return this.present(type, this.commit(st, obj));
  }

  private applyCreateStrategy(type: ResourceType, obj: KubeObject, internal: boolean): void {
    const meta = obj.metadata as NonNullable<KubeObject["metadata"]>;
    switch (type.kind) {
      case "Namespace":
        meta.labels = { ...(meta.labels ?? {}), "kubernetes.io/metadata.name": meta.name as string };
        obj.spec = isJsonObject(obj.spec) ? obj.spec : { finalizers: ["kubernetes"] };
        obj.status = { phase: "Active" };
        break;
      case "Pod": {
        const spec = (obj.spec = isJsonObject(obj.spec) ? obj.spec : {});
        spec.terminationGracePeriodSeconds ??= 30;
        spec.restartPolicy ??= "Always";
        spec.schedulerName ??= "default-scheduler";
        spec.dnsPolicy ??= "ClusterFirst";
        if (!internal || !isJsonObject(obj.status)) obj.status = { phase: "Pending", qosClass: "BestEffort" };
        break;
      }
      case "DaemonSet":
      case "Deployment":
      case "ReplicaSet":
      case "PodDisruptionBudget":
        if (!internal) obj.status = {};
        break;
      default:
        break;
    }
  }

  /** UPDATE (PUT), of the object or of its status subresource. */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
  ): KubeObject {
    if (!isJsonObject(body)) throw badRequest("the body of the request must be a JSON object");
    const input = cloneJson(body) as KubeObject;
    this.checkKind(type, input);
    checkMicroTimes(type, input);
    const current = this.getStored(type, namespace, name);
    const meta = isJsonObject(input.metadata) ? input.metadata : {};
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(this.gr(type), name);
    }
    if (meta.uid && meta.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(type),
        name,
        `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    input.metadata = { ...meta, name };
    if (type.group === "events.k8s.io") validateObject(type, input);
    return this.present(type, this.write(this.storageType(type), current, this.toStorage(type, input), subresource));
  }

  /** Applies the update strategy and stores the result (unless nothing changed). */
  private write(type: ResourceType, current: StoredObject, input: KubeObject, subresource?: string): StoredObject {
    let next: KubeObject;
    if (subresource === "status") {
      next = cloneJson(current) as KubeObject;
      next.status = input.status;
      const m = next.metadata as NonNullable<KubeObject["metadata"]>;
      const im = input.metadata ?? {};
      // status writers may still change labels and annotations, as on a real server
      if (im.labels !== undefined) m.labels = im.labels;
      if (im.annotations !== undefined) m.annotations = im.annotations;
    } else {
      next = input;
      if (type.subresources.includes("status")) next.status = cloneJson(current.status);
    }
    const m = (next.metadata = isJsonObject(next.metadata) ? next.metadata : {});
    const cm = current.metadata;
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    m.name = cm.name;
    if (cm.namespace !== undefined) m.namespace = cm.namespace;
    else delete m.namespace;
    m.uid = cm.uid;
    m.creationTimestamp = cm.creationTimestamp;
    if (cm.deletionTimestamp) m.deletionTimestamp = cm.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    if (type.generation) {
      m.generation = (cm.generation ?? 1) + (jsonEqual(next.spec, current.spec) ? 0 : 1);
    } else delete m.generation;
    m.resourceVersion = cm.resourceVersion;
    if (subresource !== "status") {
      validateObject(type, next);
      if (type.kind === "Namespace") m.labels = { ...(m.labels ?? {}), "kubernetes.io/metadata.name": cm.name };
    }
    // drop explicit nulls a client may send for empty maps
    for (const k of ["labels", "annotations"] as const) if (m[k] === null) delete m[k];
    if (jsonEqual(next, current)) return current;
    const stored = this.commit(type, next);
    if (stored.metadata.deletionTimestamp && (stored.metadata.finalizers ?? []).length === 0 && type.kind !== "Pod") {
      return this.removeNow(type, stored);
    }
    return stored;
  }

  /** PATCH with one of the three patch types. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    subresource?: string,
  ): KubeObject {
    const current = this.getStored(type, namespace, name);
    const view = this.present(type, current);
    let patched: unknown;
    try {
      if (patchType === "json") patched = applyJsonPatch(view, patch);
      else if (patchType === "merge") {
        if (!isJsonObject(patch))
          throw new PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}", true);
        patched = applyMergePatch(view, patch);
      } else patched = applyStrategicMergePatch(view, patch);
    } catch (e) {
      if (e instanceof PatchError) {
        if (e.malformed) throw badRequest(e.message);
        // apimachinery's NewGenericServerResponse(422, …) for a patch that does not apply
        throw new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", {});
      }
      throw e;
    }
    if (!isJsonObject(patched)) throw badRequest("the patched object is not a JSON object");
    const result = patched as KubeObject;
    checkMicroTimes(type, result);
    const meta = isJsonObject(result.metadata) ? result.metadata : (result.metadata = {});
    // a resourceVersion carried by the patch is a precondition
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(this.gr(type), name);
    if (meta.uid && meta.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(type),
        name,
        `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (meta.name !== name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    if (type.group === "events.k8s.io") validateObject(type, result);
    return this.present(type, this.write(this.storageType(type), current, this.toStorage(type, result), subresource));
  }

  /** DELETE: graceful for pods bound to a node, immediate otherwise (unless finalizers hold it). */
  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const st = this.storageType(type);
    const current = this.getStored(type, namespace, name);
    const pre = options.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        this.gr(type),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        this.gr(type),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (st.kind === "Namespace") {
      for (const storage of this.store.storages()) {
        for (const obj of this.store.list(storage, name)) {
          const [group, resource] = storage.split("/") as [string, string];
          const t = findResource(group, "v1", resource);
          if (t) this.removeNow(t, obj);
        }
      }
    }
    if (st.kind === "Pod") {
      const spec = isJsonObject(current.spec) ? current.spec : {};
      const status = isJsonObject(current.status) ? current.status : {};
      let grace = options.gracePeriodSeconds ?? Number(spec.terminationGracePeriodSeconds ?? 30);
      if (!spec.nodeName || status.phase === "Succeeded" || status.phase === "Failed") grace = 0;
      if (grace > 0) return { object: this.present(type, this.terminate(st, current, grace)), gone: false };
    } else if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return { object: this.present(type, current), gone: false };
      const next = cloneJson(current);
      next.metadata.deletionTimestamp = this.now();
      next.metadata.deletionGracePeriodSeconds = 0;
      return { object: this.present(type, this.commit(st, next)), gone: false };
    }
    return { object: this.present(type, this.removeNow(st, current, options)), gone: true };
  }

  /** Marks a pod terminating and removes it once its grace period has passed on the clock. */
  private terminate(type: ResourceType, current: StoredObject, grace: number): StoredObject {
    const deadline = new Date(this.clock.now().getTime() + grace * 1000);
    const existing = current.metadata.deletionTimestamp;
    if (existing && Date.parse(existing) <= deadline.getTime()) return current;
    const next = cloneJson(current);
    next.metadata.deletionTimestamp = formatTime(deadline);
    next.metadata.deletionGracePeriodSeconds = grace;
    const stored = this.commit(type, next);
    const { uid } = stored.metadata;
    const ns = stored.metadata.namespace;
    const podName = stored.metadata.name;
    this.clock.sleep(grace * 1000, this.closing.signal).then(
      () => {
        const now = this.store.get(type.storage, ns, podName);
        if (!now || now.metadata.uid !== uid || !now.metadata.deletionTimestamp) return;
        if (Date.parse(now.metadata.deletionTimestamp) > this.clock.now().getTime() + 999) return; // a later deadline won
        if ((now.metadata.finalizers ?? []).length > 0) return;
        this.removeNow(type, now);
      },
      () => undefined,
    );
    return stored;
  }

  /** Binds a pod to a node, as the scheduler does through the pods/binding subresource. */
  bindPod(namespace: string, name: string, nodeName: string): KubeObject {
    const type = findResource("", "v1", "pods") as ResourceType;
    const pod = this.getStored(type, namespace, name);
    const spec = isJsonObject(pod.spec) ? pod.spec : {};
    if (spec.nodeName)
      throw conflict(this.gr(type), name, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
    const next = cloneJson(pod);
    next.spec = { ...spec, nodeName };
    return this.present(type, this.commit(type, next));
  }

  /** Finishes a pod's termination at once, as a kubelet does when its containers have stopped. */
  finishTermination(namespace: string, name: string): boolean {
    const type = findResource("", "v1", "pods") as ResourceType;
    const pod = this.store.get(type.storage, namespace, name);
    if (!pod) return false;
    this.removeNow(type, pod);
    return true;
  }

  // ----- eviction -----------------------------------------------------------------------------

  /** POST pods/{name}/eviction with the policy/v1 rules. */
  evict(namespace: string, name: string, body: unknown): void {
    const podType = findResource("", "v1", "pods") as ResourceType;
    const pdbType = findResource("policy", "v1", "poddisruptionbudgets") as ResourceType;
    const eviction = isJsonObject(body) ? body : {};
    const emeta = isJsonObject(eviction.metadata) ? eviction.metadata : {};
    if (emeta.name !== undefined && emeta.name !== name)
      throw badRequest("name in URL does not match name in Eviction object");
    const pod = this.getStored(podType, namespace, name);
    const deleteOptions = (isJsonObject(eviction.deleteOptions) ? eviction.deleteOptions : {}) as DeleteOptions;
    const pre = deleteOptions.preconditions ?? {};
    if (pre.uid && pre.uid !== pod.metadata.uid) {
      throw conflict(
        this.gr(podType),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`,
      );
    }
    const status = isJsonObject(pod.status) ? pod.status : {};
    const ignoreBudgets =
      pod.metadata.deletionTimestamp !== undefined ||
      status.phase === "Succeeded" ||
      status.phase === "Failed" ||
      status.phase === "Pending";
    if (!ignoreBudgets) {
      const budgets = this.store
        .list(pdbType.storage, namespace)
        .filter((b) => selectorMatches((b.spec as Record<string, unknown> | undefined)?.selector, pod.metadata.labels));
      if (budgets.length > 1)
        throw internalError(
          "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        );
      const budget = budgets[0];
      if (budget) {
        this.reconcileBudgets();
        const fresh = this.store.get(pdbType.storage, namespace, budget.metadata.name) as StoredObject;
        const bs = (isJsonObject(fresh.status) ? fresh.status : {}) as Record<string, number>;
        const spec = isJsonObject(fresh.spec) ? fresh.spec : {};
        const unhealthyMayGo =
          !isPodReady(pod) &&
          (spec.unhealthyPodEvictionPolicy === "AlwaysAllow" || (bs.currentHealthy ?? 0) >= (bs.desiredHealthy ?? 0));
        if (!unhealthyMayGo && (bs.disruptionsAllowed ?? 0) <= 0) {
          throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", [
            {
              reason: "DisruptionBudget",
              message: `The disruption budget ${fresh.metadata.name} needs ${bs.desiredHealthy ?? 0} healthy pods and has ${bs.currentHealthy ?? 0} currently`,
            },
          ]);
        }
      }
    }
    this.delete(podType, namespace, name, deleteOptions);
  }

  // ----- watch --------------------------------------------------------------------------------

  /**
   * Starts a watch: sends the initial state (no version, or "0") or replays the retained changes
   * after `resourceVersion`, then every matching change until the returned function is called.
   * Throws a 410 Expired error when the version is older than the retained history.
   */
  watch(
    type: ResourceType,
    namespace: string | undefined,
    selection: Selection | undefined,
    resourceVersion: string | undefined,
    sink: (e: WatchSinkEvent) => void,
  ): () => void {
    const ns = type.namespaced ? namespace : undefined;
    const matches = (o: StoredObject | undefined): boolean =>
      o !== undefined &&
      (ns === undefined || o.metadata.namespace === ns) &&
      (selection === undefined || matchesSelection(selection, o));
    const deliver = (e: StoreEvent): void => {
      if (e.storage !== type.storage) return;
      const now = e.type !== "DELETED" && matches(e.object);
      const before = e.type !== "ADDED" && matches(e.previous);
      if (e.type === "DELETED") {
        if (before) sink({ type: "DELETED", object: this.present(type, e.object) });
      } else if (now && before) sink({ type: "MODIFIED", object: this.present(type, e.object) });
      else if (now) sink({ type: "ADDED", object: this.present(type, e.object) });
      else if (before) sink({ type: "DELETED", object: this.present(type, e.object) });
    };
    if (resourceVersion === undefined || resourceVersion === "" || resourceVersion === "0") {
      const initial = this.store.list(type.storage, ns).filter(matches);
      if (this.initialEventOrder === "shuffled") {
        for (let i = initial.length - 1; i > 0; i--) {
          const j = Math.floor(this.random() * (i + 1));
          [initial[i], initial[j]] = [initial[j] as StoredObject, initial[i] as StoredObject];
        }
      }
      for (const o of initial) sink({ type: "ADDED", object: this.present(type, o) });
    } else {
      const rv = Number(resourceVersion);
      if (!Number.isInteger(rv) || rv < 0) throw badRequest(`invalid resource version: ${resourceVersion}`);
      const answer = this.store.changesSince(rv);
      if (answer.expired) throw resourceExpired(`too old resource version: ${rv} (${answer.oldest - 1})`);
      for (const e of answer.events) deliver(e);
    }
    return this.store.subscribe(deliver);
  }
}
