#!/usr/bin/env bash
# ikelab-triage on a target that aborts, hangs, crashes every other run or
# runs clean by its first byte (testdata/crashers_fuzz.c with the
# reproducer's main, triage_test_target): the kinds, a flaky crash marked
# flaky, a timeout killed and classified, a clean input not reproduced, the
# exit status (label unit).
#   test_kinds.sh TRIAGE TARGET_BIN SOURCE
set -euo pipefail
triage=$1 bin=$2 source=$3
work=$(mktemp -d /tmp/ikelab-kinds.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "test_kinds: FAIL: $*" >&2; exit 1; }
mkdir -p "$work/in"
printf A > "$work/in/abort"
printf T > "$work/in/hang"
printf 'F%s' "$work/counter" > "$work/in/flaky"
printf B > "$work/in/clean"
rc=0
"$triage" -q -t fuzz_isakmp_decode --bin "$bin" --release none --timeout 1 -n 2 -j 1 -m 0 \
  --regressions "$work/none" -o "$work/out" "$work/in" > "$work/summary.txt" || rc=$?
cat "$work/summary.txt"
[ $rc -eq 1 ] || fail "ikelab-triage exited $rc, expected 1"
python3 - "$work/out/report.json" "$work/in" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
d = sys.argv[2]
problems = []
by_input = {i["path"]: i for i in doc["inputs"]}
crash = {c["name"]: c for c in doc["crashes"]}
def of(name):
    i = by_input[f"{d}/{name}"]
    return i, crash.get(i["crash"])
i, c = of("abort")
if not c or c["kind"] != "abort" or c["flaky"] or (i["crashed_runs"], i["runs"]) != (2, 2) \
        or "invariant broken: byte 0 is A" not in c["message"] or c["severity"] != "None" \
        or not c["signature"].startswith("abort|check|LLVMFuzzerTestOneInput"):
    problems.append(f"abort: {c and (c['kind'], c['flaky'], c['message'], c['signature'])}, {i['crashed_runs']}/{i['runs']}")
i, c = of("hang")
if not c or c["kind"] != "timeout" or (i["crashed_runs"], i["runs"]) != (2, 2):
    problems.append(f"hang: {c and c['kind']}, {i['crashed_runs']}/{i['runs']}")
i, c = of("flaky")
if not c or not c["flaky"] or (i["crashed_runs"], i["runs"]) != (1, 2) \
        or not c["signature"].startswith("abort|every_other_run|LLVMFuzzerTestOneInput"):
    problems.append(f"flaky: {c and (c['kind'], c['flaky'], c['signature'])}, {i['crashed_runs']}/{i['runs']}")
i, c = of("clean")
if c or i.get("outcome") != "exit 0" or i["crashed_runs"] != 0:
    problems.append(f"clean: crash {i['crash']}, outcome {i.get('outcome')}")
if doc["unique_crashes"] != 3 or doc["new_crashes"] != 3:
    problems.append(f"{doc['unique_crashes']} unique and {doc['new_crashes']} new crashes, expected 3 and 3")
for p in problems:
    print("test_kinds: FAIL:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
python3 "$source/triage/check_reports.py" "$work/out/report.sarif" "$work/out/report.json" crashes=3
echo "test_kinds: PASS: abort, timeout, flaky and clean inputs told apart"
