#!/usr/bin/env bash
# scripts/demo.sh [--offline | --online] RUN_DIR — the Add Elector ceremony (CAMP Use Case 11.1.3), narrated.
#
# Called by `make run` after `swift build`. Act 1 (offline): electorctl alone, files in RUN_DIR/offline. Act 2
# (online): the whole stack on the embedded broker (`electorctl dev up --dir RUN_DIR/stack`), the ceremony through
# Kafka — ballots submitted, the validator's verdicts, the assembler's GCCF, a relying party following it into its trust
# store — then a quorum raise and an expiry that drop ballots from the next GCCF. The stack is left running until
# Ctrl-C (then `electorctl dev down`); DEMO_NO_WAIT=1 stops it at once instead. --offline runs act 1 only, --online act 2
# only. Each act wipes its own directory first. Any failing step stops the script with a non-zero status.
set -euo pipefail

MODE=all
case "${1:-}" in
    --offline) MODE=offline; shift ;;
    --online) MODE=online; shift ;;
esac
RUN_DIR=${1:?usage: scripts/demo.sh [--offline | --online] RUN_DIR}
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
RUN_DIR=$(cd "$RUN_DIR" && pwd)

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

offline_act() {
DIR=$RUN_DIR/offline
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
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
explain "The root CA's certificate is installed out of band too, next to the electors: the PG refuses to publish a" \
        "file whose MA certificate does not chain to a trusted root (maCertificateUntrusted), and relying parties check it."
cp ca/rootca.demo.test.cert anchors/
ls anchors | sed 's/^/    /'

section "Policy Generator: build GCCF version 1 with the ballot"
explain "A ballot goes in only if, at build time, its target is valid and at least quorum trusted electors endorsed it." \
        "The same inputs always give the same bytes."
ctl gccf build --anchors anchors --quorum 2 --at "$NOW" --version 1 --ma-cert ca/ma.demo.test.cert \
    --out gccf-v1.coer ballot-elector4.coer \
    | pick version length "electorEndorsements[].target.name" "electorEndorsements[].endorsers" "excluded[].cause"

section "Relying party: verify the GCCF into a trust store"
explain "A device or component holding only its anchors validates every ballot in the file (fixpoint from its own" \
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
}

# Prints one value of the JSON document on stdin: `jget path.to.value` (arrays: `name[]` collects, `name[0]` indexes;
# strings raw, everything else as JSON). Needs python3 (act 2 checks for it).
jget() {
    python3 -c '
import json, sys
def get(value, parts):
    if not parts:
        return value
    part, rest = parts[0], parts[1:]
    if part.endswith("[]"):
        items = value.get(part[:-2], []) if isinstance(value, dict) else []
        return [get(item, rest) for item in items]
    if part.endswith("]") and "[" in part:
        name, index = part[:-1].split("[")
        items = value.get(name, []) if isinstance(value, dict) else []
        return get(items[int(index)] if -len(items) <= int(index) < len(items) else None, rest)
    return get(value.get(part) if isinstance(value, dict) else None, rest)
value = get(json.load(sys.stdin), sys.argv[1].split("."))
print(value if isinstance(value, str) else json.dumps(value))
' "$1"
}
# Like pick, for JSON lines (one document per line), printing the chosen fields of each line on one line.
picklines() {
    python3 -c '
import json, sys
paths = sys.argv[1:]
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    doc = json.loads(line)
    fields = []
    for path in paths:
        value = doc
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            fields.append(f"{path}={value if isinstance(value, str) else json.dumps(value)}")
    if fields:
        print("    " + "  ".join(fields))
' "$@"
}
# Waits up to $1 seconds for the command in "$2" to succeed, printing a dot per second.
wait_for() {
    local limit=$1 what=$2 i
    for ((i = 0; i < limit * 4; i++)); do
        if eval "$what" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
        if ((i % 4 == 3)); then printf '.' >&3; fi
    done
    printf '%s✘ timed out after %ss waiting for: %s%s\n' "$red" "$limit" "$what" "$reset" >&2
    return 1
}

online_act() {
    command -v python3 >/dev/null 2>&1 || { echo "demo: act 2 needs python3 (apt-get install python3)" >&2; exit 69; }
    local STACK=$RUN_DIR/stack WORK=$RUN_DIR/online
    if [[ -f "$STACK/stack.json" ]]; then "$BIN" dev down --dir "$STACK" >/dev/null 2>&1 || true; fi
    rm -rf "$STACK" "$WORK"
    mkdir -p "$WORK"
    cd "$WORK"
    local FOLLOWER=""
    stop_stack() {
        [[ -n "$FOLLOWER" ]] && kill "$FOLLOWER" 2>/dev/null && wait "$FOLLOWER" 2>/dev/null || true
        FOLLOWER=""
        "$BIN" dev down --dir "$STACK" >/dev/null 2>&1 || true
    }
    trap 'echo; echo "stopping the stack…"; stop_stack; echo "stopped."; exit 0' INT TERM
    trap 'status=$?; if ((status != 0)); then echo "demo failed; logs: $STACK/logs" >&2; stop_stack; fi' EXIT

    printf '\n%sOnline Add Elector ceremony through Kafka%s\n' "$bold" "$reset"
    explain "The same ceremony, now through the pipeline: endorsement-intake, quorum-validator, gccf-assembler and" \
            "expiry-watcher are separate processes talking over the embedded Kafka broker. Files: $WORK, stack: $STACK"

    section "Bring the stack up on the embedded broker"
    explain "dev up starts scms-devbroker, the four pipeline services and lag-monitor as background processes, creates the Policy Generator's key," \
            "three demo electors (the trust anchors) and the MA certificate, and publishes an initial signed GPF with quorum 2."
    ctl dev up --dir "$STACK" >dev-up.json
    pick bootstrapServers quorum "processes[].name" "processes[].health" <dev-up.json
    ctl dev status --dir "$STACK" | sed 's/^/    /'
    ls "$STACK/anchors" | sed 's/^/    anchor: /'

    section "Setup Elector: elector4, and elector5 with a short-lived certificate"
    local START NOW
    START=$(date -u -d '-30 seconds' +%Y-%m-%dT%H:%M:%SZ)
    NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    ctl elector init --name elector4.demo.test --out electors --start "$START" --duration 6y \
        | pick certificate.name certificate.validity.end.iso8601
    ctl elector init --name elector5.demo.test --out electors --start "$START" --duration 80s \
        | pick certificate.name certificate.validity.end.iso8601
    local EXPIRY
    EXPIRY=$("$BIN" inspect 2>/dev/null --summary electors/elector5.demo.test.cert | jget summary.validity.end.iso8601)
    explain "elector5 expires at $EXPIRY, in under a minute: the expiry watcher will announce it at that moment."

    section "Endorse and assemble: elector1+2 endorse elector4, elector1+2+3 endorse elector5"
    local E="$STACK/electors"
    for n in 1 2 3; do
        ctl endorse --key "$E/elector$n.dev.test.key" --cert "$E/elector$n.dev.test.cert" \
            --target electors/elector5.demo.test.cert --type addElector --at "$NOW" --out "e$n-for-elector5.coer" >/dev/null
    done
    for n in 1 2; do
        ctl endorse --key "$E/elector$n.dev.test.key" --cert "$E/elector$n.dev.test.cert" \
            --target electors/elector4.demo.test.cert --type addElector --at "$NOW" --out "e$n-for-elector4.coer" >/dev/null
    done
    ctl ballot assemble --target electors/elector4.demo.test.cert --out ballot-elector4.coer \
        e1-for-elector4.coer e2-for-elector4.coer >/dev/null
    ctl ballot assemble --target electors/elector5.demo.test.cert --out ballot-elector5.coer \
        e1-for-elector5.coer e2-for-elector5.coer e3-for-elector5.coer >/dev/null
    ok "ballot-elector4.coer (2 endorsements), ballot-elector5.coer (3 endorsements)"

    section "Submit both ballots to scms.ballots.submitted"
    explain "Each record is keyed by the SHA-256 of the ballot's certificate, so all ballots for one elector keep their order."
    ctl submit --dir "$STACK" ballot-elector4.coer ballot-elector5.coer | picklines file partition offset delivered submitted

    section "The validator's verdicts on scms.ballots.validated"
    explain "endorsement-intake decoded and forwarded each ballot; quorum-validator checked every signature, the endorsers'" \
            "trust and validity at processing time and the quorum, and wrote a verdict record."
    wait_for 60 '[[ $("$BIN" records --dir "$STACK" validated | wc -l) -ge 2 ]]'
    echo
    "$BIN" records --dir "$STACK" validated | picklines summary.target.name summary.type summary.quorum offset
    ok "both ballots validated"

    section "The assembler publishes a GCCF with both electors"
    wait_for 60 '"$BIN" gccf fetch --dir "$STACK" --out gccf-1.coer --timeout 5s >/dev/null &&
        [[ $("$BIN" inspect 2>/dev/null --summary gccf-1.coer | jget "summary.electorEndorsements" | grep -o sha256 | wc -l) -ge 2 ]]'
    echo
    ctl inspect --summary gccf-1.coer 2>/dev/null | pick summary.gccfVersion "summary.electorEndorsements[].name" \
        "summary.electorEndorsements[].endorsements"
    ls "$STACK/gccf" | sed 's/^/    gccf dir: /'

    section "A relying party follows scms.gccf into its trust store"
    explain "gccf follow validates every new GCCF itself (from its own anchors: the three demo electors), refuses rollbacks," \
            "and commits trust-store/ atomically; it also applies signed GPF quorums."
    "$BIN" gccf follow --dir "$STACK" --state trust-store >follow.jsonl 2>follow.err &
    FOLLOWER=$!
    wait_for 30 'ls trust-store/trusted | grep -q elector5.demo.test'
    echo
    grep '"event":"gccf"' follow.jsonl | tail -1 | picklines event version.gccfVersion trustedElectors admittedElectors
    ls trust-store/trusted | sed 's/^/    trusted: /'

    section "Quorum raise: the PG publishes a signed GPF with quorum 3"
    explain "elector4's ballot has only 2 endorsements: the next GCCF must leave it out. elector5's has 3 and stays."
    ctl policy publish --dir "$STACK" --quorum 3 | pick topic offset quorum
    local V1
    V1=$(jget summary.gccfVersion < <("$BIN" inspect 2>/dev/null --summary gccf-1.coer))
    wait_for 60 '"$BIN" gccf fetch --dir "$STACK" --out gccf-2.coer --min-version $((V1 + 1)) --timeout 5s >/dev/null &&
        ! "$BIN" inspect 2>/dev/null --summary gccf-2.coer | grep -q elector4.demo.test'
    echo
    ctl inspect --summary gccf-2.coer 2>/dev/null | pick summary.gccfVersion "summary.electorEndorsements[].name"
    wait_for 30 '! ls trust-store/trusted | grep -q elector4.demo.test'
    echo
    grep -E '"event":"(gccf|reevaluated)"' follow.jsonl | grep '"droppedElectors":\["elector4' | tail -1 \
        | picklines event version.gccfVersion quorum trustedElectors droppedElectors
    ok "elector4 dropped by the quorum raise"

    section "Expiry: elector5's certificate expires"
    explain "The expiry watcher scheduled elector5's expiry from the GCCF; at $EXPIRY it writes an 'expired' event to" \
            "scms.expiry and the assembler drops the ballot within seconds."
    local V2
    V2=$(jget summary.gccfVersion < <("$BIN" inspect 2>/dev/null --summary gccf-2.coer))
    wait_for 120 '"$BIN" gccf fetch --dir "$STACK" --out gccf-3.coer --min-version $((V2 + 1)) --timeout 5s >/dev/null &&
        ! "$BIN" inspect 2>/dev/null --summary gccf-3.coer | grep -q elector5.demo.test'
    echo
    "$BIN" records --dir "$STACK" expiry | picklines summary.kind summary.role summary.expiryTime.iso8601 | tail -3
    ctl inspect --summary gccf-3.coer 2>/dev/null | pick summary.gccfVersion "summary.electorEndorsements[].name"
    wait_for 30 '! ls trust-store/trusted | grep -q elector5.demo.test'
    echo
    grep '"event":"gccf"' follow.jsonl | tail -1 | picklines event version.gccfVersion trustedElectors
    ok "elector5 dropped at its expiry"

    section "Consumer lag and the stack's health"
    ctl lag --dir "$STACK" --group scms-quorum-validator --group scms-gccf-assembler | sed 's/^/    /'
    ctl dev status --dir "$STACK" | sed 's/^/    /'

    trap - EXIT
    if [[ -n "${DEMO_NO_WAIT:-}" ]]; then
        stop_stack
        ok "online ceremony complete; stack stopped"
        return
    fi
    section "The stack keeps running"
    explain "Try it: electorctl dev status --dir $STACK · electorctl records --dir $STACK gccf · electorctl lag --dir $STACK ·" \
            "electorctl submit --dir $STACK FILE · electorctl gccf follow --dir $STACK --state DIR."
    printf '%sPress Ctrl-C to stop the stack%s (or, from another shell: %s dev down --dir %s)\n' "$bold" "$reset" "$BIN" "$STACK"
    while true; do sleep 3600 & wait $!; done
}

case "$MODE" in
    offline) offline_act ;;
    online) online_act ;;
    all) (offline_act); online_act ;;
esac
