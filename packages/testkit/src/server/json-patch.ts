/** RFC 6902 JSON Patch with RFC 6901 pointers, as the API server applies `application/json-patch+json`. */
import { cloneJson, isJsonObject } from "./types.js";

/** A patch that is malformed (400) or cannot be applied to the document (422). */
export class PatchError extends Error {
  override readonly name = "PatchError";
  /** true when the patch itself is malformed rather than inapplicable */
  readonly malformed: boolean;
  constructor(message: string, malformed = false) {
    super(message);
    this.malformed = malformed;
  }
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** Splits an RFC 6901 pointer into unescaped reference tokens (`~1` is `/`, `~0` is `~`). */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`JSON pointer must be empty or start with a "/": ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Structural equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function arrayIndex(token: string, length: number, forAdd: boolean): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index: ${token}`);
  const i = Number(token);
  if (forAdd ? i > length : i >= length) throw new PatchError(`array index out of bounds: ${token}`);
  return i;
}

function parentOf(doc: unknown, tokens: string[], path: string): unknown {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(t, node.length, false)];
    else if (isJsonObject(node) && t in node) node = node[t];
    else throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(node) && !isJsonObject(node))
    throw new PatchError(`doc is missing path: "${path}": missing value`);
  return node;
}

function getAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(node)) node = node[arrayIndex(t, node.length, false)];
    else if (isJsonObject(node) && t in node) node = node[t];
    else throw new PatchError(`doc is missing path: "${path}": missing value`);
  }
  return node;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError("cannot remove the whole document");
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) return parent.splice(arrayIndex(last, parent.length, false), 1)[0];
  const obj = parent as Record<string, unknown>;
  if (!(last in obj)) throw new PatchError(`Unable to remove nonexistent key: ${last}: missing value`);
  const old = obj[last];
  delete obj[last];
  return old;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    if (replace) parent[arrayIndex(last, parent.length, false)] = value;
    else parent.splice(arrayIndex(last, parent.length, true), 0, value);
  } else {
    const obj = parent as Record<string, unknown>;
    if (replace && !(last in obj))
      throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    obj[last] = value;
  }
  return doc;
}

/** Applies a JSON Patch document (already parsed) to a copy of `doc`. */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  if (!Array.isArray(patch)) {
    throw new PatchError("json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp", true);
  }
  let result: unknown = cloneJson(doc);
  for (const raw of patch) {
    if (!isJsonObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new PatchError("json patch operation is missing its op or path", true);
    }
    const op = raw as unknown as Operation;
    switch (op.op) {
      case "add":
        if (!("value" in raw)) throw new PatchError("missing value", true);
        result = addAt(result, op.path, cloneJson(op.value), false);
        break;
      case "remove":
        removeAt(result, op.path);
        break;
      case "replace":
        if (!("value" in raw)) throw new PatchError("missing value", true);
        result = addAt(result, op.path, cloneJson(op.value), true);
        break;
      case "move": {
        if (typeof op.from !== "string") throw new PatchError("missing from", true);
        const v = removeAt(result, op.from);
        result = addAt(result, op.path, v, false);
        break;
      }
      case "copy": {
        if (typeof op.from !== "string") throw new PatchError("missing from", true);
        result = addAt(result, op.path, cloneJson(getAt(result, op.from)), false);
        break;
      }
      case "test": {
        let actual: unknown;
        try {
          actual = getAt(result, op.path);
        } catch {
          actual = undefined;
        }
        if (!jsonEqual(actual, op.value ?? null)) throw new PatchError(`testing value ${op.path} failed: test failed`);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`, true);
    }
  }
  return result as T;
}
