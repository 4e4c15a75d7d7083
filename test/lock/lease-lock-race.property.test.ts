/**
 * Never more than c holders, every slot released or expired: the lease lock raced by up to 30
 * contenders under injected 409s, 5xx, latency, dropped connections and crashes (see
 * support/lock-race.ts). 500 runs here and 500 for the other backend make the 1,000 of `npm test`;
 * `npm run soak` runs 2,000 each (its 30-minute budget goes to the fault model).
 */
import { describeLockRace, SOAK } from "./support/lock-race.js";

describeLockRace("lease", SOAK ? 2_000 : 500);
