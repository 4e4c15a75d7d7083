import { createLogger, systemClock, type Clock, type NodeContext } from "@kured/core";
import { VirtualClock } from "@kured/testkit";
import { describeBlockerContract } from "@kured/testkit/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  alertSample,
  startFakePrometheus,
  successBody,
  vectorBody,
  type FakePrometheus,
} from "./__fixtures__/fake-prometheus.js";
import { PrometheusAlertBlocker } from "./prometheus-alert-blocker.js";
import { PrometheusClient } from "./prometheus-client.js";

const log = createLogger({ format: "json", level: "silent" });

let fake: FakePrometheus;
beforeAll(async () => {
  fake = await startFakePrometheus();
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
  fake.answer = () => ({ status: 200, body: vectorBody([]) });
});

function blocker(clock: Clock = systemClock, url = fake.origin, filter = { matchOnly: false, firingOnly: false }) {
  const client = new PrometheusClient({ url: new URL(url), timeoutMs: 2_000, clock });
  return new PrometheusAlertBlocker({ client, filter, clock });
}

function ctx(clock: Clock, node = "node-1", signal = new AbortController().signal): NodeContext {
  return { node, clock, log, signal };
}

// A fresh blocker (so a fresh cache) per check, over one server whose answer decides.
describeBlockerContract("prometheus-alerts against a fake Prometheus", () => {
  const client = new PrometheusClient({ url: new URL(fake.origin), timeoutMs: 2_000, clock: systemClock });
  return {
    blocker: new PrometheusAlertBlocker({
      client,
      filter: { matchOnly: false, firingOnly: false },
      clock: systemClock,
    }),
    block: () => {
      fake.answer = () => ({ status: 200, body: vectorBody([alertSample("NodeDown", "firing")]) });
    },
    unblock: () => {
      fake.answer = () => ({ status: 200, body: vectorBody([alertSample("Quiet", "firing", 0)]) });
    },
  };
});

describe("PrometheusAlertBlocker", () => {
  it("is cluster-scoped with kured's id", () => {
    const b = blocker();
    expect([b.id, b.scope]).toEqual(["prometheus-alerts", "cluster"]);
  });

  it.each<[string, string, { code: string; message: string } | undefined]>([
    ["no alerts", vectorBody([]), undefined],
    ["only zero-valued alerts", vectorBody([alertSample("Z", "firing", 0)]), undefined],
    [
      "two alerts, one of them twice",
      vectorBody([
        alertSample("NodeDown", "firing"),
        alertSample("DiskFull", "pending"),
        alertSample("NodeDown", "pending"),
      ]),
      { code: "prometheus-alerts-active", message: "2 active alerts: [DiskFull NodeDown]" },
    ],
    [
      "a scalar instead of a vector",
      successBody("scalar", [1, "1"]),
      { code: "prometheus-query-error", message: "prometheus query error: unexpected value type scalar" },
    ],
    [
      "a matrix instead of a vector",
      successBody("matrix", []),
      { code: "prometheus-query-error", message: "prometheus query error: unexpected value type matrix" },
    ],
    [
      "an API error",
      JSON.stringify({ status: "error", errorType: "bad_data", error: "nope" }),
      { code: "prometheus-query-error", message: "prometheus query error: bad_data: nope" },
    ],
  ])("%s → %j", async (_, body, expected) => {
    fake.answer = () => ({ status: 200, body });
    const result = await blocker().check(ctx(systemClock));
    expect(result).toEqual(expected ? { blocked: true, reason: expected } : { blocked: false });
  });

  it("blocks with the reason when Prometheus is down, without its credentials", async () => {
    const gone = await startFakePrometheus();
    await gone.close();
    const result = await blocker(systemClock, `http://kured:hunter2@127.0.0.1:${gone.port}/prometheus`).check(
      ctx(systemClock),
    );
    expect(result).toEqual({
      blocked: true,
      reason: {
        code: "prometheus-query-error",
        message: `prometheus query error: Post "http://…@127.0.0.1:${gone.port}/…": connect ECONNREFUSED 127.0.0.1:${gone.port}`,
      },
    });
  });

  it("sends one query for many waiting nodes, and again once the answer is 5 s old", async () => {
    const clock = new VirtualClock();
    const b = blocker(clock);
    fake.answer = () => ({ status: 200, body: vectorBody([alertSample("NodeDown", "firing")]) });
    const answers = await Promise.all(["n1", "n2", "n3", "n4"].map((node) => b.check(ctx(clock, node))));
    expect(answers.every((a) => a.blocked)).toBe(true);
    expect(fake.requests).toHaveLength(1);
    await clock.advance(4_999);
    await b.check(ctx(clock));
    expect(fake.requests).toHaveLength(1);
    await clock.advance(1);
    fake.answer = () => ({ status: 200, body: vectorBody([]) });
    expect(await b.check(ctx(clock))).toEqual({ blocked: false });
    expect(fake.requests).toHaveLength(2);
  });

  it("rejects with the abort reason when the node's signal aborts", async () => {
    fake.answer = () => ({ hang: true });
    const controller = new AbortController();
    const pending = blocker().check(ctx(systemClock, "node-1", controller.signal));
    const why = new Error("shutdown");
    controller.abort(why);
    await expect(pending).rejects.toBe(why);
  });
});
