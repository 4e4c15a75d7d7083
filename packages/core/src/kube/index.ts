export { kubeClients, loadKubeModule, type KubeClients, type KubeModule } from "./clients.js";
export { apiErrorInfo, isApiStatus, type ApiErrorInfo } from "./api-errors.js";
