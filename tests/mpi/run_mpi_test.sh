#!/usr/bin/env bash
# CTest entry: the demo network's coverage under MPI (2 and 3 ranks, path-loss classes split round robin)
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
  echo "$np ranks: $n rasters bit-identical to one process"
done
# Commands other than coverage refuse to run split over ranks, with exit code 2.
set +e
mpirun -np 2 --mca btl self,vader "$phusong_mpi" run "$src/scenarios/demo.yaml" --out never >/dev/null 2>err.txt
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "only \`coverage\` is split over ranks" err.txt && [ ! -e never ] || { echo "FAIL: run under MPI should be refused (rc $rc)"; cat err.txt; exit 1; }
echo "run under MPI refused as expected"
