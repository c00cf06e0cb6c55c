// Province-scale coverage: a synthetic province of about 4,000 km² at 30 m carrying Bắc Giang's
// 2024 network (1,596 towers, 3,775 BTS: 884 2G, 1,242 3G, 1,647 4G, 2 5G; three operators), all
// four technologies composed with best server, second best, overlap and SINR, per operator too.
// Prints one row per thread count: wall time of the coverage computation, sector-pixel
// evaluations per second and the process's peak resident memory.
//   build/bin/bench_province                 # all cores
//   build/bin/bench_province --threads 1,2 --radius-km 5
//
// Terrain: synthesizeTerrain (hills, a river plain, mountains to the north-east), seed 7.
// Towers: seeded uniform positions on the grid; each tower's BTS face 0/120/240 degrees.

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "phusong/core/engine/coverage.hpp"
#include "phusong/core/synth_terrain.hpp"

using namespace phusong;

namespace {
// splitmix64: a seeded, portable generator (no std:: distributions, whose output varies by library).
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
};

double peakRss_MB() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

std::vector<Sector> province(const DemGrid& dem) {
    constexpr int kTowers = 1596;
    const struct {
        Technology tech;
        int count;
        double freq_MHz[3];
        double height_m;
    } kBts[] = {{Technology::G2, 884, {935.0, 940.0, 945.0}, 35.0},
                {Technology::G3, 1242, {2115.0, 2125.0, 2135.0}, 32.0},
                {Technology::G4, 1647, {1815.0, 1835.0, 1855.0}, 30.0},
                {Technology::G5, 2, {3500.0, 3600.0, 3700.0}, 25.0}};
    const char* kOperators[] = {"Viettel", "VNPT", "MobiFone"};
    const GeoTransform& gt = dem.geoTransform();
    Rng rng{2024};
    std::vector<PointXY> towers;
    while (static_cast<int>(towers.size()) < kTowers) {
        const int c = 5 + static_cast<int>(rng.uniform() * (dem.width() - 10));
        const int r = 5 + static_cast<int>(rng.uniform() * (dem.height() - 10));
        if (!std::isnan(dem.at(c, r))) towers.push_back({gt.centerX(c), gt.centerY(r)});
    }
    std::vector<int> on_tower(kTowers, 0);
    std::vector<Sector> sectors;
    for (const auto& b : kBts) {
        for (int i = 0; i < b.count; ++i) {
            // Spread each technology over the towers (every tower first, then again), like an operator's rollout.
            const int t = static_cast<int>((static_cast<long long>(i) * 7919 + static_cast<int>(b.tech) * 104729) % kTowers);
            Sector s;
            s.site_id = "T" + std::to_string(t) + "_" + std::string(toString(b.tech)) + "_" + std::to_string(i);
            s.location = "bench_province";
            s.tower_id = "T" + std::to_string(t);
            s.operator_name = kOperators[i % 3];
            s.xy = towers[static_cast<size_t>(t)];
            s.antenna_height_m = b.height_m;
            s.tech = b.tech;
            s.freq_MHz = b.freq_MHz[i % 3];  // each operator on its own carrier, reused on all its BTS
            s.eirp_dBm = b.tech == Technology::G2 ? 58.0 : 61.0;
            s.bandwidth_MHz = defaultBandwidth_MHz(b.tech);
            s.reference_offset_dB = *referenceSignalOffset_dB(b.tech, s.bandwidth_MHz);
            s.pattern.azimuth_deg = 120.0 * (on_tower[static_cast<size_t>(t)]++ % 3) + 10.0 * static_cast<int>(b.tech);
            s.pattern.downtilt_deg = 2.0;
            sectors.push_back(s);
        }
    }
    return sectors;
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<int> threads = {0};
    double radius_km = 5.0, size_km = 63.25, resolution_m = 30.0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "bench_province: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--threads") {
            threads.clear();
            const std::string v = value();
            for (size_t p = 0; p < v.size();) {
                const size_t q = v.find(',', p);
                threads.push_back(std::atoi(v.substr(p, q - p).c_str()));
                p = q == std::string::npos ? v.size() : q + 1;
            }
        } else if (a == "--radius-km") radius_km = std::atof(value().c_str());
        else if (a == "--size-km") size_km = std::atof(value().c_str());
        else if (a == "--resolution-m") resolution_m = std::atof(value().c_str());
        else {
            std::fprintf(stderr, "usage: bench_province [--threads 1,2] [--radius-km 5] [--size-km 63.25] [--resolution-m 30]\n");
            return 2;
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    SynthTerrainOptions to;
    to.size_km = size_km;
    to.resolution_m = resolution_m;
    const DemGrid dem = synthesizeTerrain(to);
    const std::vector<Sector> sectors = province(dem);
    const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("province: %.0f km² (%dx%d px at %.0f m), %zu sectors on 1596 towers, radius %.1f km, model p526-bullington\n",
                dem.width() * dem.height() * resolution_m * resolution_m / 1e6, dem.width(), dem.height(), resolution_m,
                sectors.size(), radius_km);
    std::printf("terrain + sites: %.2f s, peak memory so far %.0f MB\n\n", setup_s, peakRss_MB());
    std::printf("| threads | coverage s | sector-pixels/s | peak RSS MB | 2G cov %% | 3G cov %% | 4G cov %% | 5G cov %% |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (int th : threads) {
        engine::CoverageOptions opt;
        opt.model.kind = models::ModelKind::P526Bullington;
        opt.radius_m = radius_km * 1000.0;
        opt.threads = th;
        opt.on_layer = [](const engine::TechnologyCoverage&) {};  // stream layers as the CLI does; hold none
        const auto a = std::chrono::steady_clock::now();
        const engine::CoverageResult r = engine::computeCoverage(dem, sectors, opt);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
        const double disc_px = M_PI * std::pow(opt.radius_m / resolution_m, 2);
        double cov[4] = {0, 0, 0, 0};
        for (const auto& l : r.layers) {
            if (l.operator_name.empty()) cov[static_cast<int>(l.tech)] = 100.0 * l.covered_fraction;
        }
        std::printf("| %d | %.1f | %.1f M | %.0f | %.1f | %.1f | %.1f | %.1f |\n", r.threads_used, s,
                    sectors.size() * disc_px / s / 1e6, peakRss_MB(), cov[0], cov[1], cov[2], cov[3]);
        std::fflush(stdout);
    }
    return 0;
}
