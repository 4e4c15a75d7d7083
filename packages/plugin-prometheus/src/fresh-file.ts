import { readFile, stat } from "node:fs/promises";

/**
 * A file read again whenever it changes (mtime or size), for credentials that Kubernetes rotates
 * under a mounted Secret or projected token: one `stat` per use, one read per change.
 */
export class FreshFile {
  #seen: { readonly mtimeMs: number; readonly size: number; readonly text: string } | undefined;

  constructor(readonly path: string) {}

  /** The file's current content. Rejects when the file cannot be read. */
  async read(): Promise<string> {
    const info = await stat(this.path);
    const seen = this.#seen;
    if (seen && seen.mtimeMs === info.mtimeMs && seen.size === info.size) return seen.text;
    const text = await readFile(this.path, "utf8");
    this.#seen = { mtimeMs: info.mtimeMs, size: info.size, text };
    return text;
  }
}
