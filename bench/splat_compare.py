#!/usr/bin/env python3
"""ITM point-to-point: phusong against SPLAT! (`splat -olditm`, Debian package `splat`).

Draws random links over the real SRTM3 tiles in ../shared/data/real/ (seeded, so every run
draws the same links), runs both programs with the same heights, frequency and ITM parameters
(epsilon 15, sigma 0.005 S/m, N0 301, continental temperate, vertical, 50 % time and situations),
and prints a table and the median and 90th-percentile absolute difference.

    python3 bench/splat_compare.py [--links 120] [--phusong build/bin/phusong] [--csv out.csv]

Needs `splat` and `srtm2sdf` on PATH (apt install splat) and gdal_translate (gdal-bin).
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "real"))
# (tile file, name SPLAT expects, south-west corner lat, lon)
TILES = [("N44W072.hgt", "N44W072.hgt", 44, -72), ("N46E008_srtm3.tif", "N46E008.hgt", 46, 8)]


def run(cmd, cwd=None, timeout=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip() or p.stdout.strip()}")
    return p.stdout


def destination(lat, lon, bearing_deg, dist_km):
    r = 6371.0
    b, d = math.radians(bearing_deg), dist_km / r
    la1, lo1 = math.radians(lat), math.radians(lon)
    la2 = math.asin(math.sin(la1) * math.cos(d) + math.cos(la1) * math.sin(d) * math.cos(b))
    lo2 = lo1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(la1), math.cos(d) - math.sin(la1) * math.sin(la2))
    return math.degrees(la2), math.degrees(lo2)


def qth(path, name, lat, lon, h_m):
    # SPLAT! longitudes are degrees west.
    with open(path, "w") as f:
        f.write(f"{name}\n{lat:.6f}\n{(-lon) % 360:.6f}\n{h_m:.2f} meters\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--links", type=int, default=120)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--phusong", default=os.path.join(HERE, "..", "build", "bin", "phusong"))
    ap.add_argument("--csv", help="also write every link to this CSV")
    args = ap.parse_args()
    for tool in ("splat", "srtm2sdf", "gdal_translate"):
        if not shutil.which(tool):
            sys.exit(f"splat_compare: '{tool}' not found; install it with: apt install splat gdal-bin")
    if not os.path.exists(args.phusong):
        sys.exit(f"splat_compare: {args.phusong} not found; build first (cmake --preset release && cmake --build build)")

    work = tempfile.mkdtemp(prefix="phusong_splat_")
    dems = {}
    for src, hgt, la, lo in TILES:
        path = os.path.join(DATA, src)
        if not os.path.exists(path):
            sys.exit(f"splat_compare: {path} missing (the shared data sits beside the clone)")
        dst = os.path.join(work, hgt)
        if src.endswith(".hgt"):
            shutil.copy(path, dst)
        else:
            run(["gdal_translate", "-q", "-of", "SRTMHGT", path, dst])
        run(["srtm2sdf", hgt], cwd=work)
        dems[(la, lo)] = dst

    rng = random.Random(args.seed)
    rows, hung = [], []
    freqs = [450.0, 900.0, 1800.0, 2100.0]
    while len(rows) < args.links:
        la, lo = rng.choice(list(dems))
        tlat, tlon = la + rng.uniform(0.1, 0.9), lo + rng.uniform(0.1, 0.9)
        rlat, rlon = destination(tlat, tlon, rng.uniform(0, 360), rng.uniform(2.0, 40.0))
        if not (la + 0.02 < rlat < la + 0.98 and lo + 0.02 < rlon < lo + 0.98):
            continue
        f = rng.choice(freqs)
        ht, hr = rng.choice([10.0, 20.0, 30.0, 50.0]), rng.choice([1.5, 3.0, 10.0])
        qth(os.path.join(work, "tx.qth"), "tx", tlat, tlon, ht)
        qth(os.path.join(work, "rx.qth"), "rx", rlat, rlon, hr)
        with open(os.path.join(work, "tx.lrp"), "w") as lrp:
            lrp.write(f"15.000\n0.005\n301.000\n{f:.3f}\n5\n1\n0.50\n0.50\n")
        report = os.path.join(work, "tx-to-rx.txt")
        if os.path.exists(report):
            os.remove(report)
        try:
            run(["splat", "-t", "tx.qth", "-r", "rx.qth", "-olditm", "-metric", "-d", work], cwd=work, timeout=20)
        except subprocess.TimeoutExpired:
            hung.append((tlat, tlon, rlat, rlon))  # SPLAT! 1.4.2 loops forever on a few links
            continue
        text = open(report, encoding="latin-1").read()
        m = re.search(r"Longley-Rice path loss: ([0-9.]+) dB", text)
        mode = re.search(r"Mode of propagation: (.*)", text)
        if not m:
            continue  # SPLAT! reports no loss for some degenerate links
        splat_db = float(m.group(1))
        out = run([args.phusong, "pathloss", "--model", "itm", "--dem", dems[(la, lo)], "--tx", f"{tlat},{tlon}", "--rx",
                   f"{rlat},{rlon}", "--tx-height-m", str(ht), "--rx-height-m", str(hr), "--freq-mhz", str(f), "--json"])
        j = json.loads(out)
        rows.append(dict(tile=os.path.basename(dems[(la, lo)]), tx=f"{tlat:.4f},{tlon:.4f}", rx=f"{rlat:.4f},{rlon:.4f}",
                         d_km=j["distance_m"] / 1000.0, f_mhz=f, h_tx=ht, h_rx=hr, splat_db=splat_db, phusong_db=j["loss_db"],
                         diff_db=j["loss_db"] - splat_db, splat_mode=mode.group(1).strip() if mode else "?", phusong_mode=j["mode"]))
        print(f"\r{len(rows)}/{args.links} links", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    print(f"{'tile':<12} {'d km':>6} {'MHz':>6} {'htx':>5} {'hrx':>5} {'SPLAT dB':>9} {'phusong':>9} {'diff':>7}  SPLAT mode")
    for r in rows:
        print(f"{r['tile']:<12} {r['d_km']:6.2f} {r['f_mhz']:6.0f} {r['h_tx']:5.1f} {r['h_rx']:5.1f} {r['splat_db']:9.2f} "
              f"{r['phusong_db']:9.2f} {r['diff_db']:7.2f}  {r['splat_mode']}")
    absd = sorted(abs(r["diff_db"]) for r in rows)
    p90 = absd[min(len(absd) - 1, int(math.ceil(0.9 * len(absd))) - 1)]
    if hung:
        print(f"\nskipped {len(hung)} links on which splat did not finish within 20 s")
    for tile in sorted({r["tile"] for r in rows}):
        t = sorted(abs(r["diff_db"]) for r in rows if r["tile"] == tile)
        print(f"{tile}: {len(t)} links, median |diff| {statistics.median(t):.2f} dB, "
              f"90th percentile {t[min(len(t) - 1, int(math.ceil(0.9 * len(t))) - 1)]:.2f} dB")
    print(f"\nlinks: {len(rows)}   mean diff (phusong - SPLAT): {statistics.mean(r['diff_db'] for r in rows):+.2f} dB")
    print(f"median |diff|: {statistics.median(absd):.2f} dB (aim <= 1)   90th percentile |diff|: {p90:.2f} dB (aim <= 4)")
    if args.csv:
        import csv
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
