/**
 * Stale-holder detection: a holder whose Node object no longer exists will never come back to
 * release its slot (kured issues #137, #847), so a full lock drops it. Only a 404 counts as gone;
 * any other answer (an error included) keeps the holder, since dropping a live one breaks the limit.
 */
import type { Logger } from "../contracts/logger.js";
import { nodePath, type KubeApi } from "../kube/kube-api.js";
import { apiErrorInfo } from "../kube/api-errors.js";
import { MANUAL_HOLDER } from "./lock-annotation.js";

/** Answers whether a node's Node object is gone. */
export type NodeGoneCheck = (node: string, signal: AbortSignal) => Promise<boolean>;

/** A check that GETs the Node: gone only on 404. */
export function nodeGoneViaApi(kube: Pick<KubeApi, "get">, log: Logger): NodeGoneCheck {
  return async (node, signal) => {
    try {
      await kube.get(nodePath(node), { signal });
      return false;
    } catch (error) {
      if (apiErrorInfo(error).code === 404) return true;
      signal.throwIfAborted();
      log.debug({ err: error, holder: node }, "Could not check the lock holder's node; keeping it");
      return false;
    }
  };
}

/** The holders among `nodes` whose Node object is gone (the manual lock and empty entries never are). */
export async function goneHolders(
  nodes: readonly string[],
  check: NodeGoneCheck | undefined,
  signal: AbortSignal,
): Promise<Set<string>> {
  const gone = new Set<string>();
  if (!check) return gone;
  const candidates = [...new Set(nodes)].filter((n) => n !== "" && n !== MANUAL_HOLDER);
  const answers = await Promise.all(candidates.map(async (n) => [n, await check(n, signal)] as const));
  for (const [n, isGone] of answers) if (isGone) gone.add(n);
  return gone;
}
