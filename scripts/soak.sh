#!/usr/bin/env bash
# The resource-bounds soak (issue #6): a dev stack, BALLOTS ballots through the whole pipeline, every process's
# VmRSS/VmHWM sampled each second; prints the per-process table (warm RSS, final RSS, peak, slope over the second
# half) and writes the samples as CSV.
#
#   scripts/soak.sh [BALLOTS] [CSV]     (default 100000 ballots, CSV ${TMPDIR:-/tmp}/scms-soak-samples.csv)
#
# Environment passed through: SOAK_WINDOW (valid ballots in flight, default 1500), SOAK_VALIDATORS (default: cores),
# and any SCMS_* setting of the services (e.g. SCMS_DEDUPE_DIGESTS=20000 for intake's duplicate-digest bound).
# Release build; the soak is not part of `make test` (`make bench` runs it with the other suites).
set -euo pipefail
cd "$(dirname "$0")/.."

ballots="${1:-100000}"
csv="${2:-${TMPDIR:-/tmp}/scms-soak-samples.csv}"
swift build -c release --product scms-bench >&2
# dev up starts the services next to electorctl: build them too.
for product in electorctl scms-devbroker endorsement-intake quorum-validator gccf-assembler expiry-watcher lag-monitor; do
    swift build -c release --product "$product" >&2
done
bin="$(swift build -c release --show-bin-path)"
SOAK_BALLOTS="$ballots" SOAK_CSV="$csv" "$bin/scms-bench" soak
echo "soak: samples in $csv" >&2
