import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// One root config for every package: each packages/<name> is a project named @vox/<name>, so a package's own
// `pnpm test` runs `vitest run --project @vox/<name>` against this file.
const packageNames = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default defineConfig({
  resolve: { conditions: ["vox-source"] },
  ssr: { resolve: { conditions: ["vox-source"] } },
  test: {
    // An absolute path: `pnpm --filter @vox/<name> test` runs vitest from the package's folder, where a relative
    // reporter path would not resolve.
    reporters: ["default", fileURLToPath(new URL("./tools/vitest-summary-reporter.ts", import.meta.url))],
    projects: packageNames.map((name) => ({
      extends: true,
      test: {
        name: `@vox/${name}`,
        root: fileURLToPath(new URL(`./packages/${name}`, import.meta.url)),
        include: ["src/**/*.test.ts"],
        setupFiles: [fileURLToPath(new URL("./tools/vitest-setup.ts", import.meta.url))],
        testTimeout: 120_000,
      },
    })),
  },
});
