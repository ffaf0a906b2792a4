#!/usr/bin/env bash
# DuckDB over `omnistat export --format parquet` reproduces `omnistat summarize` (issue 19 item 3):
# docs/export.sql's stage overview and per-stage kernel, CUDA API, NVTX, memory and step tables,
# value for value, on every trace given (default: every testdata trace).
#
#   bash testdata/duckdb/check.sh [TRACE…]        build omnistat, export, summarize, compare
#   bash testdata/duckdb/check.sh --data DIR       compare DIR/runs (export -o DIR/runs) with
#                                                  DIR/summary.json (summarize --format json --top 1000000)
#   bash testdata/duckdb/check.sh --install        only install DuckDB (CI does it up front)
#
# DuckDB is the npm package @duckdb/node-api at the version package-lock.json pins, installed
# once (npm ci) into a cache shared by checkouts: $OMNISTAT_DUCKDB_CACHE, else
# ~/.cache/omnistat/duckdb-<hash of the lock file>. Needs node and npm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lock=$(sha256sum "$here/package-lock.json" | cut -c1-12)
cache=${OMNISTAT_DUCKDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/omnistat/duckdb-$lock}

if [ ! -f "$cache/installed" ]; then
  mkdir -p "$(dirname "$cache")"
  tmp=$(mktemp -d "$cache.XXXXXX")
  cp "$here/package.json" "$here/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$tmp/installed"
  # another run may have installed it meanwhile: keep theirs
  mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
fi
[ "${1:-}" = --install ] && exit 0

if [ "${1:-}" = --data ]; then
  data=$2
else
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
  cd "$root"
  if [ $# -eq 0 ]; then
    set -- testdata/traces/*.sqlite
  fi
  go build -o "$data/omnistat" ./cmd/omnistat
  "$data/omnistat" export --format parquet -o "$data/runs" "$@" 2>/dev/null
  "$data/omnistat" summarize --format json --top 1000000 "$@" >"$data/summary.json" 2>/dev/null
fi
node "$here/check.mjs" "$cache" "$data/runs" "$data/summary.json" "$root/docs/export.sql"
