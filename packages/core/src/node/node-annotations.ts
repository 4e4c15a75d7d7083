/** Annotations kured writes on its node (kured's names where kured has them). */
export const NodeAnnotations = {
  /** kured: a reboot is pending (with `--annotate-nodes`); RFC 3339 time */
  rebootInProgress: "weave.works/kured-reboot-in-progress",
  /** kured: when a reboot was last found needed (with `--annotate-nodes`); never removed */
  mostRecentRebootNeeded: "weave.works/kured-most-recent-reboot-needed",
  /** ours: `true`/`false`, whether the node was cordoned before kured cordoned it */
  unschedulableBeforeDrain: "kured.dev/unschedulable-before-drain",
  /** ours: the node's bootID when kured asked for the reboot, to tell whether it happened */
  bootIdBeforeReboot: "kured.dev/boot-id-before-reboot",
  /**
   * ours: which slot the two annotations above belong to, JSON `{"process":…,"expires":bool}`
   * (the process that took it, and whether it had a TTL), plus `"cordoned":true` from the patch
   * that cordoned to the one that uncordons; annotations that match no slot are stale
   */
  lockSlot: "kured.dev/lock-slot",
  /** ours: any value asks for a reboot as if the sentinel were present */
  rebootRequested: "kured.dev/reboot-requested",
} as const;
