// @ts-check
/**
 * The blocker itself: "not now" while a file exists. Plain JavaScript with JSDoc types, so the
 * package runs as published without a build step and `tsc --checkJs` still checks it against
 * @kured/core's contracts.
 */
import { Buffer } from "node:buffer";
import { open, stat } from "node:fs/promises";
import { reason } from "@kured/core";

/** @typedef {import("@kured/core").Blocker} Blocker */
/** @typedef {import("@kured/core").BlockerResult} BlockerResult */
/** @typedef {import("@kured/core").NodeContext} NodeContext */

/** The reason code of a block; stable, so alerts and dashboards can match on it. */
export const BLOCK_FILE_PRESENT = "block-file-present";

/** How much of the file is read for the note shown with the reason. */
const NOTE_BYTES = 256;

/** Look-up errors that mean "there is no such file", not "cannot tell". */
const ABSENT = new Set(["ENOENT", "ENOTDIR"]);

/**
 * The first line of the file, cleaned for one-line display (an Event message, a log line), or ""
 * when it is empty or unreadable: the file's existence is what blocks, its text is only a note.
 *
 * @param {string} path
 * @returns {Promise<string>}
 */
async function readNote(path) {
  let handle;
  try {
    handle = await open(path, "r");
    const buffer = Buffer.alloc(NOTE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, NOTE_BYTES, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString("utf8").split(/\r?\n/, 1)[0] ?? "";
    // eslint-disable-next-line no-control-regex -- control characters would garble the Event
    return firstLine.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  } catch {
    return "";
  } finally {
    await handle?.close();
  }
}

/**
 * Holds this node's reboot while a file exists, e.g. `/var/run/kured-block` touched by a job that
 * must not be interrupted. The first line of the file, if any, is shown with the reason, so
 * `echo "backup until 03:00" > /var/run/kured-block` tells operators why.
 *
 * The path is looked up inside the kured container: mount the host directory that holds it. A
 * missing file lets the reboot through; any other look-up failure (permissions, I/O) rejects, and
 * kured treats a rejecting blocker as blocking — when in doubt, do not reboot.
 *
 * @implements {Blocker}
 */
export class BlockFileBlocker {
  /**
   * @param {{ path: string }} options the file whose existence blocks (absolute)
   */
  constructor(options) {
    /** kebab-case, unique among blockers */
    this.id = "block-file";
    /** the file is on this node, so the answer is this node's alone */
    this.scope = /** @type {const} */ ("node");
    /** @readonly */
    this.path = options.path;
  }

  /**
   * @param {NodeContext} ctx
   * @returns {Promise<BlockerResult>}
   */
  async check(ctx) {
    ctx.signal.throwIfAborted();
    let info;
    try {
      info = await stat(this.path);
    } catch (e) {
      const err = /** @type {NodeJS.ErrnoException} */ (e);
      if (err.code !== undefined && ABSENT.has(err.code)) return { blocked: false };
      throw new Error(`cannot tell whether the block file ${this.path} exists: ${err.message}`, { cause: e });
    }
    const note = info.isFile() ? await readNote(this.path) : "";
    const since = info.mtime.toISOString();
    const message = `block file ${this.path} exists (since ${since})${note ? `: ${note}` : ""}`;
    return { blocked: true, reason: reason(BLOCK_FILE_PRESENT, message) };
  }
}
