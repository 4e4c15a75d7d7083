/** kured's version string, as `Kubernetes Reboot Daemon: <version>` logs it. */
export const KURED_VERSION = process.env.KURED_BUILD_VERSION ?? "1.0.0";
