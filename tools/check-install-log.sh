#!/usr/bin/env bash
# Fails, printing the lines, when a pnpm install log shows trouble: a download script's stack trace or
# ENOTFOUND, pnpm's own errors, a failed step, or the "Ignored build scripts" box.
#
#   bash tools/check-install-log.sh <log> <who is asking>
set -euo pipefail
if grep -nE 'ENOTFOUND|^\s+at |Ignored build scripts|ERR_PNPM|Failed' "$1" >&2; then
  echo "$2: pnpm install printed the errors above" >&2
  exit 1
fi
