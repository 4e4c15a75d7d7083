/**
 * The FIFO of nodes waiting for a slot. A node that finds the lock busy joins the tail and
 * refreshes its entry whenever it asks again; an entry not refreshed within the staleness window
 * (two periods) is skipped and dropped, so a node that died or stopped waiting never blocks others.
 */
import type { LockQueueEntry, LockState } from "../contracts/lock-backend.js";

/** The entries refreshed within `staleMs` of `now`, without the `exclude`d nodes (current holders), first entry per node. */
export function freshQueue(
  queue: readonly LockQueueEntry[],
  now: Date,
  staleMs: number,
  exclude: ReadonlySet<string> = new Set(),
): LockQueueEntry[] {
  const seen = new Set<string>();
  return queue.filter((q) => {
    if (exclude.has(q.node) || seen.has(q.node)) return false;
    seen.add(q.node);
    return now.getTime() - q.refreshedAt.getTime() < staleMs;
  });
}

/**
 * Whether `node` may take one of `freeSlots` now: the free slots go to the head of the fresh
 * queue, so a queued node needs a position below `freeSlots`, and a node not in the queue needs a
 * slot left over after every queued node got one.
 */
export function mayTakeSlot(node: string, freeSlots: number, fresh: readonly LockQueueEntry[]): boolean {
  if (freeSlots <= 0) return false;
  const position = fresh.findIndex((q) => q.node === node);
  return position >= 0 ? position < freeSlots : fresh.length < freeSlots;
}

/**
 * The queue after `node` asked and was refused: appended when absent, its `refreshedAt` bumped when
 * older than `refreshAfterMs`; `changed` false when there is nothing worth writing.
 */
export function joinQueue(
  fresh: readonly LockQueueEntry[],
  node: string,
  now: Date,
  refreshAfterMs: number,
): { queue: LockQueueEntry[]; changed: boolean } {
  const position = fresh.findIndex((q) => q.node === node);
  if (position < 0) return { queue: [...fresh, { node, since: now, refreshedAt: now }], changed: true };
  const entry = fresh[position] as LockQueueEntry;
  if (now.getTime() - entry.refreshedAt.getTime() < refreshAfterMs) return { queue: [...fresh], changed: false };
  const queue = [...fresh];
  queue[position] = { node, since: entry.since, refreshedAt: now };
  return { queue, changed: true };
}

/**
 * Whether `node` should ask for the lock now, judging from a state `changes()` yielded: no manual
 * lock, and a free slot that the queue leaves to it. Waiters that ask only then (and otherwise once
 * a period, to stay in the queue) avoid a thundering herd of reads on every change.
 */
export function mayAcquireNow(state: LockState, node: string, process?: string): boolean {
  if (state.manual) return false;
  const held = state.holders.find((h) => h.holder === node);
  // the node's slot held by another process (a duplicate --node-id) is not ours to take
  if (held) return process === undefined || held.process === undefined || held.process === process;
  return mayTakeSlot(node, state.capacity - state.holders.length, state.queue);
}
