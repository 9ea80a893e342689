#!/usr/bin/env python3
"""Checks ikelab-triage's reports: the SARIF 2.1.0 fields code scanning
requires, and (with --expect) what report.json must say.

  check_reports.py OUT/report.sarif OUT/report.json [--expect KEY=VALUE]...

Keys: crashes (unique crashes), new, kind, inputs (of the first crash),
frames (its signature's frames, "a|b|c"), flaky (true/false), packets_min.
Exit status 1 with every problem listed."""
import json
import sys

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)
    return cond


def check_sarif(path):
    with open(path) as f:
        doc = json.load(f)
    need(doc.get("version") == "2.1.0", f"version is {doc.get('version')!r}, not '2.1.0'")
    need(isinstance(doc.get("$schema"), str) and "sarif" in doc["$schema"],
         f"$schema missing or not a SARIF schema: {doc.get('$schema')!r}")
    runs = doc.get("runs")
    if not need(isinstance(runs, list) and runs, "runs[] missing or empty"):
        return 0
    results = 0
    for r, run in enumerate(runs):
        name = run.get("tool", {}).get("driver", {}).get("name")
        need(isinstance(name, str) and name, f"runs[{r}].tool.driver.name missing")
        rule_ids = {rule.get("id") for rule in run.get("tool", {}).get("driver", {}).get("rules", [])}
        for i, res in enumerate(run.get("results", [])):
            at = f"runs[{r}].results[{i}]"
            results += 1
            text = res.get("message", {}).get("text")
            need(isinstance(text, str) and text, f"{at}.message.text missing")
            need(isinstance(res.get("ruleId"), str) and res["ruleId"], f"{at}.ruleId missing")
            need(res.get("ruleId") in rule_ids, f"{at}.ruleId {res.get('ruleId')!r} not among the rules")
            need(res.get("level") in ("none", "note", "warning", "error"),
                 f"{at}.level {res.get('level')!r}")
            locs = res.get("locations")
            if not need(isinstance(locs, list) and locs, f"{at}.locations missing or empty"):
                continue
            for k, loc in enumerate(locs):
                phys = loc.get("physicalLocation", {})
                uri = phys.get("artifactLocation", {}).get("uri")
                line = phys.get("region", {}).get("startLine")
                need(isinstance(uri, str) and uri, f"{at}.locations[{k}] artifactLocation.uri missing")
                need(isinstance(line, int) and line >= 1, f"{at}.locations[{k}] region.startLine {line!r}")
    return results


def check_json(path, expect):
    with open(path) as f:
        doc = json.load(f)
    crashes = doc.get("crashes", [])
    first = crashes[0] if crashes else {}
    frames = "|".join(doc_frame for doc_frame in first.get("signature", "").split("|")[1:])
    seen = {
        "crashes": str(doc.get("unique_crashes")),
        "new": str(doc.get("new_crashes")),
        "kind": first.get("kind"),
        "inputs": str(len(first.get("inputs", []))),
        "frames": frames,
        "flaky": str(first.get("flaky")).lower(),
    }
    for key, want in expect:
        if key == "packets_min":
            got = first.get("decoded", {}).get("packets", -1)
            need(got >= int(want), f"report.json: {got} packets decoded, expected at least {want}")
        elif key == "minimised":
            m = first.get("minimised", {})
            need(0 < m.get("bytes", 0) < m.get("from_bytes", 0),
                 f"report.json: minimised {m.get('from_bytes')} -> {m.get('bytes')} bytes ({m.get('note')})")
        else:
            need(seen.get(key) == want, f"report.json: {key} is {seen.get(key)!r}, expected {want!r}")


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    expect = []
    for a in args[2:]:
        if a.startswith("--expect="):
            a = a[len("--expect="):]
        elif a == "--expect":
            continue
        key, _, value = a.partition("=")
        expect.append((key, value))
    n = check_sarif(args[0])
    check_json(args[1], expect)
    for p in problems:
        print(f"check_reports: {p}", file=sys.stderr)
    if not problems:
        print(f"check_reports: {args[0]}: SARIF 2.1.0 fields present ({n} result(s)); "
              f"{args[1]}: as expected")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
