export { NodeOperations, isNodeReady, rfc3339Seconds } from "./node-operations.js";
export { NodeAnnotations } from "./node-annotations.js";
