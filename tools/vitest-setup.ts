import { rmSync } from "node:fs";
import { afterAll } from "vitest";

/**
 * Folders the test helpers made (packages' test-support `temporary()` / `temporaryFolder()` register them here),
 * removed after each test file: vitest ends its worker processes without running their exit handlers.
 */
const registry = globalThis as { [key: symbol]: string[] | undefined };
const key = Symbol.for("vox.temporaryFolders");
afterAll(() => {
  for (const folder of (registry[key] ?? []).splice(0)) rmSync(folder, { recursive: true, force: true });
});
