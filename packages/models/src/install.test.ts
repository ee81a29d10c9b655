import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

// A default install must fetch nothing it will not use: tfjs-node and tfjs-node-gpu download libtensorflow in
// their install scripts (about 50 lines of stack traces where that host is unreachable). They are optional peers
// that a GPU user adds on purpose (README, "GPU").
describe("a default install", () => {
  it("locks no libtensorflow package, so `pnpm install` downloads none", () => {
    const lock = read("pnpm-lock.yaml");
    expect(lock).not.toMatch(/tfjs-node/);
    expect(lock).toMatch(/autoInstallPeers: false/);
  });

  it("has @vox/models name the native backends as optional peers only", () => {
    const manifest = JSON.parse(read("packages/models/package.json")) as Record<string, Record<string, unknown>>;
    for (const name of ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"]) {
      expect(manifest.dependencies?.[name]).toBeUndefined();
      expect(manifest.optionalDependencies?.[name]).toBeUndefined();
      expect(manifest.peerDependencies?.[name]).toBe("4.22.0");
      expect(manifest.peerDependenciesMeta?.[name]).toEqual({ optional: true });
    }
  });
});
