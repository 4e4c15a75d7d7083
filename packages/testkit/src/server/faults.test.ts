/** Fault injection and the audit log, driven through client-node. */
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/index.js";
import { startApiServer, type ApiServer } from "./api-server.js";

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const servers: ApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Parameters<typeof startApiServer>[0] = {}): Promise<{ s: ApiServer; core: CoreV1Api }> {
  const s = await startApiServer(options);
  servers.push(s);
  const core = s.toKubeConfig().makeApiClient(CoreV1Api);
  await core.createNode({ body: { metadata: { name: "n1" } } });
  return { s, core };
}

async function outcome(call: Promise<unknown>): Promise<number | string> {
  try {
    await call;
    return 200;
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    return "network";
  }
}

describe("fault injection", () => {
  it("answers a resource+verb with a status code and a real Status body; other verbs are untouched", async () => {
    const { s, core } = await server();
    const fault = s.faults.add({ resource: "nodes", verb: "patch", status: 500 });
    const err = await core
      .patchNode({ name: "n1", body: { metadata: { labels: { a: "b" } } } }, merge)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    const body = JSON.parse((err as ApiException<string>).body) as { reason: string; code: number };
    expect(body).toMatchObject({ reason: "InternalError", code: 500 });
    expect(await outcome(core.readNode({ name: "n1" }))).toBe(200);
    expect(fault.fired).toBe(1);
    fault.remove();
    expect(await outcome(core.patchNode({ name: "n1", body: { metadata: { labels: { a: "b" } } } }, merge))).toBe(200);
  });

  it("fires at a rate with a seeded, repeatable sequence", async () => {
    const run = async (): Promise<(number | string)[]> => {
      const { s, core } = await server({ seed: 42 });
      s.faults.add({ resource: "nodes", verb: "get", status: 503, rate: 0.5 });
      const results: (number | string)[] = [];
      for (let i = 0; i < 20; i++) results.push(await outcome(core.readNode({ name: "n1" })));
      return results;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failures = a.filter((x) => x === 503).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(17);
  });

  it("with a key, each request's chance follows its key's own sequence, whatever the order of arrival", async () => {
    const run = async (order: string[]): Promise<Record<string, (number | string)[]>> => {
      const { s, core } = await server();
      await core.createNode({ body: { metadata: { name: "n2" } } });
      s.faults.seed(7, { key: (r) => `${r.verb} ${r.name}` });
      s.faults.add({ resource: "nodes", verb: "get", status: 503, rate: 0.5 });
      const results: Record<string, (number | string)[]> = { n1: [], n2: [] };
      for (const name of order) results[name]?.push(await outcome(core.readNode({ name })));
      return results;
    };
    const interleaved = await run(["n1", "n2", "n1", "n2", "n1", "n2", "n1", "n2", "n1", "n2", "n1", "n2"]);
    const grouped = await run(["n2", "n2", "n2", "n2", "n2", "n2", "n1", "n1", "n1", "n1", "n1", "n1"]);
    expect(grouped).toEqual(interleaved);
    // the one shared sequence, by contrast, hands the same draws to whichever request comes first
    const shared = async (order: string[]): Promise<(number | string)[]> => {
      const { s, core } = await server();
      await core.createNode({ body: { metadata: { name: "n2" } } });
      s.faults.seed(7);
      s.faults.add({ resource: "nodes", verb: "get", status: 503, rate: 0.5 });
      const results: (number | string)[] = [];
      for (const name of order) results.push(await outcome(core.readNode({ name })));
      return results;
    };
    expect(await shared(["n1", "n2", "n1", "n2"])).toEqual(await shared(["n2", "n2", "n1", "n1"]));
  });

  it("fires at most `times` times (a 409 on the next update, then success)", async () => {
    const { s, core } = await server();
    s.faults.add({ resource: "nodes", verb: "update", status: 409, times: 1 });
    const n = await core.readNode({ name: "n1" });
    expect(await outcome(core.replaceNode({ name: "n1", body: n }))).toBe(409);
    expect(await outcome(core.replaceNode({ name: "n1", body: n }))).toBe(200);
  });

  it("adds latency on the server's clock", async () => {
    const clock = new VirtualClock();
    const { s, core } = await server({ clock });
    s.faults.add({ resource: "nodes", verb: "get", latencyMs: 5_000 });
    let done = false;
    const read = core.readNode({ name: "n1" }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    await clock.advance(5_000);
    await read;
    expect(done).toBe(true);
  });

  it("drops connections", async () => {
    const { s, core } = await server();
    s.faults.add({ resource: "pods", verb: "list", drop: true });
    expect(await outcome(core.listPodForAllNamespaces({}))).toBe("network");
    expect(s.audit.count({ verb: "list", resource: "pods", status: 0 })).toBe(1);
  });

  it("a full outage drops everything until it has lasted its duration on the clock", async () => {
    const clock = new VirtualClock();
    const { s, core } = await server({ clock });
    s.faults.outage(30_000);
    expect(await outcome(core.readNode({ name: "n1" }))).toBe("network");
    await clock.advance(30_000);
    expect(await outcome(core.readNode({ name: "n1" }))).toBe(200);
    s.faults.outage(1_000, 503);
    expect(await outcome(core.readNode({ name: "n1" }))).toBe(503);
  });
});

describe("audit log", () => {
  it("records every request with time, user, verb, path and status, and counts them", async () => {
    const clock = new VirtualClock();
    const { s, core } = await server({ clock });
    s.audit.clear();
    await core.readNode({ name: "n1" });
    await core.patchNode({ name: "n1", body: { spec: { unschedulable: true } } }, merge);
    await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=n1" });
    await core.readNode({ name: "missing" }).catch(() => undefined);
    expect(s.audit.counters()).toEqual({ "get nodes": 2, "patch nodes": 1, "list pods": 1 });
    expect(s.audit.count({ status: 404 })).toBe(1);
    const [first] = s.audit.entries();
    expect(first).toMatchObject({
      user: "kured-testkit-admin",
      verb: "get",
      resource: "nodes",
      name: "n1",
      path: "/api/v1/nodes/n1",
      status: 200,
    });
    expect(first?.time.getTime()).toBe(clock.now().getTime());
    expect(s.audit.entries({ verb: "list" })[0]?.path).toBe("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1");
  });
});
