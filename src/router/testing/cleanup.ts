import { afterEach } from "vitest";
import type { Router } from "../index.js";
import type { TestUpstream } from "./upstreams.js";

/** What a test file started; everything in it is closed after each test. */
export interface StartedForTest {
  routers: Router[];
  upstreams: TestUpstream[];
}

/** Registers the after-each cleanup of the routers and upstreams a test file starts. */
export function closeAfterEach(): StartedForTest {
  const started: StartedForTest = { routers: [], upstreams: [] };
  afterEach(async () => {
    await Promise.all(started.routers.splice(0).map((router) => router.close()));
    await Promise.all(started.upstreams.splice(0).map((upstream) => upstream.close()));
  });
  return started;
}
