/** Where a command writes and what it reads, so tests run the CLI in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** aborted on SIGTERM/SIGINT: the daemon stops cleanly */
  readonly signal?: AbortSignal;
}
