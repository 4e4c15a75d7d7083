// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient module types, not a module to import
/// <reference path="./prom-client-files.d.ts" />
/**
 * prom-client's parts, imported file by file. Its index also loads the Pushgateway (node:https,
 * zlib, hence TLS and crypto), the cluster aggregator and every default metric: about 12 MB
 * resident in an idle daemon that uses none of them (docs/BENCHMARKS.md). The package has no
 * `exports` map, so its files are importable; the types are the package's own.
 */
import type * as PromClient from "prom-client";
import counter from "prom-client/lib/counter.js";
import gauge from "prom-client/lib/gauge.js";
import histogram from "prom-client/lib/histogram.js";
import heapSizeAndUsed from "prom-client/lib/metrics/heapSizeAndUsed.js";
import osMemoryHeap from "prom-client/lib/metrics/osMemoryHeap.js";
import processHandles from "prom-client/lib/metrics/processHandles.js";
import processMaxFileDescriptors from "prom-client/lib/metrics/processMaxFileDescriptors.js";
import processOpenFileDescriptors from "prom-client/lib/metrics/processOpenFileDescriptors.js";
import processRequests from "prom-client/lib/metrics/processRequests.js";
import processResources from "prom-client/lib/metrics/processResources.js";
import processStartTime from "prom-client/lib/metrics/processStartTime.js";
import version from "prom-client/lib/metrics/version.js";
import registry from "prom-client/lib/registry.js";

export const Registry: typeof PromClient.Registry = registry;
export const Counter: typeof PromClient.Counter = counter;
export const Gauge: typeof PromClient.Gauge = gauge;
export const Histogram: typeof PromClient.Histogram = histogram;
export type Registry = PromClient.Registry;

/**
 * prom-client's default metrics without the three that need node:perf_hooks or node:v8 (event
 * loop lag, GC durations, heap spaces): `process_cpu_*`, `process_resident_memory_bytes`,
 * `process_start_time_seconds`, `process_open_fds`, `process_max_fds`, `nodejs_heap_size_*`,
 * `nodejs_active_*`, `nodejs_version_info`, as Go kured's promhttp exposes `process_*`.
 */
export function collectProcessMetrics(register: PromClient.Registry): void {
  processCpuSeconds(register);
  for (const metric of [
    processStartTime,
    osMemoryHeap,
    processOpenFileDescriptors,
    processMaxFileDescriptors,
    processResources,
    processHandles,
    processRequests,
    heapSizeAndUsed,
    version,
  ]) {
    metric(register, {});
  }
}

/**
 * `process_cpu_{user,system}_seconds_total` and `process_cpu_seconds_total`, as prom-client's own
 * (whose file also loads @opentelemetry/api, for exemplars kured does not use).
 */
function processCpuSeconds(register: PromClient.Registry): void {
  let last = process.cpuUsage();
  const registers = [register];
  const user: PromClient.Counter = new Counter({
    name: "process_cpu_user_seconds_total",
    help: "Total user CPU time spent in seconds.",
    registers,
    // one metric's collect sets all three
    collect() {
      const now = process.cpuUsage();
      const userSeconds = (now.user - last.user) / 1e6;
      const systemSeconds = (now.system - last.system) / 1e6;
      last = now;
      user.inc(userSeconds);
      system.inc(systemSeconds);
      total.inc(userSeconds + systemSeconds);
    },
  });
  const system = new Counter({
    name: "process_cpu_system_seconds_total",
    help: "Total system CPU time spent in seconds.",
    registers,
  });
  const total = new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers,
  });
}
