export { startApiServer, ApiServer, type ApiServerOptions, type KubeConfigOptions } from "./server/api-server.js";
