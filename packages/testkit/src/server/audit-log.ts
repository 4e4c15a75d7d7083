/** The audit log: one entry per API request, with counters for tests and benchmarks. */

/** One audited request. */
export interface AuditEntry {
  /** when the request arrived, on the server's clock */
  time: Date;
  user: string;
  /** API verb (get, list, watch, create, update, patch, delete, …) or the HTTP method for other paths */
  verb: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** path and query as sent */
  path: string;
  /** response status; 0 when the connection was dropped */
  status: number;
  userAgent: string;
}

/** A filter on entries; unset fields match everything. */
export type AuditFilter = Partial<
  Pick<AuditEntry, "user" | "verb" | "resource" | "subresource" | "namespace" | "name" | "status">
>;

/** The audit log of one server. */
export class AuditLog {
  private list: AuditEntry[] = [];

  /** Appends an entry (the server does this). */
  record(entry: AuditEntry): void {
    this.list.push(entry);
  }

  /** The entries, optionally filtered, oldest first. */
  entries(filter: AuditFilter = {}): AuditEntry[] {
    return this.list.filter((e) =>
      Object.entries(filter).every(([k, v]) => v === undefined || e[k as keyof AuditEntry] === v),
    );
  }

  /** How many entries match. */
  count(filter: AuditFilter = {}): number {
    return this.entries(filter).length;
  }

  /** Counts by `verb resource[/subresource]`, e.g. `{ "patch nodes": 3, "create pods/eviction": 1 }`. */
  counters(filter: AuditFilter = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries(filter)) {
      const key = e.resource
        ? `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ""}`
        : `${e.verb} ${e.path.split("?")[0]}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  /** Forgets every entry. */
  clear(): void {
    this.list = [];
  }
}
