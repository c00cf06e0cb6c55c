#!/usr/bin/env bash
# CTest entry: the demo network's coverage under MPI (2 and 3 ranks, walk-sharing or path-loss classes split round robin)
# must be bit-identical to one process, raster by raster (raw pixels compared by raster_cmp).
# Exit 77 = skipped (no mpirun or no phusong-mpi).
set -euo pipefail
phusong="$1"; phusong_mpi="$2"; src="$3"; work="$4"; raster_cmp="$5"
command -v mpirun >/dev/null 2>&1 || { echo "SKIP: mpirun not installed (apt-get install openmpi-bin)"; exit 77; }
[ -x "$phusong_mpi" ] || { echo "SKIP: $phusong_mpi not built (no MPI found at configure time)"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
rm -rf "$work"; mkdir -p "$work"; cd "$work"
"$phusong" run "$src/scenarios/demo.yaml" --out demo --no-plan --no-report --quiet --cache-dir cache >/dev/null
args=(coverage --dem demo/inputs/dem.tif --sites demo/inputs/sites.csv --radius-km 8 --quiet)
"$phusong" "${args[@]}" --out one --threads 2 >/dev/null
for np in 2 3; do
  mpirun -np "$np" --mca btl self,vader "$phusong_mpi" "${args[@]}" --out "mpi$np" --threads 1 >/dev/null
  # Every raster of the one-process run against the same name from the ranks: size, type,
  # geotransform, nodata and every pixel byte (the metadata records the command line and differs).
  cmp_out=$("$raster_cmp" one "mpi$np") || { echo "FAIL between one process and $np MPI ranks: $cmp_out"; exit 1; }
  n=${cmp_out%% *}
  [ "$(ls one/*.tif | wc -l)" -eq "$(ls "mpi$np"/*.tif | wc -l)" ] || { echo "FAIL: $np ranks wrote a different set of rasters"; exit 1; }
  [ "$n" -gt 20 ] || { echo "FAIL: only $n rasters compared"; exit 1; }
  grep -q '"processes": '"$np" "mpi$np/summary.json" || { echo "FAIL: summary.json does not record $np processes"; exit 1; }
  # The model warnings and their counts gathered from every rank, as one process has them.
  python3 - one/summary.json "mpi$np/summary.json" <<'PY' || exit 1
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
# The walks too: the ranks split the sectors by walk-sharing class, so together they walk as one process does.
for key in ("path_loss_evaluations", "warnings", "warning_counts", "walks"):
    if a[key] != b[key]:
        sys.exit(f"FAIL: {key} differs between one process ({a[key]}) and the ranks ({b[key]})")
if a["path_loss_evaluations"] <= 0:
    sys.exit("FAIL: no path-loss evaluations counted")
PY
  echo "$np ranks: $n rasters bit-identical to one process"
done
# ITM raises validity warnings near the sites: each rank counts its own, and the counts and flags
# gathered from the ranks are those of one process.
itm=(coverage --dem demo/inputs/dem.tif --sites demo/inputs/sites.csv --radius-km 1 --model itm --outputs none --quiet)
"$phusong" "${itm[@]}" --out itm_one --threads 2 >/dev/null
mpirun -np 2 --mca btl self,vader "$phusong_mpi" "${itm[@]}" --out itm_mpi --threads 1 >/dev/null
python3 - itm_one/summary.json itm_mpi/summary.json <<'PY' || exit 1
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
if not a["warning_counts"]:
    sys.exit("FAIL: ITM within 1 km raised no warning")
for key in ("path_loss_evaluations", "warnings", "warning_counts"):
    if a[key] != b[key]:
        sys.exit(f"FAIL: ITM {key} differs between one process ({a[key]}) and 2 ranks ({b[key]})")
PY
echo "ITM warnings counted over 2 ranks as in one process"
# Commands other than coverage refuse to run split over ranks, with exit code 2.
set +e
mpirun -np 2 --mca btl self,vader "$phusong_mpi" run "$src/scenarios/demo.yaml" --out never >/dev/null 2>err.txt
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "only \`coverage\` is split over ranks" err.txt && [ ! -e never ] || { echo "FAIL: run under MPI should be refused (rc $rc)"; cat err.txt; exit 1; }
echo "run under MPI refused as expected"
