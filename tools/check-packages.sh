#!/usr/bin/env bash
# The packages as users get them: packs each (prepack builds it), installs the tarballs into a scratch project
# outside the workspace, and runs every package README's example there (the code block after `<!-- example -->`),
# in dependency order: datasets' prepares data/demo, train's trains runs/demo on it, eval's and the CLI's use it.
#
#   bash tools/check-packages.sh          (needs the workspace installed: pnpm install)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d /tmp/vox-packages-XXXXXX)
[ "${KEEP_SCRATCH:-}" = 1 ] || trap 'rm -rf "$scratch"' EXIT
packages=(dsp models datasets train eval cli)
mkdir -p "$scratch/tarballs" "$scratch/project"
for name in "${packages[@]}"; do
  (cd "$root/packages/$name" && pnpm pack --pack-destination "$scratch/tarballs" >/dev/null)
done
# Every @vox/* dependency, direct or between the packages, resolves to its tarball (none is on the registry).
node - "$scratch" "${packages[@]}" <<'JS'
const { readdirSync, writeFileSync } = require("node:fs");
const [scratch, ...names] = process.argv.slice(2);
const tarballs = readdirSync(`${scratch}/tarballs`);
const deps = {};
for (const name of names) {
  const file = tarballs.find((t) => t.startsWith(`vox-${name}-`));
  if (!file) throw new Error(`no tarball for @vox/${name} in ${scratch}/tarballs`);
  deps[`@vox/${name}`] = `file:../tarballs/${file}`;
}
writeFileSync(`${scratch}/project/package.json`, JSON.stringify({
  name: "vox-packages-check", private: true, type: "module", dependencies: deps,
}, null, 2));
// pnpm 10 runs a dependency's install script only when allowed: @vox/models' builds its native conv kernels.
// (From the registry "@vox/models" is the whole entry; a tarball is named by its file: spec.)
const overrides = Object.entries(deps).map(([k, v]) => `  "${k}": "${v}"`).join("\n");
writeFileSync(`${scratch}/project/pnpm-workspace.yaml`,
  `overrides:\n${overrides}\nonlyBuiltDependencies:\n  - esbuild\n  - "@vox/models"\n  - "${deps["@vox/models"].replace("file:", "@vox/models@file:")}"\nignoredBuiltDependencies:\n  - core-js\nautoInstallPeers: false\n`);
JS
cd "$scratch/project"
pnpm install --prefer-offline --reporter=append-only > install.log 2>&1 || {
  cat install.log >&2
  exit 1
}
bash "$root/tools/check-install-log.sh" install.log "check-packages (installing the tarballs)"
test -f node_modules/@vox/models/native/build/vox_conv_kernels.node || {
  echo "@vox/models: its install script did not build native/build/vox_conv_kernels.node" >&2
  exit 1
}
for name in "${packages[@]}"; do
  test -f "node_modules/@vox/$name/dist/index.js" || { echo "@vox/$name: no dist/index.js in its tarball" >&2; exit 1; }
  test -f "node_modules/@vox/$name/LICENSE" || { echo "@vox/$name: no LICENSE in its tarball" >&2; exit 1; }
done
cp node_modules/@vox/datasets/demo-corpus/kal/s01.wav speech.wav
for name in "${packages[@]}"; do
  readme="$root/packages/$name/README.md"
  # The fenced block after the marker, and its language.
  lang=$(awk '/<!-- example -->/{f=1;next} f&&/^```/{sub(/^```/,"");print;exit}' "$readme")
  awk '/<!-- example -->/{f=1;next} f&&/^```/{if(n++)exit;next} f&&n==1' "$readme" > "example-$name.$lang"
  test -s "example-$name.$lang" || { echo "$readme: no code block after <!-- example -->" >&2; exit 1; }
  echo "check-packages: @vox/$name README example ($lang)" >&2
  start=$(date +%s)
  if [ "$lang" = ts ]; then
    "$root/node_modules/.bin/tsx" "example-$name.ts"
  else
    PATH="$PWD/node_modules/.bin:$PATH" bash -euo pipefail "example-$name.$lang"
  fi
  echo "check-packages: @vox/$name example ran in $(( $(date +%s) - start )) s" >&2
done
echo "check-packages: ${#packages[@]} packages packed, installed outside the workspace, README examples run" >&2
