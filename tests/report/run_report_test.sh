#!/usr/bin/env bash
# CTest entry: runs the demo scenario with the given phusong binary and compares it with a denser
# network, then checks both HTML reports in headless Chromium (tests/report/report_test.mjs).
# Exit 77 = skipped (no node, chromium or playwright-core).
set -euo pipefail
exe="$1"; src="$2"; work="$3"
command -v node >/dev/null 2>&1 || { echo "SKIP: node not installed"; exit 77; }
rm -rf "$work"; mkdir -p "$work"
"$exe" run "$src/scenarios/demo.yaml" --out "$work/demo_run" --cache-dir "$work/cache" --quiet
node "$src/tests/report/report_test.mjs" "$work/demo_run/report" "$work/report_map.png"
# The comparison report: the demo against the same scenario with six more towers.
sed -e 's/^name: demo$/name: demo_more/' -e 's/^    towers: 18$/    towers: 24/' "$src/scenarios/demo.yaml" > "$work/demo_more.yaml"
grep -q "towers: 24" "$work/demo_more.yaml"
"$exe" compare "$work/demo_run" "$work/demo_more.yaml" --out "$work/compare" --no-plan --quiet
node "$src/tests/report/report_test.mjs" "$work/compare/report" "$work/compare_map.png"
