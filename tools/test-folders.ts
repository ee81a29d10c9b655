import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Scratch folders for tests, shared by the packages' test-support: each is registered and removed after its test
 * file by tools/vitest-setup.ts (vitest ends its workers without running exit handlers, so nothing else would).
 * The registry lives on globalThis so the setup file and the tests see one list whatever module instances load.
 */
const registry = globalThis as { [key: symbol]: string[] | undefined };
const key = Symbol.for("vox.temporaryFolders");

/** A new empty folder under the system's temporary folder, removed after the test file. */
export function temporaryTestFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  registry[key] ??= [];
  registry[key].push(folder);
  return folder;
}

/** Removes every folder made so far (the setup file's afterAll). */
export function removeTemporaryTestFolders(): void {
  for (const folder of (registry[key] ?? []).splice(0)) rmSync(folder, { recursive: true, force: true });
}
