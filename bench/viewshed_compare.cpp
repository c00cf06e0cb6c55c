// Line of sight: `phusong viewshed` against `gdal_viewshed` on the same projected DEM, observer,
// heights, radius and earth curvature. Prints the share of pixels on which the two agree
// (visible/hidden, over pixels both computed) and each program's whole-process time (best of 3;
// phusong on one thread, as gdal_viewshed runs, and on all cores).
//   gdalwarp -t_srs EPSG:32619 -tr 90 90 -tap -r bilinear ../shared/data/real/N44W072.hgt /tmp/dem_utm.tif
//   build/bin/viewshed_compare /tmp/dem_utm.tif [radius_km] [observer_height_m] [target_height_m]
// Observers: the DEM's centre pixel and eight more on a ring half the radius away (pixel centres,
// so both programs put the observer on the same cell). Curvature: k = 4/3 (gdal_viewshed -cc 0.75).

#include <gdal_priv.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
double timed(const std::string& cmd) {
    double best = 1e300;
    for (int i = 0; i < 3; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "failed: %s\n", cmd.c_str());
            std::exit(1);
        }
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

std::vector<uint8_t> readByte(const std::string& path, int& w, int& h, double gt[6]) {
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
    if (!ds) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        std::exit(1);
    }
    w = ds->GetRasterXSize();
    h = ds->GetRasterYSize();
    ds->GetGeoTransform(gt);
    std::vector<uint8_t> v(static_cast<size_t>(w) * h);
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Byte, 0, 0) != CE_None) std::exit(1);
    GDALClose(ds);
    return v;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: viewshed_compare DEM_PROJECTED.tif [radius_km=40] [observer_m=30] [target_m=1.5]\n");
        return 2;
    }
    GDALAllRegister();
    const std::string dem = argv[1];
    const double radius_km = argc > 2 ? std::atof(argv[2]) : 40.0;
    const double oz = argc > 3 ? std::atof(argv[3]) : 30.0, tz = argc > 4 ? std::atof(argv[4]) : 1.5;
    const std::string exe = std::string(PHUSONG_EXE);
    int w = 0, h = 0;
    double gt[6];
    {
        GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(dem.c_str(), GA_ReadOnly));
        if (!ds) return 1;
        w = ds->GetRasterXSize();
        h = ds->GetRasterYSize();
        ds->GetGeoTransform(gt);
        GDALClose(ds);
    }
    std::printf("| observer (col,row) | pixels compared | agree %% | visible phusong %% | visible gdal %% | phusong s, 1 thread | all cores | gdal_viewshed s | ratio (1 thread) |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    long long all_n = 0, all_agree = 0;
    double all_ours = 0, all_ours_mt = 0, all_gdal = 0;
    const double ring_px = 0.5 * radius_km * 1000.0 / std::abs(gt[1]);
    for (int o = 0; o < 9; ++o) {
        const double a = o == 0 ? 0.0 : (o - 1) * M_PI / 4.0;
        const int col = w / 2 + (o == 0 ? 0 : static_cast<int>(std::lround(ring_px * std::cos(a))));
        const int row = h / 2 + (o == 0 ? 0 : static_cast<int>(std::lround(ring_px * std::sin(a))));
        if (col < 0 || row < 0 || col >= w || row >= h) continue;
        const double x = gt[0] + (col + 0.5) * gt[1], y = gt[3] + (row + 0.5) * gt[5];
        char xy[128];
        std::snprintf(xy, sizeof xy, "%.3f,%.3f", x, y);
        char gcmd[1024], pcmd[1024];
        std::snprintf(gcmd, sizeof gcmd,
                      "gdal_viewshed -q -ox %.3f -oy %.3f -oz %g -tz %g -md %g -cc 0.75 -vv 1 -iv 0 -ov 255 %s /tmp/vs_gdal.tif",
                      x, y, oz, tz, radius_km * 1000.0, dem.c_str());
        std::snprintf(pcmd, sizeof pcmd,
                      "%s viewshed --dem %s --site-xy %s --tx-height-m %g --rx-height-m %g --radius-km %g --k-factor 1.3333333333333333 "
                      "--out /tmp/vs_ours.tif > /dev/null --threads ",
                      exe.c_str(), dem.c_str(), xy, oz, tz, radius_km);
        const double tg = timed(gcmd), tp = timed(std::string(pcmd) + "1"), tp_mt = timed(std::string(pcmd) + "0");
        int w1, h1, w2, h2;
        double g1[6], g2[6];
        const auto ours = readByte("/tmp/vs_ours.tif", w1, h1, g1);
        const auto theirs = readByte("/tmp/vs_gdal.tif", w2, h2, g2);
        // gdal_viewshed crops its output to the max-distance window: align by the origins.
        const double fc = (g2[0] - g1[0]) / g1[1], fr = (g2[3] - g1[3]) / g1[5];
        const int dc = static_cast<int>(std::lround(fc)), dr = static_cast<int>(std::lround(fr));
        if (std::abs(fc - dc) > 1e-6 || std::abs(fr - dr) > 1e-6 || std::abs(g1[1] - g2[1]) > 1e-9) {
            std::fprintf(stderr, "the two outputs are not on the same pixel grid; give a projected DEM in the UTM zone of its centre\n");
            return 1;
        }
        // The observer's cell on our raster (which covers the radius window of the DEM).
        const int obs_c = col - static_cast<int>(std::lround((g1[0] - gt[0]) / gt[1]));
        const int obs_r = row - static_cast<int>(std::lround((g1[3] - gt[3]) / gt[5]));
        long long n = 0, agree = 0, vo = 0, vg = 0;
        for (int r2 = 0; r2 < h2; ++r2) {
            for (int c2 = 0; c2 < w2; ++c2) {
                const int c1 = c2 + dc, r1 = r2 + dr;
                if (c1 < 0 || r1 < 0 || c1 >= w1 || r1 >= h1 || (c1 == obs_c && r1 == obs_r)) continue;
                const uint8_t a1 = ours[static_cast<size_t>(r1) * w1 + c1], a2 = theirs[static_cast<size_t>(r2) * w2 + c2];
                if (a1 > 1 || a2 > 1) continue;
                ++n;
                agree += a1 == a2;
                vo += a1;
                vg += a2;
            }
        }
        all_n += n;
        all_agree += agree;
        all_ours += tp;
        all_ours_mt += tp_mt;
        all_gdal += tg;
        std::printf("| %d,%d | %lld | %.2f | %.1f | %.1f | %.2f | %.2f | %.2f | %.1f |\n", col, row, n, 100.0 * agree / std::max(1LL, n),
                    100.0 * vo / std::max(1LL, n), 100.0 * vg / std::max(1LL, n), tp, tp_mt, tg, tp / tg);
    }
    std::printf("| all | %lld | %.2f | | | %.2f | %.2f | %.2f | %.1f |\n", all_n, 100.0 * all_agree / std::max(1LL, all_n), all_ours,
                all_ours_mt, all_gdal, all_ours / all_gdal);
    return 0;
}
