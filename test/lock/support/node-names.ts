/**
 * The lock contract suite (testkit) names its holders `node-1` … `node-N`, but on a real cluster
 * the simulated Nodes carry the run's prefix, and a holder whose Node does not exist is dropped by
 * the gone-holder detection. This pass-through translates the names on the way in and out, so the
 * real backends meet the contract with holders whose Nodes exist. In-process it changes nothing.
 */
import type { AcquireResult, LockBackend, LockSlot, LockState } from "@kured/core";
import type { Cluster } from "@kured/testkit";

/** Holder names that are not nodes (the documented manual lock). */
const NOT_NODES = new Set(["manual"]);

/** The backend with the contract's names mapped to the cluster's Node names and back. */
export function withClusterNodeNames<B extends LockBackend>(cluster: Cluster, backend: B): LockBackend {
  const prefix = cluster.nodeName("");
  if (prefix === "") return backend;
  const out = (name: string): string => (NOT_NODES.has(name) ? name : cluster.nodeName(name));
  const back = (name: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  const slot = (s: LockSlot): LockSlot => ({ ...s, holder: back(s.holder) });
  const state = (s: LockState): LockState => ({
    ...s,
    holders: s.holders.map(slot),
    queue: s.queue.map((q) => ({ ...q, node: back(q.node) })),
  });
  const result = (r: AcquireResult): AcquireResult =>
    r.acquired ? { ...r, slot: slot(r.slot) } : { ...r, holders: r.holders.map(slot) };
  const maybe = (s: LockSlot | undefined): LockSlot | undefined => (s ? slot(s) : undefined);
  const renamed: LockBackend = {
    id: backend.id,
    acquire: async (req) => result(await backend.acquire({ ...req, holder: out(req.holder) })),
    holding: async (req) => maybe(await backend.holding({ ...req, holder: out(req.holder) })),
    release: (req) => backend.release({ ...req, holder: out(req.holder) }),
    inspect: async (req) => state(await backend.inspect(req)),
    changes: (req) => ({
      async *[Symbol.asyncIterator]() {
        for await (const s of backend.changes(req)) yield state(s);
      },
    }),
  };
  const { leaveQueue, keepRenewed, renew, adopt } = backend;
  if (leaveQueue) renamed.leaveQueue = (req) => leaveQueue.call(backend, { ...req, holder: out(req.holder) });
  if (keepRenewed) renamed.keepRenewed = (req) => keepRenewed.call(backend, { ...req, holder: out(req.holder) });
  if (renew) renamed.renew = async (req) => maybe(await renew.call(backend, { ...req, holder: out(req.holder) }));
  if (adopt) renamed.adopt = async (req) => maybe(await adopt.call(backend, { ...req, holder: out(req.holder) }));
  return renamed;
}
