import type { TestProject } from "vitest/node";
import { type PostgresServer, startPostgres } from "./postgres.js";
import "./provided-context.js";

/**
 * Starts ONE throwaway PostgreSQL server for the whole test run and hands its admin URL to the tests
 * (`inject("slipwayPostgresUrl")`); test/support/store-engines.ts creates a database per test on it.
 *
 * - SLIPWAY_TEST_POSTGRES_URL set: use that server instead of starting one.
 * - SLIPWAY_TEST_POSTGRES=off: start nothing; PostgreSQL tests are skipped (quick local runs).
 * - Start fails: with CI set the run fails; otherwise a warning, and PostgreSQL tests are skipped.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.SLIPWAY_TEST_POSTGRES_URL?.trim();
  if (external) {
    project.provide("slipwayPostgresUrl", external);
    return undefined;
  }
  if (process.env.SLIPWAY_TEST_POSTGRES === "off" && !process.env.CI) {
    process.stderr.write("SLIPWAY_TEST_POSTGRES=off: the PostgreSQL half of the store suite is skipped.\n");
    project.provide("slipwayPostgresUrl", null);
    return undefined;
  }
  let server: PostgresServer;
  try {
    server = await startPostgres();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI) {
      throw new Error(`Could not start the test PostgreSQL server, which CI requires: ${reason}`);
    }
    process.stderr.write(
      `\nWARNING: could not start a PostgreSQL server; the store's PostgreSQL tests are skipped.\n${reason}\n\n`,
    );
    project.provide("slipwayPostgresUrl", null);
    return undefined;
  }
  project.provide("slipwayPostgresUrl", server.url);
  return () => server.stop();
}
