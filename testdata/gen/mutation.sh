#!/usr/bin/env bash
# Mutation testing of the core packages with gremlins v0.6.0 (a tool, never a go.mod dependency):
#   go install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
#   bash testdata/gen/mutation.sh [OUTDIR [PKG…]]
# One package at a time (default: the core, smallest first), each mutant built and tested alone;
# prints per package its test efficacy (killed ÷ (killed + lived)) and mutant coverage (mutants
# some test runs ÷ all mutants), and keeps gremlins' log (OUTDIR/<pkg>.log, every mutant with its
# status) and its JSON (OUTDIR/<pkg>.json). Survivors: grep ' LIVED ' OUTDIR/*.log.
#
# Packages whose tests live in cmd/omnistat (the nsys goldens exercise reports) can run in
# gremlins' integration mode (every mutant runs `go test ./...`, the coverage comes from every
# package's tests): INTEGRATION="reports" (space-separated). That costs about a minute per mutant on
# two cores, so it is off by default: reports has package tests of its own.
#
# Two cores, another engineer in the tree: one worker (WORKERS=1), nice 10, and a timeout of TIMEOUT_COEF (default 10) times the package's coverage
# run: a mutant builds its package and tests before it runs, which takes longer than the cached
# coverage run it is timed against. -count=1 keeps the coverage run (the yardstick) honest;
# -failfast ends a killed mutant's run at its first failing test.
# (Not --test-cpu: v0.6.0 passes "-cpu N" to go test as one argument.)
#   WORKERS=2 bash testdata/gen/mutation.sh /tmp/mut stage diff    # two packages, two workers
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/omnistat-mutation}; shift || true
PKGS=("$@")
[ ${#PKGS[@]} -gt 0 ] || PKGS=(reports/stat trace diff stage render reports reports/table summary sqlite)
WORKERS=${WORKERS:-1} TIMEOUT_COEF=${TIMEOUT_COEF:-10} INTEGRATION=${INTEGRATION:-}
G=${GREMLINS:-$(go env GOPATH)/bin/gremlins}
command -v "$G" >/dev/null || { echo "no gremlins: go install github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0" >&2; exit 1; }
go version -m "$G" | grep -q 'mod[[:space:]]*github.com/go-gremlins/gremlins[[:space:]]*v0\.6\.0' ||
  echo "warning: $G is not gremlins v0.6.0 (go version -m), the numbers in docs/testing.md are v0.6.0's" >&2
mkdir -p "$out"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-count=1 -failfast"
# the tests that read the public exports and the samples run as in CI (absolute paths: the
# mutants run in gremlins' copies of the module)
export OMNISTAT_SAMPLES=${OMNISTAT_SAMPLES:-$(cd ../shared/nsys-samples 2>/dev/null && pwd)}
export OMNISTAT_PUBLIC=${OMNISTAT_PUBLIC:-$(cd ../shared/nsys-public 2>/dev/null && pwd)}
printf '%-14s %8s %6s %6s %8s %8s %9s %9s %7s\n' package mutants killed lived timeout notcov efficacy coverage time
for p in "${PKGS[@]}"; do
  args=(unleash --workers "$WORKERS" --timeout-coefficient "$TIMEOUT_COEF" --output "$out/${p//\//_}.json")
  # a package's run walks its folder: leave the subpackages to their own runs
  case $p in reports) args+=(-E '^(stat|table)/') ;; esac
  # EXCLUDE=REGEX leaves out more files (paths relative to the package), e.g. the files an
  # earlier run already covered: EXCLUDE='^(analyze|cuda_|filter)' … reports
  [ -z "${EXCLUDE:-}" ] || args+=(-E "$EXCLUDE")
  case " $INTEGRATION " in *" $p "*) args+=(--integration --coverpkg "github.com/omnistat/omnistat/$p") ;; esac
  t0=$SECONDS
  nice -n 10 "$G" "${args[@]}" "./$p" >"$out/${p//\//_}.log" 2>&1
  rc=$?
  log=$out/${p//\//_}.log
  c() { grep -c "^ *$1 " "$log"; }
  k=$(c KILLED) l=$(c LIVED) to=$(c 'TIMED OUT') nc=$(c 'NOT COVERED') nv=$(c 'NOT VIABLE')
  eff=$(grep -o 'Test efficacy: [0-9.]*%' "$log" | grep -o '[0-9.]*%' || echo '-')
  cov=$(grep -o 'Mutator coverage: [0-9.]*%' "$log" | grep -o '[0-9.]*%' || echo '-')
  printf '%-14s %8s %6s %6s %8s %8s %9s %9s %6ss%s\n' "$p" $((k + l + to + nc + nv)) "$k" "$l" "$to" "$nc" "$eff" "$cov" $((SECONDS - t0)) "$([ $rc = 0 ] || echo " (gremlins rc $rc, see $log)")"
done
