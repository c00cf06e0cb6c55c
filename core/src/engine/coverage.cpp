#include "phusong/core/engine/coverage.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "phusong/core/error.hpp"

namespace phusong::engine {

double sectorSignal_dBm(const Sector& s, const DemGrid& dem, const models::ModelParams& mp, PointXY rx,
                        double rx_height_m, double step_m, Profile& profile, uint32_t* warnings) {
    extractProfile(dem, s.xy, rx, step_m, profile);
    const models::PathLoss pl = models::pathLossOverProfile(mp, profile, s.antenna_height_m, rx_height_m, s.freq_MHz);
    // The pixel holding the site itself is shorter than a profile step; that is expected, not a warning.
    if (warnings) *warnings |= pl.warnings & ~models::kWarnShortPath;
    const double dx = rx.x_m - s.xy.x_m, dy = rx.y_m - s.xy.y_m;
    const double bearing_deg = rad2deg(std::atan2(dx, dy));
    const double hts = profile.h_m.front() + s.antenna_height_m;
    const double hrs = profile.h_m.back() + rx_height_m;
    const double elevation_deg = rad2deg(std::atan2(hrs - hts, std::max(pl.distance_m, 1.0)));
    return s.eirp_dBm - s.reference_offset_dB - s.pattern.attenuation_dB(bearing_deg, elevation_deg) - pl.loss_dB;
}

void validateSectors(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt) {
    if (!(opt.radius_m > 0.0)) throw InputError("--radius-km must be positive");
    if (!(opt.rx_height_m > 0.0)) throw InputError("--rx-height-m must be positive (metres above ground)");
    for (const Sector& s : sectors) {
        if (!hasGroundAt(dem, s.xy.x_m, s.xy.y_m)) {
            throw InputError(s.location + ": site '" + s.site_id + "' at lat " + std::to_string(s.position.lat_deg) +
                             ", lon " + std::to_string(s.position.lon_deg) +
                             " is outside the DEM; check lat/lon or use a DEM that covers it");
        }
        models::checkFrequency(opt.model, s.freq_MHz, s.location + ": field 'freq_mhz'");
    }
}

CoverageResult computeCoverage(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt) {
    validateSectors(dem, sectors, opt);
    const GeoTransform& gt = dem.geoTransform();
    const int w = dem.width(), h = dem.height();
    const double step_m = opt.profile_step_m > 0.0 ? opt.profile_step_m : std::min(gt.pixel_width_m, gt.pixel_height_m);
    const double pixel_km2 = gt.pixel_width_m * gt.pixel_height_m / 1e6;

    CoverageResult result;
    for (Technology t : kAllTechnologies) {
        TechnologyCoverage layer;
        layer.tech = t;
        for (size_t i = 0; i < sectors.size(); ++i) {
            if (sectors[i].tech == t) layer.sectors.push_back(static_cast<int>(i));
        }
        if (layer.sectors.empty()) continue;
        layer.threshold_dBm = opt.threshold_dBm(t);
        layer.signal_dBm = Grid<float>(w, h, gt, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::quiet_NaN());
        layer.best_server = Grid<int32_t>(w, h, gt, -1, -1);
        result.layers.push_back(std::move(layer));
    }

    // Tile binning: for each tile, the sectors whose computation disc touches it, in table order.
    const int tile = std::max(8, opt.tile_px);
    const int tiles_x = (w + tile - 1) / tile, tiles_y = (h + tile - 1) / tile;
    std::vector<std::vector<int>> tile_sectors(static_cast<size_t>(tiles_x) * tiles_y);
    for (size_t i = 0; i < sectors.size(); ++i) {
        const Sector& s = sectors[i];
        const int c0 = static_cast<int>(std::floor(gt.colOf(s.xy.x_m - opt.radius_m))) / tile;
        const int c1 = static_cast<int>(std::ceil(gt.colOf(s.xy.x_m + opt.radius_m))) / tile;
        const int r0 = static_cast<int>(std::floor(gt.rowOf(s.xy.y_m + opt.radius_m))) / tile;
        const int r1 = static_cast<int>(std::ceil(gt.rowOf(s.xy.y_m - opt.radius_m))) / tile;
        for (int ty = std::max(r0, 0); ty <= std::min(r1, tiles_y - 1); ++ty) {
            for (int tx = std::max(c0, 0); tx <= std::min(c1, tiles_x - 1); ++tx) {
                tile_sectors[static_cast<size_t>(ty) * tiles_x + tx].push_back(static_cast<int>(i));
            }
        }
    }
    int layer_of_tech[4] = {-1, -1, -1, -1};
    for (size_t l = 0; l < result.layers.size(); ++l) layer_of_tech[static_cast<int>(result.layers[l].tech)] = static_cast<int>(l);

    const int threads = opt.threads > 0 ? opt.threads : omp_get_max_threads();
    result.threads_used = threads;
    const long long n_tiles = static_cast<long long>(tiles_x) * tiles_y;
    std::atomic<long long> tiles_done{0};
    uint32_t warnings = 0;
    const double r2 = opt.radius_m * opt.radius_m;

#pragma omp parallel num_threads(threads) reduction(| : warnings)
    {
        Profile profile;  // per-thread scratch
#pragma omp for schedule(dynamic, 1)
        for (long long t = 0; t < n_tiles; ++t) {
            const auto& list = tile_sectors[static_cast<size_t>(t)];
            const int tx = static_cast<int>(t % tiles_x), ty = static_cast<int>(t / tiles_x);
            const int col0 = tx * tile, row0 = ty * tile;
            const int col1 = std::min(col0 + tile, w), row1 = std::min(row0 + tile, h);
            for (int si : list) {
                const Sector& s = sectors[static_cast<size_t>(si)];
                TechnologyCoverage& layer = result.layers[static_cast<size_t>(layer_of_tech[static_cast<int>(s.tech)])];
                for (int r = row0; r < row1; ++r) {
                    const double y = gt.centerY(r);
                    const float* ground = dem.row(r);
                    float* sig = layer.signal_dBm.row(r);
                    int32_t* best = layer.best_server.row(r);
                    for (int c = col0; c < col1; ++c) {
                        if (std::isnan(ground[c])) continue;
                        const double x = gt.centerX(c);
                        const double dx = x - s.xy.x_m, dy = y - s.xy.y_m;
                        if (dx * dx + dy * dy > r2) continue;
                        const float v = static_cast<float>(
                            sectorSignal_dBm(s, dem, opt.model, PointXY{x, y}, opt.rx_height_m, step_m, profile, &warnings));
                        // Strictly greater: on ties the lower table index (visited first) keeps the pixel.
                        if (best[c] < 0 || v > sig[c]) {
                            sig[c] = v;
                            best[c] = si;
                        }
                    }
                }
            }
            const long long done = ++tiles_done;
            if (opt.progress && omp_get_thread_num() == 0) opt.progress(static_cast<double>(done) / n_tiles);
        }
    }
    result.warnings = warnings;

    for (const float v : dem.data()) result.valid_pixels += std::isnan(v) ? 0 : 1;
    result.valid_area_km2 = result.valid_pixels * pixel_km2;
    for (TechnologyCoverage& layer : result.layers) {
        long long covered = 0;
        for (const float v : layer.signal_dBm.data()) covered += (v >= layer.threshold_dBm) ? 1 : 0;
        layer.covered_pixels = covered;
        layer.covered_km2 = covered * pixel_km2;
        layer.covered_fraction = result.valid_pixels > 0 ? static_cast<double>(covered) / result.valid_pixels : 0.0;
    }
    if (opt.progress) opt.progress(1.0);
    return result;
}

}  // namespace phusong::engine
