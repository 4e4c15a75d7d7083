import { readFileSync } from "node:fs";
import { option, type OptionProblem, type OptionValues } from "@kured/core";

/** The Prometheus plugin's options: kured's four flags with kured's names and defaults, then ours. */
export const prometheusOptions = {
  prometheusUrl: option.url({
    describe: "Prometheus base URL; when set, active alerts block reboots",
    schemes: ["http", "https"],
  }),
  alertFilterRegexp: option.regexp({
    describe: "alert names to ignore when checking for active alerts (unanchored RE2)",
  }),
  alertFilterMatchOnly: option.bool({
    describe: "only alerts matching --alert-filter-regexp block reboots",
  }),
  alertFiringOnly: option.bool({
    describe: "only firing alerts block reboots (pending ones are ignored)",
  }),
  prometheusQuery: option.stringArray({
    describe: "PromQL instant query that blocks reboots while any sample is not 0 (repeatable; needs --prometheus-url)",
    check: (value) => (value.trim() === "" ? "the query must not be empty" : undefined),
  }),
  prometheusBearerTokenFile: option.string({
    describe: "file holding a bearer token sent to Prometheus (re-read when it changes)",
  }),
  prometheusCaFile: option.string({
    describe: "PEM file of the CAs trusted for an https --prometheus-url (instead of the system bundle)",
  }),
  prometheusTimeout: option.duration({
    describe: "time limit of one Prometheus query",
    default: "10s",
    positive: true,
  }),
};

/** The plugin's parsed option values. */
export type PrometheusOptionValues = OptionValues<typeof prometheusOptions>;

type Key = keyof typeof prometheusOptions;

function unreadable(path: string): string | undefined {
  try {
    readFileSync(path);
    return undefined;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === "string" ? code : e instanceof Error ? e.message : String(e);
  }
}

/** Checks across the options: what needs `--prometheus-url`, conflicting credentials, unreadable files. */
export function validatePrometheusOptions(o: PrometheusOptionValues): OptionProblem<Key>[] {
  const problems: OptionProblem<Key>[] = [];
  const url = o.prometheusUrl;
  const needsUrl = (key: Key, what: string): void => {
    if (url === undefined)
      problems.push({
        option: key,
        message: `${what} needs --prometheus-url`,
        fix: "set --prometheus-url, or remove this flag",
      });
  };
  if (o.prometheusQuery.length > 0) needsUrl("prometheusQuery", "a PromQL blocker");
  if (o.prometheusBearerTokenFile !== "") {
    needsUrl("prometheusBearerTokenFile", "a bearer token");
    if (url && (url.username !== "" || url.password !== "")) {
      problems.push({
        option: "prometheusBearerTokenFile",
        message: "--prometheus-url already has credentials (basic auth); Prometheus takes one kind",
        fix: "remove the user and password from --prometheus-url, or remove --prometheus-bearer-token-file",
      });
    }
    const why = unreadable(o.prometheusBearerTokenFile);
    if (why !== undefined) {
      problems.push({
        option: "prometheusBearerTokenFile",
        message: `cannot read the file (${why})`,
        fix: "mount the token file, or fix the path",
      });
    }
  }
  if (o.prometheusCaFile !== "") {
    needsUrl("prometheusCaFile", "a CA file");
    if (url && url.protocol !== "https:") {
      problems.push({
        option: "prometheusCaFile",
        message: "--prometheus-url is not https, so a CA file has no use",
        fix: "use an https:// URL, or remove --prometheus-ca-file",
      });
    }
    const why = unreadable(o.prometheusCaFile);
    if (why !== undefined) {
      problems.push({
        option: "prometheusCaFile",
        message: `cannot read the file (${why})`,
        fix: "mount the CA file, or fix the path",
      });
    } else if (!readFileSync(o.prometheusCaFile, "utf8").includes("-----BEGIN CERTIFICATE-----")) {
      problems.push({
        option: "prometheusCaFile",
        message: "the file holds no PEM certificate",
        fix: "give a file with one or more -----BEGIN CERTIFICATE----- blocks",
      });
    }
  }
  return problems;
}
