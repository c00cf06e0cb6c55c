#!/usr/bin/env python3
"""ITM area map: phusong against SPLAT! (`splat -olditm -L`, Debian package `splat`).

One transmitter in the middle of the SRTM3 tile N44W072 (White Mountains, 90 m), 30 m above
ground, 900 MHz, receivers 1.5 m above ground, 40 km radius, the same ITM ground and climate
(epsilon 15, sigma 0.005 S/m, N0 301, continental temperate, vertical, 50 % time and situation).
Both programs run as whole processes on one thread (loading, computing and writing included):

    splat -t tx.qth -L 1.5 -R 40 -metric -olditm -N -o map.ppm -ano splat.txt
    phusong coverage --model itm --radius-km 40 --resolution-m 90 --threads 1 --pathloss --outputs none ...

(and once more writing every coverage raster as well, without --outputs none)
and the path loss is compared at every point SPLAT! writes in its alphanumeric output (-ano),
read from phusong's pathloss_tx.tif with gdallocationinfo. Prints the wall times, the ratio
and the difference statistics.

Needs splat and srtm2sdf (apt install splat), gdallocationinfo (gdal-bin), and a built phusong.
Usage: python3 bench/splat_area_compare.py [--phusong build/bin/phusong] [--repeat 3]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "real")
LAT, LON, H_TX, F_MHZ, RADIUS_KM = 44.5, -71.5, 30.0, 900.0, 40.0


def timed(cmd, cwd, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--phusong", default=os.path.join(HERE, "..", "build", "bin", "phusong"))
    ap.add_argument("--repeat", type=int, default=3, help="runs of each program; the fastest counts")
    args = ap.parse_args()
    for tool in ("splat", "srtm2sdf", "gdallocationinfo"):
        if not shutil.which(tool):
            sys.exit(f"splat_area_compare: '{tool}' not found; install it with: apt install splat gdal-bin")
    phusong = os.path.abspath(args.phusong)
    if not os.path.exists(phusong):
        sys.exit(f"splat_area_compare: {phusong} not found; build first (cmake --preset release && cmake --build build)")
    hgt = os.path.join(DATA, "N44W072.hgt")
    if not os.path.exists(hgt):
        sys.exit(f"splat_area_compare: {hgt} missing (the shared data sits beside the clone)")

    work = tempfile.mkdtemp(prefix="phusong_splat_area_")
    shutil.copy(hgt, os.path.join(work, "N44W072.hgt"))
    os.chmod(os.path.join(work, "N44W072.hgt"), 0o644)
    subprocess.run(["srtm2sdf", "N44W072.hgt"], cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(work, "tx.qth"), "w") as f:  # SPLAT! longitudes are degrees west
        f.write(f"tx\n{LAT:.6f}\n{(-LON) % 360:.6f}\n{H_TX:.2f} meters\n")
    with open(os.path.join(work, "tx.lrp"), "w") as f:
        f.write(f"15.000\n0.005\n301.000\n{F_MHZ:.3f}\n5\n1\n0.50\n0.50\n")
    with open(os.path.join(work, "one.csv"), "w") as f:
        f.write(f"site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm\ntx,{LAT},{LON},{H_TX},2G,{F_MHZ},60\n")

    splat_cmd = ["splat", "-t", "tx.qth", "-L", "1.5", "-R", str(RADIUS_KM), "-metric", "-olditm", "-d", work, "-N",
                 "-o", "map.ppm", "-ano", "splat.txt"]
    ours_cmd = [phusong, "coverage", "--dem", "N44W072.hgt", "--sites", "one.csv", "--out", "ours", "--model", "itm",
                "--radius-km", str(RADIUS_KM), "--resolution-m", "90", "--threads", "1", "--pathloss", "--quiet",
                "--itm-epsilon", "15", "--itm-sigma", "0.005", "--itm-n0", "301", "--itm-climate", "5",
                "--itm-polarization", "vertical", "--itm-time", "50", "--itm-location", "50", "--itm-situation", "50"]
    t_splat = timed(splat_cmd, work, args.repeat)

    def best_of(extra):
        best = None
        for _ in range(args.repeat):
            shutil.rmtree(os.path.join(work, "ours"), ignore_errors=True)
            t0 = time.perf_counter()
            subprocess.run(ours_cmd + extra, cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t = time.perf_counter() - t0
            best = t if best is None else min(best, t)
        return best

    # Every coverage raster (signal, best server, SINR, ...), then the path-loss map alone, as
    # SPLAT! writes one map; the comparison reads the second run's pathloss_tx.tif.
    t_all = best_of([])
    t_ours = best_of(["--outputs", "none"])

    # SPLAT!'s points: lat, lon (west), bearing, elevation, loss [*: obstructed].
    pts = []
    with open(os.path.join(work, "splat.txt")) as f:
        for line in f:
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 5 or ";" in line:
                continue
            loss = float(parts[4].rstrip(" *"))
            pts.append((float(parts[0]), -float(parts[1]), loss))
    coords = "".join(f"{lon:.7f} {lat:.7f}\n" for lat, lon, _ in pts)
    res = subprocess.run(["gdallocationinfo", "-valonly", "-wgs84", os.path.join(work, "ours", "pathloss_tx.tif")],
                         input=coords, capture_output=True, text=True, check=True)
    vals = res.stdout.split("\n")
    diffs = []
    for (lat, lon, loss), v in zip(pts, vals):
        v = v.strip()
        if not v or v.lower() == "nan":
            continue
        diffs.append(float(v) - loss)
    ad = sorted(abs(d) for d in diffs)
    print("ITM area map, N44W072 at 90 m, 40 km, one thread, whole process (best of %d)" % args.repeat)
    print("| | time s | SPLAT! / phusong |\n|---|---|---|")
    print(f"| splat -olditm | {t_splat:.2f} | |")
    print(f"| phusong, path-loss map only (--outputs none --pathloss) | {t_ours:.2f} | {t_splat / t_ours:.1f}x |")
    print(f"| phusong, every coverage raster too | {t_all:.2f} | {t_splat / t_all:.1f}x |")
    print(f"\nphusong - SPLAT! at SPLAT!'s {len(pts)} output points ({len(diffs)} on phusong's raster):")
    print(f"median |diff| {statistics.median(ad):.2f} dB, p90 {ad[int(0.9 * len(ad))]:.2f} dB, mean {statistics.mean(diffs):+.2f} dB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
