export {
  describeContract,
  runContractCheck,
  notApplicable,
  ContractCheckNotApplicable,
  type ContractCheck,
  type ContractCheckOutcome,
  type ContractFactory,
  type ContractFixtureBase,
} from "./contract-check.js";
export { withTimeout, settlesWithin, ContractTimeoutError, type Settled } from "./guards.js";
export { describeDetectorContract, detectorChecks, type DetectorContractFixture } from "./detector-contract.js";
export { describeBlockerContract, blockerChecks, type BlockerContractFixture } from "./blocker-contract.js";
export {
  describeNotifierContract,
  notifierChecks,
  sampleRebootEvent,
  type NotifierContractFixture,
} from "./notifier-contract.js";
export {
  describeLockBackendContract,
  lockBackendChecks,
  type LockBackendContractFixture,
  type LockBackendsFactory,
  type LockBackendsRequest,
} from "./lock-backend-contract.js";
export { MemoryLock, type MemoryLockOptions } from "./memory-lock-backend.js";
