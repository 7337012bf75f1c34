#!/usr/bin/env bash
# scripts/demo.sh RUN_DIR — the offline Add Elector ceremony (CAMP Use Case 11.1.3), narrated step by step.
#
# Called by `make run` after `swift build`. Everything it writes goes to RUN_DIR/offline, which is wiped first, so
# running it again gives a fresh ceremony. Any failing step stops the script with a non-zero status.
set -euo pipefail

RUN_DIR=${1:?usage: scripts/demo.sh RUN_DIR}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [[ -n "${ELECTORCTL:-}" ]]; then
    BIN=$ELECTORCTL
else
    BIN="$(${SWIFT:-swift} build --show-bin-path)/electorctl"
fi
if [[ ! -x "$BIN" ]]; then
    echo "demo: $BIN not found — build first (make build, or swift build)" >&2
    exit 69
fi

mkdir -p "$RUN_DIR"
DIR=$(cd "$RUN_DIR" && pwd)/offline
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"

bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; red=$'\e[31m'; reset=$'\e[0m'
if [[ ! -t 1 ]]; then bold=""; dim=""; green=""; red=""; reset=""; fi
step=0

section() {
    step=$((step + 1))
    printf '\n%s== %d. %s ==%s\n' "$bold" "$step" "$1" "$reset"
}
explain() { echo "$*" | fold -s -w 100; }
# Runs electorctl, echoing the command line (paths relative to RUN_DIR/offline).
ctl() {
    printf '%s$ electorctl %s%s\n' "$dim" "$*" "$reset" >&3
    "$BIN" "$@"
}
# Prints chosen fields of the JSON on stdin, one per line: `pick accepted endorsers[].name reasons[].code`.
# Falls back to the raw JSON when python3 is not installed.
pick() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import json, sys
def get(value, parts):
    if not parts:
        return value
    part, rest = parts[0], parts[1:]
    if part.endswith("[]"):
        items = value.get(part[:-2], []) if isinstance(value, dict) else []
        return [get(item, rest) for item in items]
    return get(value.get(part) if isinstance(value, dict) else None, rest)
doc = json.load(sys.stdin)
for path in sys.argv[1:]:
    value = get(doc, path.split("."))
    if not isinstance(value, str):
        value = json.dumps(value, separators=(", ", ": "))
    print(f"    {path:<36} {value}")
' "$@"
    else
        cat
    fi
}
ok() { printf '%s✔ %s%s\n' "$green" "$1" "$reset"; }
expect_status() { # expect_status WANT GOT WHAT
    if [[ "$2" -ne "$1" ]]; then
        printf '%s✘ %s: exit status %s, expected %s%s\n' "$red" "$3" "$2" "$1" "$reset" >&2
        exit 1
    fi
}

exec 3>&1
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '%sOffline Add Elector ceremony%s — electorctl %s\n' "$bold" "$reset" "$("$BIN" --version | cut -d' ' -f2)"
explain "Three electors are trusted out of band. A fourth is set up, endorsed by two of them, and the ballot travels" \
        "through a Global Certificate Chain File (GCCF) to a relying party, which adds elector4 to its trust store." \
        "All times are $NOW (UTC). Files: $DIR"

section "Setup Elector: three electors create keys and self-signed certificates"
explain "Each elector generates a P-256 key (PKCS#8 PEM, mode 0600) and a self-signed certificate with the CAMP" \
        "elector profile (psid 35 + ElectorSsp). The self-signature proves possession of the key."
for n in 1 2 3; do
    ctl elector init --name "elector$n.demo.test" --out electors --start "$NOW" --duration 6y \
        | pick certificate.name certificate.hashedId8 certificate.profile
done
ls -l electors | sed 's/^/    /'

section "Install the trust anchors"
explain "Every SCMS component and device gets elector1..3 out of band: anchors/ is that trust store here."
mkdir -p anchors
cp electors/elector1.demo.test.cert electors/elector2.demo.test.cert electors/elector3.demo.test.cert anchors/
ls anchors | sed 's/^/    /'

section "Setup Elector: the new elector4"
ctl elector init --name elector4.demo.test --out electors --start "$NOW" --duration 6y \
    | pick certificate.name certificate.sha256 certificate.validity.start.iso8601 certificate.validity.end.iso8601

section "Endorse: elector1 and elector2 each sign an addElector endorsement of elector4"
explain "Each signs TbsElectorEndorsement {addElector, SHA-256(elector4's certificate), generationTime} with its own key." \
        "elector3 abstains; a quorum of 2 is enough."
mkdir -p endorsements
for n in 1 2; do
    ctl endorse --key "electors/elector$n.demo.test.key" --cert "electors/elector$n.demo.test.cert" \
        --target electors/elector4.demo.test.cert --type addElector --at "$NOW" \
        --out "endorsements/elector$n-for-elector4.coer" \
        | pick endorsement.type endorsement.signer.certificate.name endorsement.certificateHash
done

section "Assemble the ballot"
explain "The endorsements must sign identical TbsElectorEndorsements for the target; the ballot carries elector4's" \
        "certificate once plus both endorsements."
ctl ballot assemble --target electors/elector4.demo.test.cert --out ballot-elector4.coer \
    endorsements/elector1-for-elector4.coer endorsements/elector2-for-elector4.coer >/dev/null
ok "ballot-elector4.coer ($(wc -c <ballot-elector4.coer) bytes)"

section "Inspect the ballot"
explain "inspect decodes any COER file to JSON; here only the key fields (the full value is 'inspect FILE')."
ctl inspect --type ballot --summary ballot-elector4.coer \
    | pick type asn1Type length summary.certificate.name summary.type summary.endorsementCount \
           "summary.endorsements[].signer.certificate.name"

section "Verify the ballot with quorum 2 against the three anchors"
explain "Checks every signature (1609.2 hash-then-sign), identical signed data, type, certificate hash, target profile," \
        "endorsers trusted and valid now, and counts distinct endorsers against the quorum."
ctl ballot verify --anchors anchors --quorum 2 --at "$NOW" ballot-elector4.coer \
    | pick accepted quorum distinctEndorsers "endorsers[].name" "reasons[].code"
ok "accepted: two distinct trusted electors endorsed elector4"
explain "The same ballot with quorum 3 is rejected (exit 1) with a reason code:"
set +e
ctl ballot verify --anchors anchors --quorum 3 --at "$NOW" ballot-elector4.coer | pick accepted distinctEndorsers "reasons[].code"
status=${PIPESTATUS[0]}
set -e
expect_status 1 "$status" "ballot verify --quorum 3"
ok "rejected with insufficientQuorum, as it should be"

section "A root CA issues the MA certificate the GCCF carries"
explain "Every chain file names a misbehavior authority; its certificate is issued (not self-signed) by a root CA."
ctl root init --name rootca.demo.test --out ca --start "$NOW" | pick certificate.name certificate.profile
ctl ma init --issuer-key ca/rootca.demo.test.key --issuer-cert ca/rootca.demo.test.cert --name ma.demo.test \
    --out ca --start "$NOW" | pick certificate.name certificate.issuer.sha256AndDigest

section "Policy Generator: build GCCF version 1 with the ballot"
explain "A ballot goes in only if, at build time, its target is valid and at least quorum trusted electors endorsed it." \
        "The same inputs always give the same bytes."
ctl gccf build --anchors anchors --quorum 2 --at "$NOW" --version 1 --ma-cert ca/ma.demo.test.cert \
    --out gccf-v1.coer ballot-elector4.coer \
    | pick version length "electorEndorsements[].target.name" "electorEndorsements[].endorsers" "excluded[].cause"

section "Relying party: verify the GCCF into a trust store"
explain "A device or component holding only elector1..3 validates every ballot in the file (fixpoint from its own" \
        "anchors), remembers the version (anti-rollback) and commits its trust store atomically."
ctl gccf verify --anchors anchors --quorum 2 --at "$NOW" --state trust-store gccf-v1.coer \
    | pick accepted version.gccfVersion trustedElectors admittedElectors
ls trust-store trust-store/trusted | sed 's/^/    /'
explain "Replaying the same file (or an older one) is refused and the trust store stays as it was:"
set +e
ctl gccf verify --anchors anchors --quorum 2 --at "$NOW" --state trust-store gccf-v1.coer | pick accepted "reasons[].code"
status=${PIPESTATUS[0]}
set -e
expect_status 1 "$status" "gccf verify replay"
ok "rollback refused"

section "RA: derive an LCCF and check it keeps every endorsement"
explain "A Registration Authority copies the GCCF's whole certificate store into its Local CCF; the check proves no" \
        "elector or root endorsement was lost on the way to its devices."
ctl lccf derive --gccf gccf-v1.coer --ra-hostname ra.demo.test --version 1 --out lccf-v1.coer \
    | pick summary.compositeVersion "summary.electorEndorsements[].name"
ctl lccf check --gccf gccf-v1.coer lccf-v1.coer | pick complete findings
ok "the LCCF is complete"

section "What if elector1 and elector2 were removed?"
explain "what-if re-evaluates the file with those certificates removed: their endorsements stop counting, so elector4's" \
        "ballot falls below quorum and elector4 would drop."
ctl what-if --gccf gccf-v1.coer --anchors anchors --quorum 2 --at "$NOW" \
    --remove electors/elector1.demo.test.cert --remove electors/elector2.demo.test.cert \
    | pick "droppedElectors[].certificate.name" "droppedBallots[].reasons[].code"

section "Done"
explain "Files in $DIR:"
find . -type f | sort | sed 's|^\./|    |'
ok "offline ceremony complete"
