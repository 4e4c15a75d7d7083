/**
 * The fault model on the Lease lock (see support/fault-model.ts): 1,000 runs here and 1,000 on the
 * DaemonSet lock make the 2,000 of `npm test`; the soak runs 25,000 each.
 */
import { describeFaultModel, SOAK } from "./support/fault-model.js";

describeFaultModel("lease", SOAK ? 25_000 : 1_000);
