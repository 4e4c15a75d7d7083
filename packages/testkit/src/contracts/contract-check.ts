import { describe, it } from "vitest";

/** One promise of a contract, checked against a fixture the plugin author provides. */
export interface ContractCheck<F> {
  /** reads as the test name, e.g. "never exceeds the capacity with concurrent acquirers" */
  readonly name: string;
  /** throws (an assertion error) when the implementation breaks the promise */
  readonly run: (fixture: F) => Promise<void>;
}

/** What a factory gives a contract suite; `cleanup` runs after every check. */
export interface ContractFixtureBase {
  /** called after each check, also when it failed: close servers, stop clocks */
  readonly cleanup?: () => void | Promise<void>;
}

/** Builds a fresh fixture for one check. */
export type ContractFactory<F> = () => F | Promise<F>;

/** Thrown by a check that does not apply to this fixture (e.g. an optional hook was not given). */
export class ContractCheckNotApplicable extends Error {
  override readonly name = "ContractCheckNotApplicable";
}

/** Ends a check as skipped, saying which part of the fixture would make it run. */
export function notApplicable(why: string): never {
  throw new ContractCheckNotApplicable(why);
}

/** How one check went. */
export type ContractCheckOutcome =
  | { readonly status: "passed" }
  | { readonly status: "skipped"; readonly reason: string }
  | { readonly status: "failed"; readonly error: unknown };

/**
 * Runs one check against a fresh fixture and reports the outcome instead of throwing: what tests
 * of the suites themselves use to prove that a broken implementation is caught.
 */
export async function runContractCheck<F extends ContractFixtureBase>(
  check: ContractCheck<F>,
  factory: ContractFactory<F>,
): Promise<ContractCheckOutcome> {
  const fixture = await factory();
  try {
    await check.run(fixture);
    return { status: "passed" };
  } catch (error) {
    if (error instanceof ContractCheckNotApplicable) return { status: "skipped", reason: error.message };
    return { status: "failed", error };
  } finally {
    await fixture.cleanup?.();
  }
}

/** Registers one vitest test per check, inside `describe(title)`; inapplicable checks are skipped with their reason. */
export function describeContract<F extends ContractFixtureBase>(
  title: string,
  checks: readonly ContractCheck<F>[],
  factory: ContractFactory<F>,
): void {
  describe(title, () => {
    for (const check of checks) {
      it(check.name, async (context) => {
        const outcome = await runContractCheck(check, factory);
        if (outcome.status === "failed") throw outcome.error;
        if (outcome.status === "skipped") context.skip(outcome.reason);
      });
    }
  });
}
