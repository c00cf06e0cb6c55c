#!/usr/bin/env bash
# CTest entry: runs the demo scenario with the given phusong binary, then checks its HTML report
# in headless Chromium (tests/report/report_test.mjs). Exit 77 = skipped (no chromium/node).
set -euo pipefail
exe="$1"; src="$2"; work="$3"
command -v node >/dev/null 2>&1 || { echo "SKIP: node not installed"; exit 77; }
rm -rf "$work"; mkdir -p "$work"
"$exe" run "$src/scenarios/demo.yaml" --out "$work/demo_run" --cache-dir "$work/cache" --quiet
node "$src/tests/report/report_test.mjs" "$work/demo_run/report" "$work/report_map.png"
