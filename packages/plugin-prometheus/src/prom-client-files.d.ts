// Types of the prom-client files src/prom.ts imports one by one (the package types only its index).
declare module "prom-client/lib/registry.js" {
  import type { Registry } from "prom-client";
  const exported: typeof Registry;
  export default exported;
}
declare module "prom-client/lib/counter.js" {
  import type { Counter } from "prom-client";
  const exported: typeof Counter;
  export default exported;
}
declare module "prom-client/lib/gauge.js" {
  import type { Gauge } from "prom-client";
  const exported: typeof Gauge;
  export default exported;
}
declare module "prom-client/lib/histogram.js" {
  import type { Histogram } from "prom-client";
  const exported: typeof Histogram;
  export default exported;
}
declare module "prom-client/lib/metrics/*.js" {
  import type { Registry } from "prom-client";
  /** registers one default metric on the registry */
  const metric: (registry: Registry, config: object) => void;
  export default metric;
}
