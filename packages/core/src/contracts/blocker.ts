import type { NodeContext } from "./node-context.js";
import type { Reason } from "./reason.js";

/** A blocker's verdict: not blocked, or blocked with a reason. */
export type BlockerResult = { readonly blocked: false } | { readonly blocked: true; readonly reason: Reason };

/**
 * Vetoes a reboot while something in the cluster or on the node says "not now".
 *
 * Must promise: a `Reason` on every block; `scope` tells whether the answer depends on the node
 * (`node`) or is the same for every node (`cluster`, which lets the host cache it). A thrown error
 * blocks: the coordinator treats it as `{ blocked: true }` with the error as the reason.
 */
export interface Blocker {
  /** kebab-case, unique among blockers */
  readonly id: string;
  readonly scope: "node" | "cluster";
  check(ctx: NodeContext): Promise<BlockerResult>;
}
