/** RFC 6902, RFC 7386 and strategic merge patch semantics, table-driven. */
import { describe, expect, it } from "vitest";
import { applyJsonPatch, parsePointer, PatchError } from "./json-patch.js";
import { applyMergePatch } from "./merge-patch.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";

describe("RFC 6901 pointers", () => {
  it.each([
    ["", []],
    ["/a/b", ["a", "b"]],
    ["/metadata/annotations/weave.works~1kured-node-lock", ["metadata", "annotations", "weave.works/kured-node-lock"]],
    ["/a~0b/~01", ["a~b", "~1"]],
  ])("%s", (pointer, tokens) => {
    expect(parsePointer(pointer)).toEqual(tokens);
  });
});

describe("RFC 6902 JSON patch", () => {
  const doc = { a: { b: 1 }, list: [1, 2, 3] };
  it.each([
    ["add appends with -", [{ op: "add", path: "/list/-", value: 4 }], { a: { b: 1 }, list: [1, 2, 3, 4] }],
    ["add inserts at an index", [{ op: "add", path: "/list/0", value: 0 }], { a: { b: 1 }, list: [0, 1, 2, 3] }],
    ["replace", [{ op: "replace", path: "/a/b", value: 2 }], { a: { b: 2 }, list: [1, 2, 3] }],
    ["remove from a list", [{ op: "remove", path: "/list/1" }], { a: { b: 1 }, list: [1, 3] }],
    ["move", [{ op: "move", from: "/a/b", path: "/c" }], { a: {}, list: [1, 2, 3], c: 1 }],
    ["copy", [{ op: "copy", from: "/a", path: "/d" }], { a: { b: 1 }, list: [1, 2, 3], d: { b: 1 } }],
    [
      "test then add",
      [
        { op: "test", path: "/a", value: { b: 1 } },
        { op: "add", path: "/e", value: null },
      ],
      { a: { b: 1 }, list: [1, 2, 3], e: null },
    ],
  ])("%s", (_name, patch, want) => {
    expect(applyJsonPatch(doc, patch)).toEqual(want);
  });

  it.each([
    ["failing test", [{ op: "test", path: "/a/b", value: 2 }]],
    ["remove of a missing key", [{ op: "remove", path: "/zz" }]],
    ["replace of a missing key", [{ op: "replace", path: "/zz", value: 1 }]],
    ["add under a missing parent", [{ op: "add", path: "/x/y", value: 1 }]],
    ["index out of range", [{ op: "add", path: "/list/9", value: 1 }]],
  ])("%s does not apply (422) and leaves the input alone", (_name, patch) => {
    expect(() => applyJsonPatch(doc, patch)).toThrow(PatchError);
    expect(doc).toEqual({ a: { b: 1 }, list: [1, 2, 3] });
  });

  it("an object instead of an operation list is malformed (400)", () => {
    expect(() => applyJsonPatch(doc, { a: 1 })).toThrow(expect.objectContaining({ malformed: true }));
  });
});

describe("RFC 7386 merge patch", () => {
  it.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: ["b"] }, { a: ["c", "d"] }, { a: ["c", "d"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [["a"], { a: "b" }, { a: "b" }],
  ])("%j + %j", (target, patch, want) => {
    expect(applyMergePatch(target, patch)).toEqual(want);
  });
});

describe("strategic merge patch", () => {
  it("merges containers by name and deletes with $patch: delete", () => {
    const pod = {
      spec: {
        containers: [
          { name: "a", image: "1" },
          { name: "b", image: "1" },
        ],
      },
    };
    const out = applyStrategicMergePatch(pod, {
      spec: {
        containers: [
          { name: "a", image: "2" },
          { name: "b", $patch: "delete" },
          { name: "c", image: "3" },
        ],
      },
    });
    expect(out.spec.containers).toEqual([
      { name: "a", image: "2" },
      { name: "c", image: "3" },
    ]);
  });

  it("treats finalizers as a set and honours $deleteFromPrimitiveList", () => {
    const obj = { metadata: { finalizers: ["x", "y"] } };
    expect(applyStrategicMergePatch(obj, { metadata: { finalizers: ["y", "z"] } }).metadata.finalizers).toEqual([
      "x",
      "y",
      "z",
    ]);
    expect(
      applyStrategicMergePatch(obj, { metadata: { "$deleteFromPrimitiveList/finalizers": ["x"] } }).metadata.finalizers,
    ).toEqual(["y"]);
  });

  it("replaces atomic lists (taints, tolerations) and maps marked $patch: replace", () => {
    const node = { spec: { taints: [{ key: "a", effect: "NoSchedule" }] }, metadata: { labels: { a: "1", b: "2" } } };
    const out = applyStrategicMergePatch(node, {
      spec: { taints: [{ key: "b", effect: "NoSchedule" }] },
      metadata: { labels: { $patch: "replace", c: "3" } },
    });
    expect(out.spec.taints).toEqual([{ key: "b", effect: "NoSchedule" }]);
    expect(out.metadata.labels).toEqual({ c: "3" });
  });

  it("ignores $setElementOrder directives", () => {
    const node = { status: { conditions: [{ type: "Ready", status: "True" }] } };
    const out = applyStrategicMergePatch(node, {
      status: { "$setElementOrder/conditions": [{ type: "Ready" }], conditions: [{ type: "Ready", status: "False" }] },
    });
    expect(out.status).toEqual({ conditions: [{ type: "Ready", status: "False" }] });
  });
});
