/**
 * What a test cluster can do. Only the in-process server simulates reboots, injects faults, runs
 * on a virtual clock, keeps an audit log and runs controllers for simulated nodes; against a real
 * cluster tests that need these skip with the reason `missing()` gives.
 */

/** A capability a test may need. */
export type Capability = "reboot" | "faults" | "virtualTime" | "audit" | "controllers" | "rbacTokens";

/** The capabilities of one cluster. */
export interface ClusterCapabilities {
  /** true for the in-process server */
  readonly inProcess: boolean;
  readonly reboot: boolean;
  readonly faults: boolean;
  readonly virtualTime: boolean;
  readonly audit: boolean;
  readonly controllers: boolean;
  readonly rbacTokens: boolean;
  /** undefined when every capability is there, else why a test needing them must skip */
  missing(...needs: Capability[]): string | undefined;
}

const WHY: Record<Capability, string> = {
  reboot: "simulated reboots need the in-process API server (a real cluster's nodes are plain Node objects)",
  faults: "fault injection needs the in-process API server",
  virtualTime: "a virtual clock can only drive the in-process API server",
  audit: "the audit log is kept by the in-process API server",
  controllers: "simulated nodes have no kubelet on a real cluster, so their pods are not restarted or rescheduled",
  rbacTokens: "minting ServiceAccount tokens needs the in-process API server",
};

function capabilities(inProcess: boolean): ClusterCapabilities {
  return {
    inProcess,
    reboot: inProcess,
    faults: inProcess,
    virtualTime: inProcess,
    audit: inProcess,
    controllers: inProcess,
    rbacTokens: inProcess,
    missing(...needs: Capability[]) {
      const gone = needs.filter((n) => !this[n]);
      return gone.length === 0 ? undefined : `needs ${gone.join(", ")}: ${gone.map((n) => WHY[n]).join("; ")}`;
    },
  };
}

/** The in-process server: everything. */
export const IN_PROCESS_CAPABILITIES: ClusterCapabilities = capabilities(true);
/** A real cluster through KURED_E2E_KUBECONFIG. */
export const REMOTE_CAPABILITIES: ClusterCapabilities = capabilities(false);

/** Why tests needing `needs` must skip when KURED_E2E_KUBECONFIG points at a real cluster, else undefined. */
export function skipReasonForRealCluster(...needs: Capability[]): string | undefined {
  return process.env.KURED_E2E_KUBECONFIG ? REMOTE_CAPABILITIES.missing(...needs) : undefined;
}
