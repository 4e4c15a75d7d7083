import { Writable } from "node:stream";
import { createLogger, isReasonCode, systemClock, type Clock, type Logger, type NodeContext } from "@kured/core";
import { expect } from "vitest";

/** Thrown when a call the contract says must settle did not within the guard's time. */
export class ContractTimeoutError extends Error {
  override readonly name = "ContractTimeoutError";
}

/**
 * Resolves or rejects like `work`, unless it takes longer than `ms` of real time: then rejects
 * with a ContractTimeoutError naming `what`. A hung implementation fails its check instead of
 * hanging the test run.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContractTimeoutError(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** How a guarded call ended. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Calls `call` and waits at most `ms` for it to settle; either outcome is accepted, a hang or a
 * synchronous throw is not (contract methods are async: they reject, never throw).
 */
export async function settlesWithin<T>(call: () => Promise<T>, ms: number, what: string): Promise<Settled<T>> {
  let work: Promise<T>;
  try {
    work = call();
  } catch (error) {
    throw new Error(`${what} threw synchronously instead of returning a rejected promise: ${String(error)}`, {
      cause: error,
    });
  }
  try {
    return { ok: true, value: await withTimeout(work, ms, what) };
  } catch (error) {
    if (error instanceof ContractTimeoutError) throw error;
    return { ok: false, error };
  }
}

const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Asserts that an id is kebab-case (`sentinel-file`, `prometheus-alerts`). */
export function expectKebabCaseId(id: unknown, what: string): void {
  expect(
    typeof id === "string" && KEBAB_CASE.test(id),
    `${what} id must be kebab-case, got ${JSON.stringify(id)}`,
  ).toBe(true);
}

/** Asserts that a value is a Reason: a kebab-case code and a non-empty message. */
export function expectReason(reason: unknown, what: string): void {
  expect(reason, `${what} must carry a reason`).toBeTypeOf("object");
  const { code, message } = (reason ?? {}) as { code?: unknown; message?: unknown };
  expect(
    typeof code === "string" && isReasonCode(code),
    `${what}: reason code must be kebab-case, got ${JSON.stringify(code)}`,
  ).toBe(true);
  expect(
    typeof message === "string" && message.trim() !== "",
    `${what}: reason message must be a non-empty string, got ${JSON.stringify(message)}`,
  ).toBe(true);
}

/** A logger that discards everything, for contexts the suites build. */
export function silentLogger(): Logger {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return createLogger({ format: "json", level: "fatal", destination: sink });
}

/** What a per-node call needs, apart from the signal. */
export interface ContextDefaults {
  readonly node?: string;
  readonly clock?: Clock;
  readonly log?: Logger;
}

/** Builds a NodeContext for one call. */
export function nodeContext(defaults: ContextDefaults, signal: AbortSignal, node?: string): NodeContext {
  return {
    node: node ?? defaults.node ?? "node-1",
    signal,
    clock: defaults.clock ?? systemClock,
    log: defaults.log ?? silentLogger(),
  };
}

/** An AbortSignal that is already aborted, with a recognisable reason. */
export function abortedSignal(): AbortSignal {
  return AbortSignal.abort(new Error("aborted by the contract suite"));
}
