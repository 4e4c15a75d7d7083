export { kubeClients, loadKubeModule, type KubeClients, type KubeModule } from "./clients.js";
export { apiErrorInfo, isApiStatus, type ApiErrorInfo } from "./api-errors.js";
export {
  inClusterAccess,
  kubeConfigAccess,
  kubeconfigFileAccess,
  SERVICE_ACCOUNT_DIR,
  type KubeAccess,
  type KubeCredentials,
  type KubeTls,
} from "./kube-access.js";
export {
  createKubeApi,
  KubeApiError,
  MERGE_PATCH,
  nodePath,
  STRATEGIC_MERGE_PATCH,
  type KubeApi,
  type KubeQuery,
  type KubeRequestOptions,
  type WatchCallback,
} from "./kube-api.js";
export { kubeApiFor, kubeApiOf, loadKubeAccess } from "./kube-source.js";
