#!/usr/bin/env bash
# Independent check of a plan: re-runs `phusong coverage` on the plan's sites (plan_sectors.csv)
# into a fresh folder and reads each village's pixel from the resulting signal rasters with
# gdallocationinfo (GDAL's own tool, not our code): every reachable village must reach the
# threshold for every operator (--cover-by every) in plan_summary.json.
#   bench/plan_check.sh PLAN_DIR DEM [extra coverage flags...]
set -euo pipefail
plan=$1; dem=$2; shift 2
exe="$(dirname "$0")/../build/bin/phusong"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
thr=$(sed -n 's/^  "threshold_dbm": \(.*\),$/\1/p' "$plan/plan_summary.json")
tech=$(sed -n 's/^  "tech": "\(.*\)",$/\1/p' "$plan/plan_summary.json")
radius=$(sed -n 's/.*--radius-km \([0-9.]*\).*/\1/p' "$plan/plan_summary.json" | head -1)
"$exe" coverage --dem "$dem" --sites "$plan/plan_sectors.csv" --radius-km "${radius:-10}" --threshold "$tech=$thr" --out "$tmp/cov" --quiet "$@" >/dev/null
ops=$(cut -d, -f8 "$plan/plan_sectors.csv" | tail -n +2 | sort -u)
fail=0; n=0
while IFS=, read -r id name lat lon pop covered rest; do
  [ "$id" = village_id ] && continue
  n=$((n+1))
  for op in $ops; do
    v=$(gdallocationinfo -valonly -wgs84 "$tmp/cov/signal_${tech}_${op}.tif" "$lon" "$lat")
    if [ -z "$v" ] || awk -v v="$v" -v t="$thr" 'BEGIN{exit !(v=="nan" || v+0 < t+0)}'; then
      echo "FAIL village $id ($name) operator $op: ${v:-no value} dBm < $thr"; fail=$((fail+1))
    fi
  done
done < "$plan/village_coverage.csv"
echo "plan_check: $n villages x operators [$(echo $ops | tr '\n' ' ')] checked against $tech >= $thr dBm: $fail failures"
[ "$fail" -eq 0 ]
