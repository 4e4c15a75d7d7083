import { createLogger, systemClock, type NodeContext } from "@kured/core";
import { describeBlockerContract } from "@kured/testkit/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakePrometheus, successBody, vectorBody, type FakePrometheus } from "./__fixtures__/fake-prometheus.js";
import { PrometheusClient } from "./prometheus-client.js";
import { formatSeries, nonZeroMessage, PrometheusQueryBlocker } from "./prometheus-query-blocker.js";

const log = createLogger({ format: "json", level: "silent" });
const QUERY = 'max(kube_deployment_status_replicas_unavailable{namespace="db"}) > 0';

let fake: FakePrometheus;
beforeAll(async () => {
  fake = await startFakePrometheus();
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
  fake.answer = () => ({ status: 200, body: vectorBody([]) });
});

function blocker(query = QUERY, url = fake.origin): PrometheusQueryBlocker {
  const client = new PrometheusClient({ url: new URL(url), timeoutMs: 2_000, clock: systemClock });
  return new PrometheusQueryBlocker({ id: "prometheus-query-1", query, client, clock: systemClock });
}

const ctx = (): NodeContext => ({ node: "node-1", clock: systemClock, log, signal: new AbortController().signal });

describeBlockerContract("prometheus-query against a fake Prometheus", () => ({
  blocker: blocker(),
  block: () => {
    fake.answer = () => ({ status: 200, body: vectorBody([{ labels: { namespace: "db" }, value: 2 }]) });
  },
  unblock: () => {
    fake.answer = () => ({ status: 200, body: vectorBody([]) });
  },
}));

describe("formatSeries", () => {
  it.each<[Record<string, string>, string]>([
    [{}, "{}"],
    [{ __name__: "up" }, "up"],
    [{ __name__: "up", job: "node", instance: "a:9100" }, 'up{instance="a:9100", job="node"}'],
    [{ zone: 'say "hi"' }, '{zone="say \\"hi\\""}'],
  ])("%j → %s", (labels, text) => {
    expect(formatSeries(labels)).toBe(text);
  });
});

describe("PrometheusQueryBlocker", () => {
  it.each<[string, string, { code: string; message: string } | undefined]>([
    ["an empty vector", vectorBody([]), undefined],
    ["only zero samples", vectorBody([{ labels: { a: "1" }, value: 0 }]), undefined],
    ["a zero scalar", successBody("scalar", [1, "0"]), undefined],
    [
      "one non-zero sample among zeros",
      vectorBody([
        { labels: { namespace: "db" }, value: 0 },
        { labels: { __name__: "pending_jobs", namespace: "web" }, value: 3 },
      ]),
      {
        code: "prometheus-query-nonzero",
        message: `query ${JSON.stringify(QUERY)} returned 1 non-zero sample: pending_jobs{namespace="web"} = 3`,
      },
    ],
    [
      "a non-zero scalar",
      successBody("scalar", [1, "-0.5"]),
      {
        code: "prometheus-query-nonzero",
        message: `query ${JSON.stringify(QUERY)} returned 1 non-zero sample: {} = -0.5`,
      },
    ],
    [
      "a matrix",
      successBody("matrix", []),
      {
        code: "prometheus-query-error",
        message: `prometheus query error: query ${JSON.stringify(QUERY)}: unexpected value type matrix`,
      },
    ],
    [
      "a PromQL syntax error",
      JSON.stringify({ status: "error", errorType: "bad_data", error: "1:5: parse error" }),
      {
        code: "prometheus-query-error",
        message: `prometheus query error: query ${JSON.stringify(QUERY)}: bad_data: 1:5: parse error`,
      },
    ],
  ])("%s → %j", async (_, body, expected) => {
    fake.answer = () => ({ status: body.includes('"error"') ? 400 : 200, body });
    const result = await blocker().check(ctx());
    expect(result).toEqual(expected ? { blocked: true, reason: expected } : { blocked: false });
  });

  it("sends its own query", async () => {
    await blocker("vector(0)").check(ctx());
    expect(new URLSearchParams(fake.requests[0]?.body).get("query")).toBe("vector(0)");
  });

  it("names at most five series, then ...", () => {
    const samples = Array.from({ length: 7 }, (_, i) => ({
      labels: { i: String(i) },
      value: Number.POSITIVE_INFINITY,
    }));
    expect(nonZeroMessage("q", samples)).toBe(
      'query "q" returned 7 non-zero samples: {i="0"} = +Inf; {i="1"} = +Inf; {i="2"} = +Inf; {i="3"} = +Inf; {i="4"} = +Inf; ...',
    );
  });
});
