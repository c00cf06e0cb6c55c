#!/usr/bin/env python3
"""ITM point-to-point: phusong against SPLAT! (`splat -olditm`, Debian package `splat`).

Draws random links over the real SRTM3 tiles in ../shared/data/real/ (seeded, so every run
draws the same links), runs both programs with the same heights, frequency and ITM parameters
(epsilon 15, sigma 0.005 S/m, N0 301, continental temperate, vertical, 50 % time and situations),
and prints a table and the median and 90th-percentile absolute difference, two ways:

  same profile  phusong's ITM fed (through `pathloss --profile`) the very profile SPLAT! builds:
                great circle, nearest SDF cell, SPLAT!'s sample spacing, and SPLAT!'s habit of
                reporting the loss at the third-last sample (its PathReport loop stops at
                path.length-2, so the "receiver" sits 1-2 samples, ~100-200 m, short of the real
                one). This isolates the model implementations.
  phusong DEM   `pathloss --dem`: phusong's own profile (tile warped once to UTM, bilinear,
                sampled at the DEM spacing to the receiver itself).

Both programs read the same terrain: voids are filled first (inverse-distance from the nearest
valid cell in 8 directions, as phusong does), because srtm2sdf only patches isolated void cells
and SPLAT! would otherwise read the Alps tile's -32767 voids as heights.

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
import struct
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


def load_hgt(path):
    data = open(path, "rb").read()
    n = int(round(math.sqrt(len(data) // 2)))
    return n, list(struct.unpack(f">{n * n}h", data))


def fill_voids(n, z):
    """Fills cells below -1000 m from the nearest valid cell in 8 directions, 1/d^2 weights."""
    src = list(z)
    dirs = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
    filled = 0
    for r in range(n):
        for c in range(n):
            if src[r * n + c] > -1000:
                continue
            s = ws = 0.0
            for dc, dr in dirs:
                k = 1
                while True:
                    cc, rr = c + dc * k, r + dr * k
                    if not (0 <= cc < n and 0 <= rr < n):
                        break
                    v = src[rr * n + cc]
                    if v > -1000:
                        w = 1.0 / ((k * k) * (dc * dc + dr * dr))
                        s += w * v
                        ws += w
                        break
                    k += 1
            if ws > 0:
                z[r * n + c] = int(round(s / ws))
                filled += 1
    return filled


def splat_profile(tile, la0, lo0, tlat, tlon, rlat, rlon, to_receiver=False):
    """The profile SPLAT! 1.4.2 hands to ITM in PathReport (splat.cpp ReadPath + the loss loop);
    with to_receiver, the same samples continued to the receiver itself."""
    n, z = tile
    ppd = n - 1
    miles = 3959.0

    def elev(lat, lon):  # GetElevation: nearest cell
        return z[int(round(ppd * (la0 + 1 - lat))) * n + int(round(ppd * (lon - lo0)))]

    lat1, lon1, lat2, lon2 = map(math.radians, (tlat, tlon, rlat, rlon))
    total = miles * math.acos(min(1.0, math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon1 - lon2)))
    az = math.atan2(math.sin(lon2 - lon1) * math.cos(lat2),
                    math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1))
    spr = 68755.0 if ppd == 1200 else ppd * 57.295833  # SPLAT!'s samples_per_radian
    per_sample = total / math.hypot(spr * abs(lon1 - lon2), spr * abs(lat1 - lat2))
    heights, c = [], 0
    while per_sample * c <= total:
        beta = per_sample * c / miles
        la = math.asin(math.sin(lat1) * math.cos(beta) + math.cos(az) * math.sin(beta) * math.cos(lat1))
        lo = lon1 + math.atan2(math.sin(az) * math.sin(beta) * math.cos(lat1), math.cos(beta) - math.sin(lat1) * math.sin(la))
        heights.append(elev(math.degrees(la), math.degrees(lo)))
        c += 1
    heights.append(elev(rlat, rlon))  # SPLAT! appends the exact destination ...
    step_km = per_sample * 1.609344
    if to_receiver:
        return [(i * step_km, h) for i, h in enumerate(heights[:-1])] + [(total * 1.609344, heights[-1])]
    return [(i * step_km, h) for i, h in enumerate(heights[:-2])]  # ... and its loss loop stops two short of it


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
    dems, tiles = {}, {}
    for src, hgt, la, lo in TILES:
        path = os.path.join(DATA, src)
        if not os.path.exists(path):
            sys.exit(f"splat_compare: {path} missing (the shared data sits beside the clone)")
        dst = os.path.join(work, hgt)
        if src.endswith(".hgt"):
            shutil.copy(path, dst)
        else:
            run(["gdal_translate", "-q", "-of", "SRTMHGT", path, dst])
        n, z = load_hgt(dst)
        filled = fill_voids(n, z)
        with open(dst, "wb") as f:
            f.write(struct.pack(f">{n * n}h", *z))
        print(f"{hgt}: {filled} void cells filled", file=sys.stderr)
        run(["srtm2sdf", hgt], cwd=work)
        dems[(la, lo)] = dst
        tiles[(la, lo)] = (n, z)

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
        prof = os.path.join(work, "splat_profile.csv")

        def over_splat_profile(to_receiver):
            with open(prof, "w") as pf:
                pf.write("distance_km,height_m\n")
                pf.writelines(f"{d!r},{h}\n" for d, h in splat_profile(tiles[(la, lo)], la, lo, tlat, tlon, rlat, rlon, to_receiver))
            return json.loads(run([args.phusong, "pathloss", "--model", "itm", "--profile", prof, "--lat-deg",
                                   f"{(tlat + rlat) / 2}", "--tx-height-m", str(ht), "--rx-height-m", str(hr), "--freq-mhz",
                                   str(f), "--json"]))
        same, to_rx = over_splat_profile(False), over_splat_profile(True)
        rows.append(dict(tile=os.path.basename(dems[(la, lo)]), tx=f"{tlat:.4f},{tlon:.4f}", rx=f"{rlat:.4f},{rlon:.4f}",
                         d_km=j["distance_m"] / 1000.0, f_mhz=f, h_tx=ht, h_rx=hr, splat_db=splat_db,
                         same_profile_db=same["loss_db"], same_diff_db=same["loss_db"] - splat_db,
                         to_rx_diff_db=to_rx["loss_db"] - splat_db, phusong_db=j["loss_db"],
                         diff_db=j["loss_db"] - splat_db, splat_mode=mode.group(1).strip() if mode else "?", phusong_mode=j["mode"]))
        print(f"\r{len(rows)}/{args.links} links", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    print(f"{'tile':<12} {'d km':>6} {'MHz':>6} {'htx':>5} {'hrx':>5} {'SPLAT dB':>9} {'same prof':>9} {'diff':>7} "
          f"{'DEM':>9} {'diff':>7}  SPLAT mode")
    for r in rows:
        print(f"{r['tile']:<12} {r['d_km']:6.2f} {r['f_mhz']:6.0f} {r['h_tx']:5.1f} {r['h_rx']:5.1f} {r['splat_db']:9.2f} "
              f"{r['same_profile_db']:9.2f} {r['same_diff_db']:7.2f} {r['phusong_db']:9.2f} {r['diff_db']:7.2f}  {r['splat_mode']}")
    if hung:
        print(f"\nskipped {len(hung)} links on which splat did not finish within 20 s")

    def summary(label, key, subset):
        a = sorted(abs(r[key]) for r in subset)
        p90 = a[min(len(a) - 1, int(math.ceil(0.9 * len(a))) - 1)]
        mean = statistics.mean(r[key] for r in subset)
        print(f"{label:<46} {len(a):5d} {statistics.median(a):10.2f} {p90:10.2f} {mean:+10.2f}")
        return statistics.median(a), p90

    print(f"\n{'phusong - SPLAT! (dB)':<46} {'links':>5} {'median|d|':>10} {'p90 |d|':>10} {'mean d':>10}")
    for key, label in (("same_diff_db", "same profile"), ("to_rx_diff_db", "SPLAT! samples to the receiver"),
                       ("diff_db", "phusong DEM profile")):
        for tile in sorted({r["tile"] for r in rows}):
            summary(f"{label}, {tile}", key, [r for r in rows if r["tile"] == tile])
        med, p90 = summary(f"{label}, all", key, rows)
        if key == "same_diff_db":
            same_med, same_p90 = med, p90
    print(f"\nsame profile: median {same_med:.2f} dB (aim <= 1), 90th percentile {same_p90:.2f} dB (aim <= 4): "
          f"{'met' if same_med <= 1 and same_p90 <= 4 else 'NOT met'}")
    if args.csv:
        import csv
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
