// Compiles conv_kernels.cc into native/build/vox_conv_kernels.node with the machine's C++ compiler.
// Run by `pnpm install` (the package's install script, with --optional: a machine without a compiler or Node's
// headers keeps the plain wasm/cpu kernels and is told why) and by hand: `node native/build.mjs`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const optional = process.argv.includes("--optional");
const sources = [join(here, "conv_kernels.cc"), join(here, "batch_norm_kernels.cc")];
const target = join(here, "build", "vox_conv_kernels.node");

function fail(reason) {
  const message = `@vox/models: native conv kernels not built (${reason}); training uses the plain wasm/cpu kernels`;
  if (optional) {
    process.stderr.write(`${message}\n`);
    process.exit(0);
  }
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (process.arch !== "x64") fail(`they need x86-64 with AVX2, this is ${process.arch}`);
if (process.platform === "win32") fail("the build script drives g++/clang++, not MSVC");

// Node's headers: next to the node binary (official tarballs, Debian's nodejs-dev, nvm), or npm's `nodedir`.
const candidates = [
  join(dirname(process.execPath), "..", "include", "node"),
  process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, "include", "node") : "",
].filter(Boolean);
const include = candidates.find((dir) => existsSync(join(dir, "node_api.h")));
if (!include) fail(`node_api.h not found in ${candidates.join(" or ")}`);

const compiler = process.env.CXX || "g++";
const flags = [
  "-std=c++17",
  "-O3",
  "-pthread",
  "-fPIC",
  "-shared",
  "-fvisibility=hidden",
  "-DNAPI_VERSION=8",
  `-I${include}`,
  ...sources,
  "-o",
  target,
];
// macOS resolves N-API symbols from the node binary at load time.
if (process.platform === "darwin") flags.push("-undefined", "dynamic_lookup");

mkdirSync(dirname(target), { recursive: true });
try {
  execFileSync(compiler, flags, { stdio: ["ignore", "inherit", "pipe"] });
} catch (error) {
  const detail = error.code === "ENOENT" ? `${compiler} not found` : String(error.stderr ?? error.message).trim();
  fail(`${compiler} failed: ${detail.split("\n").slice(0, 5).join(" | ")}`);
}
process.stderr.write(`@vox/models: built ${target}\n`);
