#!/usr/bin/env node
/**
 * `kured-testkit serve --nodes 3 --kubeconfig ./kubeconfig`: starts the in-process API server with
 * simulated nodes for manual use (kubectl, a locally run kured) until SIGINT or SIGTERM. With
 * `--busy` it also emulates the other controllers of a busy cluster (see busy-controllers.ts), as
 * a stand-in for a real cluster when running the suite with KURED_E2E_KUBECONFIG.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { BusyControllers } from "./cluster/busy-controllers.js";
import { startCluster } from "./cluster/start-cluster.js";

const USAGE = `Usage: kured-testkit serve [options]

Starts an in-process Kubernetes API server with simulated nodes, kubelets and controllers.

Options:
  --nodes <n>           number of simulated nodes (default 3)
  --node-names <a,b,c>  node names instead of node-1…node-N
  --kubeconfig <path>   where to write the kubeconfig (default ./kubeconfig)
  --port <port>         port on 127.0.0.1 (default: a free port)
  --pod-start-delay <ms>  how long new pods stay Pending (default 2000)
  --no-kured            do not create the kured DaemonSet in kube-system
  --busy                emulate the other writers of a busy cluster: Node heartbeats, labels and
                        annotations, DaemonSet status writes, unrelated Events, watches' initial
                        events in no particular order
  --busy-interval <ms>  real ms between two rounds of those writes (default 200)
  -h, --help            show this help
`;

/** Runs the CLI; returns the process exit code (serve only returns on a signal). */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        nodes: { type: "string", default: "3" },
        "node-names": { type: "string" },
        kubeconfig: { type: "string", default: "./kubeconfig" },
        port: { type: "string" },
        "pod-start-delay": { type: "string", default: "2000" },
        "no-kured": { type: "boolean", default: false },
        busy: { type: "boolean", default: false },
        "busy-interval": { type: "string", default: "200" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`kured-testkit: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals[0] !== "serve" || positionals.length > 1) {
    process.stderr.write(
      `kured-testkit: expected the command "serve", got ${JSON.stringify(positionals.join(" "))}\n\n${USAGE}`,
    );
    return 2;
  }
  const count = Number(values.nodes);
  if (!Number.isInteger(count) || count < 0) {
    process.stderr.write(`kured-testkit: --nodes must be a whole number >= 0, got "${values.nodes}"\n`);
    return 2;
  }
  const delay = Number(values["pod-start-delay"]);
  if (!Number.isFinite(delay) || delay < 0) {
    process.stderr.write(
      `kured-testkit: --pod-start-delay must be milliseconds >= 0, got "${values["pod-start-delay"]}"\n`,
    );
    return 2;
  }
  const busyInterval = Number(values["busy-interval"]);
  if (!Number.isFinite(busyInterval) || busyInterval < 1) {
    process.stderr.write(
      `kured-testkit: --busy-interval must be milliseconds >= 1, got "${values["busy-interval"]}"\n`,
    );
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`kured-testkit: --port must be 0-65535, got "${values.port}"\n`);
    return 2;
  }
  const nodes = values["node-names"] ? values["node-names"].split(",").filter((n) => n !== "") : count;
  const cluster = await startCluster({
    nodes,
    kured: !values["no-kured"],
    podStartDelayMs: delay,
    inProcess: true,
    port,
  });
  const busy =
    values.busy && cluster.server
      ? new BusyControllers(cluster.server.registry, cluster.clock, { intervalMs: busyInterval })
      : undefined;
  busy?.start();
  const kubeconfig = resolve(values.kubeconfig);
  await cluster.server?.writeKubeconfig(kubeconfig);
  process.stdout.write(
    `kured-testkit: API server at ${cluster.url} with nodes ${cluster.nodeNames.join(", ")}\n` +
      (busy ? `busy: other controllers write Nodes, DaemonSets and Events every ${busyInterval} ms\n` : "") +
      `kubeconfig written to ${kubeconfig}\n\n` +
      `  export KUBECONFIG=${kubeconfig}\n  kubectl get nodes\n\nPress Ctrl-C to stop.\n`,
  );
  await new Promise<void>((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  busy?.stop();
  await cluster.close();
  process.stdout.write("kured-testkit: stopped\n");
  return 0;
}

const invokedAsScript =
  process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (invokedAsScript) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`kured-testkit: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
