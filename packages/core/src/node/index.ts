export { NodeOperations, isNodeReady, rfc3339Seconds } from "./node-operations.js";
export { NodeAnnotations } from "./node-annotations.js";
export { NodeWatch } from "./node-watch.js";
