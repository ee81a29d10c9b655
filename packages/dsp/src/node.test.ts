import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeFolder, makeWritableFolder, writeFileAtomic } from "./node.js";

describe("makeFolder", () => {
  const root = () => mkdtempSync(join(tmpdir(), "vox-folder-"));

  it("creates every missing component, and is a no-op on an existing folder", async () => {
    const base = root();
    const deep = join(base, "a", "b", "c");
    await makeFolder(deep);
    await makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await writeFileAtomic(join(base, "x", "y", "file.txt"), "hi");
    expect(statSync(join(base, "x", "y", "file.txt")).size).toBe(2);
  });

  it("a file in the way is ENOTDIR naming it", async () => {
    const base = root();
    writeFileSync(join(base, "file"), "");
    await expect(makeFolder(join(base, "file", "sub"))).rejects.toMatchObject({
      code: "ENOTDIR",
      path: join(base, "file"),
    });
  });

  it.runIf(process.platform === "linux")(
    "a path the kernel refuses (/proc) fails at once instead of hanging",
    async () => {
      await expect(makeFolder("/proc/vox-no-such/run")).rejects.toMatchObject({ code: "ENOENT" });
    },
  );
});

describe("makeWritableFolder", () => {
  it("leaves the folder made and empty (the probe removed); a file in the way is ENOTDIR naming it", async () => {
    const base = mkdtempSync(join(tmpdir(), "vox-writable-"));
    await makeWritableFolder(join(base, "out"));
    expect(readdirSync(join(base, "out"))).toEqual([]);
    writeFileSync(join(base, "file"), "");
    await expect(makeWritableFolder(join(base, "file"))).rejects.toMatchObject({ code: "ENOTDIR" });
  });
});
