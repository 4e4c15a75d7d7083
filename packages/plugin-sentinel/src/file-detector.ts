import { stat as fsStat } from "node:fs/promises";
import { dirname } from "node:path";
import { reason, type Detector, type DetectorResult, type NodeContext } from "@kured/core";

/** Looks a path up; rejects with an errno error (`code`) when it cannot. */
export type StatPath = (path: string) => Promise<unknown>;

/** How to build a {@link FileSentinelDetector}. */
export interface FileSentinelDetectorOptions {
  /** the sentinel as seen inside the container, e.g. `/sentinel/reboot-required` */
  readonly path: string;
  /** how to look the path up; default `fs.promises.stat` (tests inject failures) */
  readonly stat?: StatPath;
}

/** Errors that mean "there is no such file" rather than "we could not look". */
const ABSENT_CODES = new Set(["ENOENT", "ENOTDIR"]);

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Reboot required while a file exists (kured's `--reboot-sentinel`), looked up inside the
 * container: the manifests mount the host's `/var/run` at `/sentinel`. Existence is all that
 * counts (kured stats the file); a lookup that fails for another reason than "absent" answers
 * "not required" with a reason saying why, so a broken mount never causes a reboot.
 */
export class FileSentinelDetector implements Detector {
  readonly id = "sentinel-file";
  readonly path: string;
  private readonly stat: StatPath;
  private warnedMissingDir = false;

  constructor(options: FileSentinelDetectorOptions) {
    this.path = options.path;
    this.stat = options.stat ?? fsStat;
  }

  async check(ctx: NodeContext): Promise<DetectorResult> {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    try {
      await this.stat(this.path);
      return { required: true, reason: reason("sentinel-file-present", `sentinel ${this.path} present`) };
    } catch (e) {
      const code = errnoCode(e);
      if (code !== undefined && ABSENT_CODES.has(code)) {
        await this.warnIfDirectoryMissing(ctx);
        return { required: false, reason: reason("sentinel-file-absent", `sentinel ${this.path} absent`) };
      }
      const why = e instanceof Error ? e.message : String(e);
      ctx.log.warn({ sentinel: this.path, err: why }, "cannot check the reboot sentinel; treating it as absent");
      return {
        required: false,
        reason: reason("sentinel-file-unreadable", `sentinel ${this.path} could not be checked: ${why}`),
      };
    }
  }

  /** A missing directory usually means the host's /var/run is not mounted: say so once. */
  private async warnIfDirectoryMissing(ctx: NodeContext): Promise<void> {
    if (this.warnedMissingDir) return;
    const dir = dirname(this.path);
    try {
      await this.stat(dir);
    } catch (e) {
      if (!ABSENT_CODES.has(errnoCode(e) ?? "")) return;
      this.warnedMissingDir = true;
      ctx.log.warn(
        { sentinel: this.path, directory: dir },
        "the reboot sentinel's directory does not exist in the container; mount the host's /var/run there (see the DaemonSet manifest)",
      );
    }
  }
}
