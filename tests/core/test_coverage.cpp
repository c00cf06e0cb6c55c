#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include "phusong/core/engine/coverage.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/profile.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/core/synth_terrain.hpp"
#include "../engine_agreement.hpp"

using namespace phusong;
using namespace phusong::engine;

namespace {
Sector makeSector(double x, double y, Technology t, double freq, std::optional<double> az = std::nullopt) {
    Sector s;
    s.site_id = "S";
    s.location = "test line 1";
    s.xy = {x, y};
    s.antenna_height_m = 30.0;
    s.tech = t;
    s.freq_MHz = freq;
    s.eirp_dBm = 60.0;
    s.pattern.azimuth_deg = az;
    s.pattern.v_beamwidth_deg = 180.0;  // nearly flat vertical pattern for these tests
    s.bandwidth_MHz = defaultBandwidth_MHz(t);
    s.reference_offset_dB = *referenceSignalOffset_dB(t, s.bandwidth_MHz);
    return s;
}

// Seeded synthetic hills at 60 m, @p size_km on a side.
DemGrid hills(double size_km) {
    SynthTerrainOptions to;
    to.size_km = size_km;
    to.resolution_m = 60.0;
    return synthesizeTerrain(to);
}

// One sector's sweeps with one model and radius over grids like @p dem: options, plans, scratch.
struct OneSweep {
    SweepOptions so;
    RadialPlans plans;
    std::unique_ptr<SweepScratch, void (*)(SweepScratch*)> scratch = makeSweepScratch();
    OneSweep(const DemGrid& dem, models::ModelKind kind, double radius_m)
        : plans(windowRadius_px(dem, radius_m), dem.geoTransform().pixel_width_m, dem.geoTransform().pixel_height_m) {
        so.model.kind = kind;
        so.radius_m = radius_m;
    }
    void run(const DemGrid& grid, const Sector& s, SectorWindow& out) { sweepSector(grid, s, so, plans, out, *scratch, nullptr); }
};
}  // namespace

TEST(Coverage, SignalFallsWithDistanceOverFlatGround) {
    DemGrid flat(200, 11, GeoTransform{0.0, 1100.0, 100.0, 100.0}, 5.0f);
    std::vector<Sector> s{makeSector(50.0, 550.0, Technology::G4, 1800.0)};
    for (auto kind : {models::ModelKind::P526Deygout, models::ModelKind::P526Bullington, models::ModelKind::FreeSpace}) {
        CoverageOptions opt;
        opt.model.kind = kind;
        opt.radius_m = 25000.0;
        const CoverageResult r = computeCoverage(flat, s, opt);
        ASSERT_EQ(r.layers.size(), 1u);
        const auto& sig = r.layers[0].signal_dBm;
        for (int c = 2; c < 200; ++c) {
            ASSERT_LT(sig.at(c, 5), sig.at(c - 1, 5)) << "column " << c << " model " << models::toString(kind);
            ASSERT_EQ(r.layers[0].best_server.at(c, 5), 0);
        }
    }
}

TEST(Coverage, FlatGroundMatchesFreeSpaceBudgetByHand) {
    DemGrid flat(50, 1, GeoTransform{0.0, 100.0, 100.0, 100.0}, 0.0f);
    std::vector<Sector> s{makeSector(50.0, 50.0, Technology::G2, 900.0)};
    CoverageOptions opt;
    opt.model.kind = models::ModelKind::FreeSpace;
    const CoverageResult r = computeCoverage(flat, s, opt);
    // Pixel 10 is 1000 m away; slant distance with 30 m vs 1.5 m heights.
    const double slant_km = std::hypot(1.0, 0.0285);
    const double fspl = 32.45 + 20 * std::log10(900.0) + 20 * std::log10(slant_km);
    const double elev = std::atan2(1.5 - 30.0, 1000.0) * 180.0 / M_PI;
    const double att = 12.0 * (elev / 180.0) * (elev / 180.0);
    EXPECT_NEAR(r.layers[0].signal_dBm.at(10, 0), 60.0 - fspl - att, 1e-3);
}

TEST(Coverage, BestServerAndRadius) {
    DemGrid flat(100, 1, GeoTransform{0.0, 100.0, 100.0, 100.0}, 0.0f);
    std::vector<Sector> s{makeSector(1050.0, 50.0, Technology::G4, 1800.0), makeSector(8150.0, 50.0, Technology::G4, 1800.0),
                          makeSector(5050.0, 50.0, Technology::G2, 900.0)};
    CoverageOptions opt;
    opt.radius_m = 3000.0;
    const CoverageResult r = computeCoverage(flat, s, opt);
    ASSERT_EQ(r.layers.size(), 2u);
    EXPECT_EQ(r.layers[0].tech, Technology::G2);
    const auto& b4 = r.layers[1].best_server;
    EXPECT_EQ(b4.at(10, 0), 0);
    EXPECT_EQ(b4.at(80, 0), 1);
    EXPECT_EQ(b4.at(50, 0), -1);  // 4 and 3.1 km from the 4G sites, beyond the 3 km radius
    EXPECT_TRUE(std::isnan(r.layers[1].signal_dBm.at(50, 0)));
    EXPECT_EQ(r.layers[0].best_server.at(50, 0), 2);
}

// SINR, overlap and throughput at each pixel from the sectors' signals, by the formulas: the best
// server's total power over the other sectors on its carrier plus thermal noise over its channel
// (-174 dBm/Hz + 10 log10 B + NF), and TR 36.942 Annex A.2's attenuated Shannon bound,
// 0.6 log2(1 + SINR) bit/s/Hz, 0 below -10 dB, capped at 4.4 (4G). Two sectors share 1800 MHz, a
// third is on 1820 MHz and only counts for the overlap.
// The merge's power units in SIMD lanes (engine::detail::powerUnitsRow) against the scalar
// definition, bit for bit, over signals from -200 to +60 dBm every 0.001 dB: across the 2^32 split
// (-53.7 dBm), the 2^52 limit of exact fractions (+6.5 dBm) and the 2^62 cap (+36.6 dBm), with NaN
// (no signal: 0 units) between, and a row length that leaves a remainder after the SIMD lanes. The
// scalar form is checked against 10^((dBm + 150) / 10) itself.
TEST(Coverage, PowerUnitsInSimdLanesAreTheScalarUnits) {
    using engine::detail::powerUnits;
    EXPECT_EQ(powerUnits(-150.0), 1);
    EXPECT_EQ(powerUnits(-120.0), 1000);
    EXPECT_EQ(powerUnits(-90.0), 1000000);
    EXPECT_EQ(powerUnits(-60.0), 1000000000);
    EXPECT_EQ(powerUnits(-153.0104), 0) << "0.49999 of a unit rounds down";
    EXPECT_EQ(powerUnits(-148.2390), 2) << "1.50003 units round up";
    EXPECT_EQ(powerUnits(40.0), int64_t{1} << 62) << "capped";
    for (const double d : {-100.0, -53.0, 0.0, 6.0, 30.0}) {
        EXPECT_NEAR(static_cast<double>(powerUnits(d)), std::pow(10.0, (d + 150.0) / 10.0), std::pow(10.0, (d + 150.0) / 10.0) * 1e-13 + 0.5);
    }
    std::vector<float> sig;
    for (int i = 0; i <= 260000; ++i) sig.push_back(static_cast<float>(-200.0 + 0.001 * i));
    for (size_t i = 0; i < sig.size(); i += 97) sig[i] = std::numeric_limits<float>::quiet_NaN();
    sig.resize(sig.size() - 3);  // not a multiple of any lane count
    for (const double offset_dB : {0.0, 7.78, -3.3}) {
        std::vector<int64_t> units(sig.size(), -1);
        engine::detail::powerUnitsRow(sig.data(), static_cast<int>(sig.size()), offset_dB, units.data());
        size_t bad = 0;
        for (size_t i = 0; i < sig.size(); ++i) {
            const int64_t want = std::isnan(sig[i]) ? 0 : powerUnits(static_cast<double>(sig[i]) + offset_dB);
            if (units[i] != want && bad++ < 5) ADD_FAILURE() << sig[i] << " dBm + " << offset_dB << ": " << units[i] << " != " << want;
        }
        EXPECT_EQ(bad, 0u) << "offset " << offset_dB;
    }
}

TEST(Coverage, SinrOverlapAndThroughputFollowTheirFormulas) {
    DemGrid flat(120, 1, GeoTransform{0.0, 100.0, 100.0, 100.0}, 0.0f);
    const std::vector<Sector> s{makeSector(1050.0, 50.0, Technology::G4, 1800.0), makeSector(9050.0, 50.0, Technology::G4, 1800.0),
                                makeSector(5050.0, 50.0, Technology::G4, 1820.0)};
    CoverageOptions opt;
    opt.model.kind = models::ModelKind::FreeSpace;
    opt.radius_m = 12000.0;
    const CoverageResult r = computeCoverage(flat, s, opt);
    ASSERT_EQ(r.layers.size(), 1u);
    const TechnologyCoverage& L = r.layers[0];
    std::vector<TechnologyCoverage> alone;
    for (const Sector& one : s) alone.push_back(computeCoverage(flat, {one}, opt).layers[0]);
    const double noise_mW = std::pow(10.0, (-174.0 + 10.0 * std::log10(20e6) + opt.noise_figure_dB) / 10.0);
    int checked = 0, low_sinr = 0, capped = 0;
    for (int c = 0; c < flat.width(); ++c) {
        double sig[3];
        for (int k = 0; k < 3; ++k) sig[k] = alone[static_cast<size_t>(k)].signal_dBm.at(c, 0);
        const int best = static_cast<int>(std::max_element(sig, sig + 3) - sig);
        ASSERT_EQ(L.best_server.at(c, 0), best) << "column " << c;
        ASSERT_FLOAT_EQ(L.signal_dBm.at(c, 0), static_cast<float>(sig[best]));
        const double total_dBm = sig[best] + s[static_cast<size_t>(best)].reference_offset_dB;
        double interference_mW = 0.0;
        for (int k = 0; k < 3; ++k) {
            if (k != best && s[static_cast<size_t>(k)].freq_MHz == s[static_cast<size_t>(best)].freq_MHz) {
                interference_mW += std::pow(10.0, (sig[k] + s[static_cast<size_t>(k)].reference_offset_dB) / 10.0);
            }
        }
        const double sinr_dB = total_dBm - 10.0 * std::log10(interference_mW + noise_mW);
        // Interference is summed in whole units of 1e-15 mW (order-independent): far below 1e-3 dB here.
        ASSERT_NEAR(L.sinr_dB.at(c, 0), sinr_dB, 1e-3) << "column " << c;
        const double eff = sinr_dB < -10.0 ? 0.0 : std::min(0.6 * std::log2(1.0 + std::pow(10.0, sinr_dB / 10.0)), 4.4);
        ASSERT_NEAR(L.throughput_Mbps.at(c, 0), eff * 20.0, 1e-3) << "column " << c;
        ASSERT_NEAR(throughput_Mbps(Technology::G4, sinr_dB, 20.0), eff * 20.0, 1e-9);
        if (sig[best] >= L.threshold_dBm) {
            int within = 0;
            for (double v : sig) within += v >= std::max(sig[best] - opt.overlap_margin_dB, L.threshold_dBm) - 1e-4 ? 1 : 0;
            ASSERT_EQ(L.overlap.at(c, 0), within) << "column " << c;
        }
        ++checked;
        low_sinr += sinr_dB < -10.0;
        capped += eff == 4.4;
    }
    EXPECT_EQ(checked, 120);
    EXPECT_GT(low_sinr + capped, 0);  // both ends of the bound are reached somewhere, or the cap at least
    EXPECT_DOUBLE_EQ(throughput_Mbps(Technology::G5, 60.0, 100.0), 740.0);  // 7.4 bit/s/Hz, 5G's cap
    EXPECT_DOUBLE_EQ(throughput_Mbps(Technology::G4, -10.5, 20.0), 0.0);
    // Outside fast::exp's domain (the SINR is clamped to +-300 dB) and NaN.
    EXPECT_DOUBLE_EQ(throughput_Mbps(Technology::G4, 5000.0, 20.0), 88.0);
    EXPECT_DOUBLE_EQ(throughput_Mbps(Technology::G4, -5000.0, 20.0), 0.0);
    EXPECT_DOUBLE_EQ(throughput_Mbps(Technology::G4, std::numeric_limits<double>::quiet_NaN(), 20.0), 0.0);
}

TEST(Coverage, TiesKeepTheLowerIndex) {
    DemGrid flat(21, 1, GeoTransform{0.0, 100.0, 100.0, 100.0}, 0.0f);
    std::vector<Sector> s{makeSector(550.0, 50.0, Technology::G4, 1800.0), makeSector(1550.0, 50.0, Technology::G4, 1800.0)};
    const CoverageResult r = computeCoverage(flat, s, CoverageOptions{});
    EXPECT_EQ(r.layers[0].best_server.at(10, 0), 0);  // pixel 10 is 500 m from both
}

TEST(Coverage, BitIdenticalAtAnyThreadCount) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    std::vector<Sector> s;
    for (int i = 0; i < 6; ++i) {
        s.push_back(makeSector(gt.centerX(20 + 20 * i), gt.centerY(30 + 15 * (i % 3)), i % 2 ? Technology::G3 : Technology::G4,
                               i % 2 ? 2100.0 : 1800.0, 120.0 * i));
    }
    CoverageOptions opt;
    opt.radius_m = 4000.0;
    opt.threads = 1;
    const CoverageResult a = computeCoverage(dem, s, opt);
    opt.threads = 2;
    const CoverageResult b = computeCoverage(dem, s, opt);
    opt.threads = 3;
    const CoverageResult c = computeCoverage(dem, s, opt);
    ASSERT_EQ(a.layers.size(), 2u);
    for (size_t l = 0; l < a.layers.size(); ++l) {
        EXPECT_EQ(0, std::memcmp(a.layers[l].signal_dBm.data().data(), b.layers[l].signal_dBm.data().data(),
                                 a.layers[l].signal_dBm.size() * sizeof(float)));
        EXPECT_EQ(0, std::memcmp(a.layers[l].signal_dBm.data().data(), c.layers[l].signal_dBm.data().data(),
                                 a.layers[l].signal_dBm.size() * sizeof(float)));
        EXPECT_EQ(a.layers[l].best_server.data(), b.layers[l].best_server.data());
        EXPECT_EQ(a.layers[l].covered_pixels, c.layers[l].covered_pixels);
        EXPECT_EQ(0, std::memcmp(a.layers[l].sinr_dB.data().data(), c.layers[l].sinr_dB.data().data(),
                                 a.layers[l].sinr_dB.size() * sizeof(float)));
        EXPECT_EQ(0, std::memcmp(a.layers[l].second_dBm.data().data(), b.layers[l].second_dBm.data().data(),
                                 a.layers[l].second_dBm.size() * sizeof(float)));
        EXPECT_EQ(a.layers[l].overlap.data(), c.layers[l].overlap.data());
    }
}

// Layers streamed through on_layer (as the CLI writes them) reuse the previous layer's raster
// buffers: each must equal the layer computed and kept, pixel for pixel, including where a later
// layer (an operator's view, a technology with fewer sectors) reaches less than an earlier one.
TEST(Coverage, StreamedLayersEqualKeptLayers) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    std::vector<Sector> s;
    const char* ops[] = {"A", "B", "C"};
    for (int i = 0; i < 7; ++i) {
        const Technology t = i < 4 ? Technology::G4 : i < 6 ? Technology::G2 : Technology::G5;
        s.push_back(makeSector(gt.centerX(15 + 18 * i), gt.centerY(25 + 20 * (i % 3)), t, t == Technology::G2 ? 900.0 : 1800.0 + 20 * (i % 2),
                               90.0 * i));
        s.back().operator_name = ops[i % 3];
    }
    CoverageOptions opt;
    opt.radius_m = 2500.0;
    opt.threads = 2;
    opt.per_operator = true;
    const CoverageResult kept = computeCoverage(dem, s, opt);
    std::vector<TechnologyCoverage> streamed;
    opt.on_layer = [&](const TechnologyCoverage& l) { streamed.push_back(l); };
    const CoverageResult r = computeCoverage(dem, s, opt);
    ASSERT_EQ(streamed.size(), kept.layers.size());
    ASSERT_GE(kept.layers.size(), 6u);  // 2G, 4G and 5G, and the operators' views
    EXPECT_TRUE(r.layers[0].signal_dBm.data().empty());
    // Float rasters bit for bit (NaN where no sector reaches); 2G and 3G have no throughput.
    auto sameBits = [](const Grid<float>& x, const Grid<float>& y) {
        return x.size() == y.size() && (x.size() == 0 || std::memcmp(x.data().data(), y.data().data(), x.size() * sizeof(float)) == 0);
    };
    for (size_t l = 0; l < kept.layers.size(); ++l) {
        const TechnologyCoverage &a = kept.layers[l], &b = streamed[l];
        EXPECT_EQ(a.operator_name, b.operator_name);
        EXPECT_TRUE(sameBits(a.signal_dBm, b.signal_dBm)) << l;
        EXPECT_TRUE(sameBits(a.second_dBm, b.second_dBm)) << l;
        EXPECT_TRUE(sameBits(a.sinr_dB, b.sinr_dB)) << l;
        EXPECT_TRUE(sameBits(a.throughput_Mbps, b.throughput_Mbps)) << l;
        EXPECT_EQ(a.throughput_Mbps.size() > 0, a.tech == Technology::G4 || a.tech == Technology::G5) << l;
        EXPECT_EQ(a.best_server.data(), b.best_server.data()) << l;
        EXPECT_EQ(a.overlap.data(), b.overlap.data()) << l;
        EXPECT_EQ(a.overlap.nodata(), b.overlap.nodata());
        EXPECT_EQ(a.covered_pixels, b.covered_pixels);
    }
}

// One sector alone: its rays are split over the threads (blocks of rays), and the result is the
// same at any thread count, for models that keep the hull (Bullington), ITM's running sums and
// delta_h reuse, and a model that takes the whole profile per pixel (Deygout).
TEST(Coverage, OneSectorSplitOverThreadsIsBitIdentical) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    const std::vector<Sector> s = {makeSector(gt.centerX(66), gt.centerY(66), Technology::G4, 1800.0)};
    for (const auto kind : {models::ModelKind::P526Bullington, models::ModelKind::Itm, models::ModelKind::P526Deygout}) {
        CoverageOptions opt;
        opt.radius_m = 4000.0;
        opt.model.kind = kind;
        std::vector<CoverageResult> r;
        for (int t : {1, 2, 3, 4}) {
            opt.threads = t;
            r.push_back(computeCoverage(dem, s, opt));
        }
        const Grid<float>& a = r[0].layers.at(0).signal_dBm;
        long long valid = 0;
        for (float v : a.data()) valid += !std::isnan(v);
        EXPECT_GT(valid, 10000) << models::toString(kind);
        for (size_t i = 1; i < r.size(); ++i) {
            EXPECT_EQ(0, std::memcmp(a.data().data(), r[i].layers.at(0).signal_dBm.data().data(), a.size() * sizeof(float)))
                << models::toString(kind) << " at " << i + 1 << " threads";
            EXPECT_EQ(r[0].warnings, r[i].warnings) << models::toString(kind);
        }
    }
}

// Co-sited sectors on other carriers and technologies share one walk (SharedWalk): Bullington's v
// at the class's lowest carrier, scaled by sqrt(f / f_ref). Each sector's signal must match the
// same sector computed alone (its own walk at its own wavelength) to float rounding, and the
// rasters must not depend on whether the walk was kept (walk_cache_MB = 0 walks again per carrier)
// or on the thread count. A wrong scaling (v proportional to f, say) moves the 2100 MHz signal by
// decibels where the path is diffracted.
TEST(Coverage, CoSitedCarriersShareOneWalk) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    const double x = gt.centerX(66), y = gt.centerY(66);
    const std::vector<Sector> all = {makeSector(x, y, Technology::G2, 900.0), makeSector(x, y, Technology::G3, 2100.0),
                                     makeSector(x, y, Technology::G4, 1800.0), makeSector(x, y, Technology::G5, 2600.0),
                                     makeSector(gt.centerX(30), gt.centerY(40), Technology::G4, 1800.0)};
    std::vector<double> ref;
    models::ModelParams mp;
    mp.kind = models::ModelKind::P526Bullington;
    const std::vector<int> cls = walkShareClasses(all, mp, ref);
    ASSERT_EQ(cls, (std::vector<int>{0, 0, 0, 0, 1}));
    ASSERT_EQ(ref, (std::vector<double>{900.0, 0.0}));  // the lone sector has nothing to share
    mp.kind = models::ModelKind::Itm;
    EXPECT_EQ(walkShareClasses(all, mp, ref), std::vector<int>(all.size(), -1));

    for (const auto kind : {models::ModelKind::P526Bullington, models::ModelKind::FreeSpace}) {
        CoverageOptions opt;
        opt.radius_m = 4000.0;
        opt.model.kind = kind;
        opt.per_operator = false;
        std::vector<CoverageResult> runs;
        for (const auto& [threads, cache_MB] : {std::pair{1, 1024.0}, std::pair{2, 1024.0}, std::pair{1, 0.0}}) {
            opt.threads = threads;
            opt.walk_cache_MB = cache_MB;
            runs.push_back(computeCoverage(dem, all, opt));
        }
        for (size_t r = 1; r < runs.size(); ++r) {
            ASSERT_EQ(runs[0].layers.size(), runs[r].layers.size());
            for (size_t l = 0; l < runs[0].layers.size(); ++l) {
                const Grid<float>& a = runs[0].layers[l].signal_dBm;
                EXPECT_EQ(0, std::memcmp(a.data().data(), runs[r].layers[l].signal_dBm.data().data(), a.size() * sizeof(float)))
                    << models::toString(kind) << " layer " << l << " run " << r;
            }
            EXPECT_EQ(runs[0].evaluations, runs[r].evaluations);
        }
        // Each co-sited sector alone: its own walk at its own carrier.
        for (size_t i = 0; i < 4; ++i) {
            opt.threads = 1;
            const CoverageResult alone = computeCoverage(dem, {all[i]}, opt);
            const auto shared = std::find_if(runs[0].layers.begin(), runs[0].layers.end(), [&](const TechnologyCoverage& l) { return l.tech == all[i].tech; });
            ASSERT_NE(shared, runs[0].layers.end());
            const Grid<float>& a = alone.layers.at(0).signal_dBm;
            double worst = 0.0;
            long long compared = 0;
            for (int r = 0; r < a.height(); ++r) {
                for (int c = 0; c < a.width(); ++c) {
                    // The 4G layer also holds the other site: compare where this sector serves.
                    if (shared->best_server.at(c, r) != static_cast<int32_t>(i) || std::isnan(a.at(c, r))) continue;
                    ++compared;
                    worst = std::max(worst, std::abs(static_cast<double>(a.at(c, r)) - shared->signal_dBm.at(c, r)));
                }
            }
            EXPECT_GT(compared, 1000) << i;
            EXPECT_LT(worst, 1e-4) << models::toString(kind) << " sector " << i << " (" << all[i].freq_MHz << " MHz)";
        }
    }
}

// Carriers of one technology at one tower (two LTE layers) are sweeps of one technology that may
// run at once on two threads: the second waits for the first's walk, so each class walks once and
// the counts, like the rasters, do not depend on the thread count.
TEST(Coverage, CarriersOfOneTechnologyWalkOnceAtAnyThreadCount) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    std::vector<Sector> s;
    for (const auto& [c, r] : {std::pair{66, 66}, std::pair{30, 40}, std::pair{100, 90}}) {
        s.push_back(makeSector(gt.centerX(c), gt.centerY(r), Technology::G4, 1800.0));
        s.push_back(makeSector(gt.centerX(c), gt.centerY(r), Technology::G4, 2600.0));
    }
    CoverageOptions opt;
    opt.radius_m = 3000.0;
    opt.model.kind = models::ModelKind::P526Bullington;
    opt.per_operator = false;
    std::vector<CoverageResult> runs;
    for (int t : {1, 2, 3}) {
        opt.threads = t;
        runs.push_back(computeCoverage(dem, s, opt));
        EXPECT_EQ(runs.back().walks, 3) << t << " threads";
        EXPECT_EQ(runs.back().walks_reused, 3) << t << " threads";
    }
    for (size_t r = 1; r < runs.size(); ++r) {
        const Grid<float>& a = runs[0].layers.at(0).signal_dBm;
        EXPECT_EQ(0, std::memcmp(a.data().data(), runs[r].layers.at(0).signal_dBm.data().data(), a.size() * sizeof(float))) << r;
    }
}

// A WalkStore carries a run's walks to a later run over the same grid (as `run` hands its network's
// walks to the coverage of the plan's towers): a sector at a kept site and height walks no ray and
// matches its own walk to float rounding; a carrier below the kept one, another antenna height or
// a DEM with one height changed walks again.
TEST(Coverage, WalkStoreCarriesWalksToALaterRun) {
    DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    const double x = gt.centerX(66), y = gt.centerY(66);
    const std::vector<Sector> network = {makeSector(x, y, Technology::G2, 900.0), makeSector(x, y, Technology::G4, 1800.0)};
    CoverageOptions opt;
    opt.radius_m = 4000.0;
    opt.model.kind = models::ModelKind::P526Bullington;
    opt.per_operator = false;
    opt.threads = 2;
    opt.walk_store = std::make_shared<WalkStore>(1024.0);
    const CoverageResult first = computeCoverage(dem, network, opt);
    EXPECT_EQ(first.walks, 1);
    EXPECT_EQ(first.walks_reused, 1);
    EXPECT_EQ(opt.walk_store->size(), 1u);

    // The plan's sector: 2100 MHz at the kept site and height, alone in its run.
    const std::vector<Sector> planned = {makeSector(x, y, Technology::G4, 2100.0)};
    const CoverageResult later = computeCoverage(dem, planned, opt);
    EXPECT_EQ(later.walks, 0);
    EXPECT_EQ(later.walks_reused, 1);
    CoverageOptions alone_opt = opt;
    alone_opt.walk_store = nullptr;
    const CoverageResult alone = computeCoverage(dem, planned, alone_opt);
    EXPECT_EQ(alone.walks, 1);
    const Grid<float>& a = alone.layers.at(0).signal_dBm;
    const Grid<float>& b = later.layers.at(0).signal_dBm;
    double worst = 0.0;
    long long compared = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(std::isnan(a.data()[i]), std::isnan(b.data()[i])) << i;
        if (std::isnan(a.data()[i])) continue;
        ++compared;
        worst = std::max(worst, std::abs(static_cast<double>(a.data()[i]) - b.data()[i]));
    }
    EXPECT_GT(compared, 10000);
    EXPECT_LT(worst, 1e-4);
    EXPECT_EQ(later.evaluations, alone.evaluations);

    // Below the kept carrier, at another height, or over other terrain: walked again.
    EXPECT_EQ(computeCoverage(dem, {makeSector(x, y, Technology::G2, 800.0)}, opt).walks, 1);
    Sector higher = planned[0];
    higher.antenna_height_m = 40.0;
    EXPECT_EQ(computeCoverage(dem, {higher}, opt).walks, 1);
    dem.at(10, 10) += 1.0f;
    EXPECT_EQ(computeCoverage(dem, planned, opt).walks, 1);
}

// A run of one sector reports progress as its blocks of rays finish (not only at the end), rising
// to 1.
TEST(Coverage, OneSectorReportsProgressWithinItsSweep) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    const std::vector<Sector> s = {makeSector(gt.centerX(66), gt.centerY(66), Technology::G4, 1800.0)};
    for (int t : {1, 2}) {
        CoverageOptions opt;
        opt.radius_m = 4000.0;
        opt.threads = t;
        std::vector<double> seen;
        opt.progress = [&seen](double f) { seen.push_back(f); };
        computeCoverage(dem, s, opt);
        ASSERT_FALSE(seen.empty());
        if (t == 1) {  // 2144 rays, 9 blocks, each reported (on 2 threads, those thread 0 finishes)
            ASSERT_GE(seen.size(), 9u);
            EXPECT_GT(seen.front(), 0.0);
            EXPECT_LT(seen.front(), 0.2);
        }
        EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end())) << t << " threads";
        EXPECT_EQ(seen.back(), 1.0);
    }
}

// The antenna pass (a branch-free loop for parametric patterns) gives exactly what the pattern's
// own attenuation_dB() gives, for every direction including the wrap at +-180 degrees, azimuths
// beyond one turn or negative, omni antennas, MSI patterns and mechanical tilt (which turns the
// antenna pixel by pixel); NaN losses stay NaN.
TEST(Coverage, AntennaPassMatchesThePattern) {
    SectorWindow win;
    win.width = 7;
    win.height = 1;
    const std::vector<float> bearings{-180.0f, -179.5f, -0.25f, 0.0f, 90.0f, 179.99f, 180.0f};
    const std::vector<float> elevations{-30.0f, -5.0f, -1.0f, 0.0f, 2.0f, 10.0f, 45.0f};
    for (size_t b = 0; b < bearings.size(); ++b) {
        for (size_t e = 0; e < elevations.size(); ++e) {
            win.bearing_deg.push_back(bearings[b]);
            win.elevation_deg.push_back(elevations[e]);
            win.loss_dB.push_back((b + e) % 5 == 0 ? std::numeric_limits<float>::quiet_NaN() : 100.0f + static_cast<float>(b + e));
        }
    }
    auto msi = std::make_shared<MsiPattern>(parseMsi("NAME t\nHORIZONTAL 2\n0 0\n180 25\nVERTICAL 2\n0 0\n90 20\n", "t.msi"));
    for (std::optional<double> az :
         std::initializer_list<std::optional<double>>{0.0, 90.0, 359.5, 360.0, 400.0, 750.0, -30.0, -400.0, std::nullopt}) {
        for (int variant = 0; variant < 4; ++variant) {
            const bool use_msi = variant % 2 == 1;
            Sector s = makeSector(0.0, 0.0, Technology::G4, 1800.0, az);
            s.pattern.h_beamwidth_deg = 300.0;  // wide: no bearing reaches the 30 dB cap, so a wrong wrap shows
            s.pattern.v_beamwidth_deg = 10.0;
            s.pattern.downtilt_deg = use_msi ? 0.0 : 6.0;
            s.pattern.mechanical_tilt_deg = variant >= 2 ? 5.0 : 0.0;
            if (use_msi) s.pattern.msi = msi;
            applyAntenna(s, win);
            ASSERT_EQ(win.signal_dBm.size(), win.loss_dB.size());
            for (size_t i = 0; i < win.loss_dB.size(); ++i) {
                const float want = static_cast<float>(s.eirp_dBm - s.reference_offset_dB -
                                                      s.pattern.attenuation_dB(win.bearing_deg[i], win.elevation_deg[i]) - win.loss_dB[i]);
                if (std::isnan(win.loss_dB[i])) EXPECT_TRUE(std::isnan(win.signal_dBm[i]));
                else EXPECT_EQ(win.signal_dBm[i], want) << "azimuth " << az.value_or(-1) << " msi " << use_msi << " mechanical "
                                                        << s.pattern.mechanical_tilt_deg << " bearing "
                                                        << win.bearing_deg[i] << " elevation " << win.elevation_deg[i];
            }
        }
    }
}

// Sectors with the same site, antenna height and carrier are swept once and differ only by their
// antennas: each sector's window must be exactly what it gets when computed alone, for both
// engines. The table interleaves two sites and varies height and carrier on one of them.
TEST(Coverage, SectorsOfOneSiteShareThePathLossAndKeepTheirAntennas) {
    const DemGrid dem = hills(6.0);
    const GeoTransform& gt = dem.geoTransform();
    const double ax = gt.centerX(40), ay = gt.centerY(45), bx = gt.centerX(60), by = gt.centerY(50);
    std::vector<Sector> s{makeSector(ax, ay, Technology::G4, 1800.0, 0.0), makeSector(bx, by, Technology::G4, 1800.0, 90.0),
                          makeSector(ax, ay, Technology::G4, 1800.0, 120.0), makeSector(ax, ay, Technology::G4, 1800.0, 240.0),
                          makeSector(ax, ay, Technology::G4, 2600.0, 0.0), makeSector(ax, ay, Technology::G4, 1800.0, 60.0)};
    for (Sector& x : s) x.pattern.v_beamwidth_deg = 10.0, x.pattern.downtilt_deg = 4.0;
    s[5].antenna_height_m = 45.0;
    for (EngineKind engine : {EngineKind::Radial, EngineKind::Reference}) {
        CoverageOptions opt;
        opt.engine = engine;
        opt.radius_m = 1500.0;
        std::map<int, SectorWindow> together;
        opt.on_sector = [&](int i, const SectorWindow& w) { together[i] = w; };
        computeCoverage(dem, s, opt);
        ASSERT_EQ(together.size(), s.size());
        for (size_t i = 0; i < s.size(); ++i) {
            SectorWindow alone;
            opt.on_sector = [&](int, const SectorWindow& w) { alone = w; };
            computeCoverage(dem, {s[i]}, opt);
            const SectorWindow& t = together.at(static_cast<int>(i));
            ASSERT_EQ(t.loss_dB.size(), alone.loss_dB.size()) << "sector " << i;
            ASSERT_EQ(t.signal_dBm.size(), alone.signal_dBm.size()) << "sector " << i;
            EXPECT_EQ(0, std::memcmp(t.loss_dB.data(), alone.loss_dB.data(), t.loss_dB.size() * sizeof(float))) << "sector " << i;
            EXPECT_EQ(0, std::memcmp(t.signal_dBm.data(), alone.signal_dBm.data(), t.signal_dBm.size() * sizeof(float)))
                << "sector " << i;
        }
        // The three sectors of site A share the loss but not the signal; another carrier or
        // height changes the loss.
        const size_t c = static_cast<size_t>(together[0].width) * 45 / 2 + 20;  // a pixel east-south-east of A
        EXPECT_EQ(together[0].loss_dB[c], together[2].loss_dB[c]);
        EXPECT_NE(together[0].signal_dBm[c], together[2].signal_dBm[c]);
        EXPECT_NE(together[0].loss_dB[c], together[4].loss_dB[c]);
        EXPECT_NE(together[0].loss_dB[c], together[5].loss_dB[c]);
    }
}

TEST(Coverage, PerOperatorLayersComposeEachOperatorAlone) {
    const DemGrid dem = hills(8.0);
    const GeoTransform& gt = dem.geoTransform();
    std::vector<Sector> s;
    for (int i = 0; i < 6; ++i) {
        s.push_back(makeSector(gt.centerX(20 + 18 * i), gt.centerY(40 + 20 * (i % 2)), Technology::G4, 1800.0 + 20.0 * (i % 2), 60.0 * i));
        s.back().operator_name = i % 3 == 0 ? "Viettel" : (i % 3 == 1 ? "VNPT" : "MobiFone");
    }
    s.push_back(makeSector(gt.centerX(60), gt.centerY(60), Technology::G3, 2100.0));  // no operator: no per-operator layer
    CoverageOptions opt;
    opt.radius_m = 3000.0;
    const CoverageResult r = computeCoverage(dem, s, opt);
    // Technology order: 3G (all operators only), then 4G: all, MobiFone, VNPT, Viettel (alphabetical).
    ASSERT_EQ(r.layers.size(), 5u);
    EXPECT_EQ(r.layers[0].tech, Technology::G3);
    EXPECT_EQ(r.layers[0].operator_name, "");
    const auto g4 = r.layers.begin() + 1;
    EXPECT_EQ(g4[0].operator_name, "");
    EXPECT_EQ(g4[1].operator_name, "MobiFone");
    EXPECT_EQ(g4[2].operator_name, "VNPT");
    EXPECT_EQ(g4[3].operator_name, "Viettel");
    EXPECT_EQ(g4[1].sectors, (std::vector<int>{2, 5}));
    const auto& all = g4[0];
    long long checked = 0;
    for (int row = 0; row < dem.height(); ++row) {
        for (int col = 0; col < dem.width(); ++col) {
            // The all-operator best is the best of the operators' bests, and the operator whose
            // sector serves there sees the same signal on its own layer.
            float best = -INFINITY;
            for (size_t l = 1; l <= 3; ++l) {
                const float v = g4[static_cast<long>(l)].signal_dBm.at(col, row);
                if (!std::isnan(v)) best = std::max(best, v);
                const int bs = g4[static_cast<long>(l)].best_server.at(col, row);
                if (bs >= 0) EXPECT_EQ(s[static_cast<size_t>(bs)].operator_name, g4[static_cast<long>(l)].operator_name);
            }
            const float a = all.signal_dBm.at(col, row);
            if (std::isnan(a)) continue;
            ++checked;
            EXPECT_EQ(a, best);
            const int bs = all.best_server.at(col, row);
            const size_t l = s[static_cast<size_t>(bs)].operator_name == "MobiFone" ? 1 : (s[static_cast<size_t>(bs)].operator_name == "VNPT" ? 2 : 3);
            EXPECT_EQ(g4[static_cast<long>(l)].best_server.at(col, row), bs);
            // Each operator's SINR counts only its own co-channel sectors: never below the all-operator one.
            EXPECT_GE(g4[static_cast<long>(l)].sinr_dB.at(col, row), all.sinr_dB.at(col, row) - 1e-4f);
        }
    }
    EXPECT_GT(checked, 1000);
    opt.per_operator = false;
    EXPECT_EQ(computeCoverage(dem, s, opt).layers.size(), 2u);
}

TEST(Coverage, ValidationBeforeWork) {
    DemGrid flat(10, 10, GeoTransform{0.0, 1000.0, 100.0, 100.0}, 0.0f);
    std::vector<Sector> outside{makeSector(5000.0, 500.0, Technology::G4, 1800.0)};
    EXPECT_THROW(computeCoverage(flat, outside, CoverageOptions{}), InputError);
    std::vector<Sector> badfreq{makeSector(500.0, 500.0, Technology::G5, 3500.0)};
    CoverageOptions hata;
    hata.model.kind = models::ModelKind::Hata;
    try {
        computeCoverage(flat, badfreq, hata);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("test line 1"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("freq_mhz"), std::string::npos);
    }
}

// ParallelErrors keeps the exception of the lowest iteration that threw, as a serial loop would
// report it, and iterations after a known failure skip their bodies.
TEST(ParallelErrors, KeepsTheLowestIterationsException) {
    for (int threads : {1, 2, 4}) {
        ParallelErrors errors;
        std::vector<int> ran(200, 0);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (long long i = 0; i < 200; ++i) {
            errors.run(i, [&] {
                ran[static_cast<size_t>(i)] = 1;
                if (i % 50 == 37) throw InputError("iteration " + std::to_string(i));
            });
        }
        EXPECT_TRUE(errors.failed());
        try {
            errors.rethrow();
            ADD_FAILURE() << "nothing rethrown on " << threads << " threads";
        } catch (const InputError& e) {
            EXPECT_STREQ(e.what(), "iteration 37") << threads << " threads";
        }
        for (int i = 0; i <= 37; ++i) EXPECT_EQ(ran[static_cast<size_t>(i)], 1) << i;  // all below the failure ran
        if (threads == 1) EXPECT_EQ(std::count(ran.begin(), ran.end(), 1), 38);  // one thread stops at the failure
    }
    ParallelErrors none;
    none.run(0, [] {});
    EXPECT_FALSE(none.failed());
    EXPECT_NO_THROW(none.rethrow());
}

// An exception thrown by a model inside the sweep's parallel regions (ITM outside its domain: a
// plateau at 5,200 m with N0 = 250 gives N_s = 144 N-units, below ITM's 150) leaves
// computeCoverage as that exception, at any thread count, one sector alone (rays split over the
// threads) or several (sectors over the threads). Escaping an OpenMP region would abort instead.
TEST(Coverage, ModelErrorsInsideTheSweepLeaveAsExceptions) {
    const DemGrid plateau(40, 40, GeoTransform{0.0, 2400.0, 60.0, 60.0}, 5200.0f);
    const GeoTransform& gt = plateau.geoTransform();
    CoverageOptions opt;
    opt.radius_m = 1500.0;
    opt.model.kind = models::ModelKind::Itm;
    opt.model.itm.N0 = 250.0;
    std::vector<Sector> one{makeSector(gt.centerX(20), gt.centerY(20), Technology::G4, 1800.0)};
    std::vector<Sector> three;
    for (int i = 0; i < 3; ++i) three.push_back(makeSector(gt.centerX(10 + 10 * i), gt.centerY(20), Technology::G4, 1800.0));
    for (const std::vector<Sector>* sectors : {&one, &three}) {
        for (int threads : {1, 2}) {
            opt.threads = threads;
            try {
                computeCoverage(plateau, *sectors, opt);
                ADD_FAILURE() << "no exception, " << sectors->size() << " sectors on " << threads << " threads";
            } catch (const InputError& e) {
                EXPECT_NE(std::string(e.what()).find("surface refractivity"), std::string::npos) << e.what();
            }
        }
    }
    // The same DEM at 500 m is within the model's domain.
    const DemGrid low(40, 40, GeoTransform{0.0, 2400.0, 60.0, 60.0}, 500.0f);
    opt.threads = 2;
    EXPECT_GT(computeCoverage(low, three, opt).layers.at(0).covered_pixels, 0);
}

// A radius beyond the DEM is cut to the DEM's diagonal in pixels: the windows and the ray plan
// stay the DEM's size (a 10^9 m radius over 67 x 67 pixels threw std::bad_alloc), and the result
// equals that of any radius whose window is cut the same way.
TEST(Coverage, RadiusBeyondTheDemIsCutToIt) {
    const DemGrid dem = hills(4.0);  // 67 x 67 pixels of 60 m
    ASSERT_EQ(dem.width(), 67);
    ASSERT_EQ(dem.height(), 67);
    EXPECT_EQ(windowRadius_px(dem, 600.0), 10);
    EXPECT_EQ(windowRadius_px(dem, 5640.0), 94);
    EXPECT_EQ(windowRadius_px(dem, 5700.0), 95);  // the diagonal: 67 sqrt(2) = 94.75 pixels
    EXPECT_EQ(windowRadius_px(dem, 7000.0), 95);
    EXPECT_EQ(windowRadius_px(dem, 1e12), 95);
    EXPECT_EQ(windowRadius_px(dem, std::numeric_limits<double>::infinity()), 95);
    const GeoTransform& gt = dem.geoTransform();
    const std::vector<Sector> s{makeSector(gt.centerX(10), gt.centerY(50), Technology::G4, 1800.0)};
    CoverageOptions opt;
    opt.radius_m = 7000.0;  // more than the DEM's diagonal (5.68 km)
    const CoverageResult a = computeCoverage(dem, s, opt);
    opt.radius_m = 1e12;
    const CoverageResult b = computeCoverage(dem, s, opt);
    ASSERT_EQ(a.layers.size(), 1u);
    ASSERT_EQ(b.layers.size(), 1u);
    EXPECT_EQ(a.layers[0].covered_pixels, b.layers[0].covered_pixels);
    EXPECT_EQ(0, std::memcmp(a.layers[0].signal_dBm.data().data(), b.layers[0].signal_dBm.data().data(),
                             a.layers[0].signal_dBm.size() * sizeof(float)));
}

// Every pixel of the DEM within the radius gets a value, those of its outermost rows and columns
// too: a ray passing just outside the first row or column of samples takes the edge's sample
// there. (Before, rays ended there, and a fifth of the edge pixels near a site stayed NaN.)
TEST(Coverage, PixelsOnTheDemsEdgesAreReached) {
    const DemGrid dem = hills(4.0);  // 67 x 67 pixels of 60 m, every one valid
    const GeoTransform& gt = dem.geoTransform();
    for (const auto kind : {models::ModelKind::P526Bullington, models::ModelKind::Itm, models::ModelKind::FreeSpace}) {
        for (const auto& [c, r] : {std::pair{10, 50}, std::pair{2, 3}, std::pair{64, 33}}) {
            const std::vector<Sector> s{makeSector(gt.centerX(c), gt.centerY(r), Technology::G4, 1800.0)};
            CoverageOptions opt;
            opt.radius_m = 7000.0;  // more than the DEM's diagonal
            opt.model.kind = kind;
            const CoverageResult res = computeCoverage(dem, s, opt);
            int missed = 0;
            for (float v : res.layers.at(0).signal_dBm.data()) missed += std::isnan(v) ? 1 : 0;
            EXPECT_EQ(missed, 0) << models::toString(kind) << ", site at pixel " << c << ", " << r;
        }
    }
}

// Coverage by transmitter on a hand-made layer: best-server pixels, those at or above the
// threshold, the mean signal and SINR there, and the farthest covered pixel from the sector.
TEST(Coverage, ServerStatisticsCountEachServersPixels) {
    const float kNaNf = std::numeric_limits<float>::quiet_NaN();
    const GeoTransform gt{500000.0, 2000000.0, 30.0, 30.0};
    TechnologyCoverage layer;
    layer.threshold_dBm = -100.0;
    layer.sectors = {1, 2, 3};  // row 0 belongs to another technology
    layer.best_server = Grid<int32_t>(5, 1, gt, -1, -1);
    layer.signal_dBm = Grid<float>(5, 1, gt, kNaNf, kNaNf);
    layer.sinr_dB = Grid<float>(5, 1, gt, kNaNf, kNaNf);
    const int32_t best[] = {1, 1, 2, -1, 1};
    const float sig[] = {-80.0f, -120.0f, -90.0f, kNaNf, -100.0f};
    const float sinr[] = {10.0f, -5.0f, 3.0f, kNaNf, 2.0f};
    for (int c = 0; c < 5; ++c) layer.best_server.at(c, 0) = best[c], layer.signal_dBm.at(c, 0) = sig[c], layer.sinr_dB.at(c, 0) = sinr[c];
    std::vector<Sector> sectors(4);
    sectors[1].xy = {gt.centerX(1), gt.centerY(0)};
    sectors[2].xy = {gt.centerX(2), gt.centerY(0)};
    const std::vector<ServerStats> st = serverStatistics(layer, sectors);
    ASSERT_EQ(st.size(), 3u);
    EXPECT_EQ(st[0].sector, 1);
    EXPECT_EQ(st[0].best_pixels, 3);
    EXPECT_EQ(st[0].covered_pixels, 2);  // -100 dBm is at the threshold, -120 below
    EXPECT_DOUBLE_EQ(st[0].mean_signal_dBm, -90.0);
    EXPECT_DOUBLE_EQ(st[0].mean_sinr_dB, 6.0);
    EXPECT_DOUBLE_EQ(st[0].max_covered_distance_m, 90.0);  // pixel 4, three pixels from pixel 1
    EXPECT_EQ(st[1].best_pixels, 1);
    EXPECT_EQ(st[1].covered_pixels, 1);
    EXPECT_DOUBLE_EQ(st[1].mean_signal_dBm, -90.0);
    EXPECT_DOUBLE_EQ(st[1].max_covered_distance_m, 0.0);
    EXPECT_EQ(st[2].best_pixels, 0);
    EXPECT_TRUE(std::isnan(st[2].mean_signal_dBm));
    EXPECT_TRUE(std::isnan(st[2].mean_sinr_dB));
}

// Location probability is the normal distribution of the local signal about the predicted median:
// reference values from Abramowitz & Stegun, Handbook of Mathematical Functions, Table 26.1
// (P(x) = Phi(x)): Phi(1) = 0.8413447461, Phi(2) = 0.9772498681, Phi(1.2815515655) = 0.90,
// Phi(1.6448536270) = 0.95.
TEST(LocationCoverage, ProbabilityAndMarginFollowTheNormalTable) {
    const double T = -105.0;
    for (double sigma : {6.0, 8.0, 10.0}) {
        EXPECT_NEAR(locationProbability_pct(T, T, sigma), 50.0, 1e-12);
        EXPECT_NEAR(locationProbability_pct(T + sigma, T, sigma), 84.13447461, 1e-7);
        EXPECT_NEAR(locationProbability_pct(T - sigma, T, sigma), 15.86552539, 1e-7);
        EXPECT_NEAR(locationProbability_pct(T + 2 * sigma, T, sigma), 97.72498681, 1e-7);
        EXPECT_NEAR(shadowingMargin_dB(sigma, 90.0), 1.2815515655 * sigma, 1e-7);
        EXPECT_NEAR(shadowingMargin_dB(sigma, 95.0), 1.6448536270 * sigma, 1e-7);
        EXPECT_NEAR(shadowingMargin_dB(sigma, 50.0), 0.0, 1e-9);
        // The margin is where the probability meets the target.
        EXPECT_NEAR(locationProbability_pct(T + shadowingMargin_dB(sigma, 95.0), T, sigma), 95.0, 1e-7);
    }
    EXPECT_EQ(locationProbability_pct(std::numeric_limits<double>::quiet_NaN(), T, 8.0), 0.0);  // nothing reaches
    EXPECT_THROW(shadowingMargin_dB(8.0, 100.0), InputError);
    EXPECT_THROW(shadowingMargin_dB(-1.0, 90.0), InputError);
}

// The share of a cell's area covered under shadowing has a closed form when the median signal
// falls as 10 n log10(r): Jakes, Microwave Mobile Communications (1974) §2.3; Rappaport, Wireless
// Communications (2002) eq. (4.80):
//   U = 1/2 [1 - erf(a) + exp((1 - 2ab) / b^2) (1 - erf((1 - ab) / b))],
//   a = (T - S(R)) / (sigma sqrt 2), b = 10 n log10(e) / (sigma sqrt 2).
// The layer's mean probability over a disc of radius R (the DEM valid only there) must match it.
TEST(LocationCoverage, MeanOverACellIsJakesAreaCoverage) {
    const double R_m = 4000.0, px_m = 10.0, T = -100.0;
    const int n_px = static_cast<int>(2 * R_m / px_m) + 1, c0 = n_px / 2;
    const GeoTransform gt{0.0, n_px * px_m, px_m, px_m};
    const float kNaNf = std::numeric_limits<float>::quiet_NaN();
    for (const auto& [n, sigma, edge_pct] : {std::tuple{4.0, 8.0, 75.0}, std::tuple{3.0, 6.0, 50.0}, std::tuple{3.5, 10.0, 90.0}}) {
        const double edge_margin_dB = shadowingMargin_dB(sigma, edge_pct);  // S(R) - T
        DemGrid dem(n_px, n_px, gt, kNaNf, kNaNf);
        TechnologyCoverage layer;
        layer.threshold_dBm = T;
        layer.signal_dBm = Grid<float>(n_px, n_px, gt, kNaNf, kNaNf);
        for (int r = 0; r < n_px; ++r) {
            for (int c = 0; c < n_px; ++c) {
                const double d_m = std::hypot((c - c0) * px_m, (r - c0) * px_m);
                if (d_m > R_m) continue;
                dem.at(c, r) = 0.0f;
                layer.signal_dBm.at(c, r) = static_cast<float>(T + edge_margin_dB - 10.0 * n * std::log10(std::max(d_m, 1.0) / R_m));
            }
        }
        const LocationCoverage lc = locationCoverage(layer, dem, sigma, 90.0);
        const double a = -edge_margin_dB / (sigma * std::sqrt(2.0)), b = 10.0 * n * std::log10(std::exp(1.0)) / (sigma * std::sqrt(2.0));
        const double U = 0.5 * (1.0 - std::erf(a) + std::exp((1.0 - 2.0 * a * b) / (b * b)) * (1.0 - std::erf((1.0 - a * b) / b)));
        EXPECT_NEAR(lc.mean_probability_pct, 100.0 * U, 0.05) << "n " << n << ", sigma " << sigma << ", edge " << edge_pct << " %";
        // At 90 % of locations: the disc where the median clears the threshold by the 90 % margin.
        const double r90_m = R_m * std::pow(10.0, (edge_margin_dB - shadowingMargin_dB(sigma, 90.0)) / (10.0 * n));
        EXPECT_NEAR(static_cast<double>(lc.covered_pixels) / lc.valid_pixels, std::min(1.0, r90_m * r90_m / (R_m * R_m)), 0.005);
        EXPECT_TRUE(std::isnan(lc.probability_pct.at(0, 0))) << "off the disc";
        EXPECT_NEAR(lc.probability_pct.at(c0 + static_cast<int>(R_m / px_m), c0), edge_pct, 1e-4) << "at the edge";
    }
}

// The radial sweep against the per-pixel reference engine on synthetic hills, every terrain
// model; the bar is the issue's: median |difference| <= 0.5 dB, 99th percentile <= 3 dB.
TEST(RadialEngine, AgreesWithReferenceOnSyntheticTerrain) {
    const DemGrid dem = hills(9.0);
    const PointXY site{dem.geoTransform().centerX(75), dem.geoTransform().centerY(75)};
    using models::ModelKind;
    for (ModelKind k : {ModelKind::P526Bullington, ModelKind::P526Deygout, ModelKind::P526DeltaBullington, ModelKind::Itm,
                        ModelKind::P1812, ModelKind::FreeSpace, ModelKind::Hata, ModelKind::Tr38901UMa}) {
        const test::Agreement a = test::compareEngines(dem, site, k, 4000.0, k == ModelKind::Hata ? 900.0 : 1800.0);
        EXPECT_GT(a.pixels, 10000u);
        EXPECT_LE(a.median_dB, 0.5) << models::toString(k);
        EXPECT_LE(a.p99_dB, 3.0) << models::toString(k);
    }
}

// Pixel ownership by its definition: every ray is walked to the border and each pixel goes to the
// ray whose step lands on it closest to its centre, the lower ray index on ties (O(rays x radius);
// the plan finds the same rays in O(1) a pixel). Square and oblong pixels, each ray density.
TEST(RadialPlan, EachPixelGoesToTheClosestRayAndEveryPixelOfTheDiscToOne) {
    for (const auto& [n, pw, ph] : {std::tuple{1, 30.0, 30.0}, std::tuple{7, 30.0, 30.0}, std::tuple{40, 30.0, 30.0},
                                    std::tuple{33, 90.0, 61.7}, std::tuple{25, 20.0, 35.0}}) {
        for (int q : {1, 2, 3, 6, 12}) {
            const RadialPlan plan(n, pw, ph, q);
            const auto& rays = plan.rays();
            const int side = 2 * n + 1;
            std::vector<float> best_err(static_cast<size_t>(side) * side, 2.0f);
            std::vector<int> owner(best_err.size(), -1);
            for (size_t ri = 0; ri < rays.size(); ++ri) {
                for (int k = 1; k <= n; ++k) {
                    int dx = 0, dy = 0;
                    double minor = 0.0;
                    RadialPlan::stepOffset(rays[ri], k, dx, dy, minor);
                    const float err = static_cast<float>(std::abs(minor - (rays[ri].x_major ? dy : dx)));
                    const size_t idx = static_cast<size_t>(dy + n) * side + (dx + n);
                    if (err < best_err[idx]) best_err[idx] = err, owner[idx] = static_cast<int>(ri);
                }
            }
            // Who owns each pixel in the plan, and how often.
            std::vector<int> got(owner.size(), -1), times(owner.size(), 0);
            for (size_t ri = 0; ri < rays.size(); ++ri) {
                for (int k : rays[ri].owned) {
                    int dx = 0, dy = 0;
                    double minor = 0.0;
                    RadialPlan::stepOffset(rays[ri], k, dx, dy, minor);
                    const size_t idx = static_cast<size_t>(dy + n) * side + (dx + n);
                    got[idx] = static_cast<int>(ri);
                    ++times[idx];
                }
            }
            const double reach_m = n * std::min(pw, ph) + 0.5 * std::hypot(pw, ph);
            int in_disc = 0;
            for (int dy = -n; dy <= n; ++dy) {
                for (int dx = -n; dx <= n; ++dx) {
                    if (dx == 0 && dy == 0) continue;
                    const size_t idx = static_cast<size_t>(dy + n) * side + (dx + n);
                    const bool inside = std::hypot(dx * pw, dy * ph) <= reach_m;
                    in_disc += inside;
                    ASSERT_EQ(times[idx], inside ? 1 : 0) << "n " << n << " q " << q << " pixel " << dx << "," << dy;
                    if (inside) ASSERT_EQ(got[idx], owner[idx]) << "n " << n << " q " << q << " pixel " << dx << "," << dy;
                }
            }
            EXPECT_GT(in_disc, 0);
            // Built on several threads (rows of pixels split between them): the same plan.
            const RadialPlan threaded(n, pw, ph, q, 3);
            ASSERT_EQ(threaded.rays().size(), rays.size());
            for (size_t ri = 0; ri < rays.size(); ++ri) ASSERT_TRUE(std::ranges::equal(threaded.rays()[ri].owned, rays[ri].owned)) << "ray " << ri;
        }
    }
}

// A plan clipped to a rectangle around the centre (the DEM around one observer) is the whole
// plan within it: each pixel inside has the same owner, each ray the same owned steps among those
// inside, in the same order; pixels outside have none. Clips on every side, corners, lopsided.
TEST(RadialPlan, ClippedPlanIsTheWholePlanWithinTheClip) {
    for (const auto& [n, pw, ph] : {std::tuple{40, 30.0, 30.0}, std::tuple{33, 90.0, 61.7}, std::tuple{25, 20.0, 35.0}}) {
        for (int q : {2, 3, 6}) {
            const RadialPlan whole(n, pw, ph, q);
            for (const RadialPlan::Clip clip : {RadialPlan::Clip{-5, -n, n, n}, RadialPlan::Clip{-n, -n, 3, 7}, RadialPlan::Clip{0, 0, n, n},
                                                RadialPlan::Clip{-n, -2, n, 0}, RadialPlan::Clip{-9, -12, 17, 4}, RadialPlan::Clip{}}) {
                for (int threads : {1, 3}) {
                    const RadialPlan cut(n, pw, ph, q, threads, clip);
                    auto inside = [&](int dx, int dy) {
                        return dx >= std::max(clip.dx0, -n) && dx <= std::min(clip.dx1, n) && dy >= std::max(clip.dy0, -n) && dy <= std::min(clip.dy1, n);
                    };
                    for (int dy = -n - 1; dy <= n + 1; ++dy) {
                        for (int dx = -n - 1; dx <= n + 1; ++dx) {
                            ASSERT_EQ(cut.ownerOf(dx, dy), inside(dx, dy) ? whole.ownerOf(dx, dy) : -1) << n << " q " << q << " pixel " << dx << "," << dy;
                        }
                    }
                    ASSERT_EQ(cut.rays().size(), whole.rays().size());
                    for (size_t ri = 0; ri < whole.rays().size(); ++ri) {
                        std::vector<int> expect;
                        for (int k : whole.rays()[ri].owned) {
                            int dx = 0, dy = 0;
                            double minor = 0.0;
                            RadialPlan::stepOffset(whole.rays()[ri], k, dx, dy, minor);
                            if (inside(dx, dy)) expect.push_back(k);
                        }
                        ASSERT_TRUE(std::ranges::equal(cut.rays()[ri].owned, expect)) << "n " << n << " q " << q << " ray " << ri;
                    }
                }
            }
        }
    }
}

// The sweep's line of sight against a brute-force one: a full profile per pixel, visible when no
// intermediate sample rises above the straight ray over the 4/3 earth.
TEST(Viewshed, AgreesWithPerPixelLineOfSight) {
    const DemGrid dem = hills(9.0);
    const GeoTransform& gt = dem.geoTransform();
    const PointXY site{gt.centerX(dem.width() / 2), gt.centerY(dem.height() / 2)};
    const double k = 4.0 / 3.0, tx_h = 30.0, rx_h = 1.5, radius_m = 4000.0;
    const Grid<uint8_t> vs = viewshed(dem, site, tx_h, rx_h, radius_m, k);
    const double ce_half = 500.0 / (k * kEarthRadius_m / 1000.0);
    Profile pr;
    long long n = 0, agree = 0, visible = 0;
    for (int r = 0; r < dem.height(); ++r) {
        for (int c = 0; c < dem.width(); ++c) {
            const PointXY rx{gt.centerX(c), gt.centerY(r)};
            const double d_m = std::hypot(rx.x_m - site.x_m, rx.y_m - site.y_m);
            if (d_m > radius_m || d_m < 1.0) {
                if (d_m > radius_m + 100.0) EXPECT_EQ(vs.at(c, r), 255) << "outside the disc";
                continue;
            }
            extractProfile(dem, site, rx, gt.pixel_width_m, pr);
            const double D = pr.length_km(), hts = pr.h_m.front() + tx_h, hrs = dem.at(c, r) + rx_h;
            bool los = true;
            for (size_t i = 1; i + 1 < pr.size(); ++i) {
                const double di = pr.d_km[i];
                if (pr.h_m[i] + ce_half * di * (D - di) > hts + (hrs - hts) * di / D) los = false;
            }
            ASSERT_NE(vs.at(c, r), 255);
            ++n;
            agree += (vs.at(c, r) == 1) == los;
            visible += los;
        }
    }
    EXPECT_GT(visible, n / 20) << "the test terrain should show both visible and hidden ground";
    EXPECT_LT(visible, n - n / 20);
    EXPECT_GE(static_cast<double>(agree) / n, 0.98) << agree << " of " << n;
    std::printf("  viewshed vs per-pixel LOS: %lld px, %.2f %% agree, %.1f %% visible\n", n, 100.0 * agree / n, 100.0 * visible / n);
    // Its rays split over threads: the same raster.
    const Grid<uint8_t> threaded = viewshed(dem, site, tx_h, rx_h, radius_m, k, 3);
    EXPECT_EQ(0, std::memcmp(threaded.data().data(), vs.data().data(), vs.size()));
}

// Point queries (SweepOptions::only_pixels, the planner's coverage matrix) give each point the
// value of the full sweep to the bit, for every terrain model (ITM through whole blocks of rays,
// the others through the rays that own the points), at 1 and 2 threads, the site's own pixel and
// points beyond the radius or off the window included.
TEST(Coverage, PointSweepGivesTheFullSweepsValues) {
    const DemGrid dem = hills(16.0);
    const GeoTransform& gt = dem.geoTransform();
    const Sector s = makeSector(gt.centerX(133), gt.centerY(133), Technology::G4, 1800.0);
    std::vector<size_t> points;
    for (int i = 0; i < 60; ++i) {
        const int c = (i * 37 + 11) % dem.width(), r = (i * 53 + 7) % dem.height();
        points.push_back(static_cast<size_t>(r) * dem.width() + c);
    }
    for (int r = 200; r < 210; ++r) {  // a village's block of pixels, 4.1-4.6 km away: ITM reuses delta_h there
        for (int c = 160; c < 170; ++c) points.push_back(static_cast<size_t>(r) * dem.width() + c);
    }
    points.push_back(133u * dem.width() + 133u);  // the site's pixel
    points.push_back(134u * dem.width() + 133u);  // its neighbour
    std::sort(points.begin(), points.end());
    for (const auto kind : {models::ModelKind::P526Bullington, models::ModelKind::Itm, models::ModelKind::P526Deygout,
                            models::ModelKind::FreeSpace, models::ModelKind::P1812, models::ModelKind::Tr38901UMa}) {
        OneSweep one(dem, kind, 6000.0);
        SectorWindow full, pts;
        one.run(dem, s, full);
        one.so.only_pixels = &points;
        for (int threads : {1, 2}) {
            one.so.threads = threads;
            one.run(dem, s, pts);
            ASSERT_EQ(pts.col0, full.col0);
            ASSERT_EQ(pts.width, full.width);
            int compared = 0, nan_elsewhere = 0, values_elsewhere = 0;
            for (int r = 0; r < full.height; ++r) {
                for (int c = 0; c < full.width; ++c) {
                    const size_t i = static_cast<size_t>(r) * full.width + c;
                    const size_t p = static_cast<size_t>(full.row0 + r) * dem.width() + (full.col0 + c);
                    if (std::binary_search(points.begin(), points.end(), p)) {
                        const float a = full.signal_dBm[i], b = pts.signal_dBm[i];
                        EXPECT_TRUE(std::memcmp(&a, &b, sizeof a) == 0) << models::toString(kind) << " at (" << c << ", " << r << "): " << a << " vs " << b;
                        compared += std::isnan(a) ? 0 : 1;
                    } else {
                        (std::isnan(pts.signal_dBm[i]) ? nan_elsewhere : values_elsewhere) += 1;
                    }
                }
            }
            EXPECT_GE(compared, 8) << models::toString(kind) << ": points inside the radius";
            // Only what the points needed was evaluated (ITM: their blocks of rays).
            EXPECT_GT(nan_elsewhere, kind == models::ModelKind::Itm ? full.width * full.height / 4 : full.width * full.height * 3 / 4)
                << models::toString(kind);
            if (kind != models::ModelKind::Itm) EXPECT_EQ(values_elsewhere, 0) << models::toString(kind);
        }
    }
}

// A void inside the DEM (nodata that is not outside the footprint never reaches the engine, but a
// window that cuts the footprint does): a ray stops where both cells straddling it are void, so the
// pixels behind a void are not reached, and every other pixel keeps its value to the bit. Rays
// that cross the void take the walk, the others the vectorised sample pass: the pixels before the
// void on rays through it compare the two.
TEST(Coverage, RaysStopAtAVoidAndKeepTheirValuesBeforeIt) {
    const DemGrid dem = hills(16.0);  // 267 x 267 pixels of 60 m
    const GeoTransform& gt = dem.geoTransform();
    DemGrid holed = dem;
    const int c0 = 170, c1 = 176, r0 = 118, r1 = 148;  // the void, [c0, c1) x [r0, r1), 37-43 px east of the site
    for (int r = r0; r < r1; ++r) {
        for (int c = c0; c < c1; ++c) holed.at(c, r) = std::numeric_limits<float>::quiet_NaN();
    }
    const int sc = 133, sr = 133;
    const Sector s = makeSector(gt.centerX(sc), gt.centerY(sr), Technology::G4, 1800.0);
    // Whether the segment from the site's pixel to (c, r) comes within @p margin cells of the void.
    auto nearVoid = [&](int c, int r, double margin) {
        const double len = std::hypot(c - sc, r - sr);
        for (double t = 0.0; t <= 1.0; t += 0.25 / std::max(len, 1.0)) {
            const double x = sc + t * (c - sc), y = sr + t * (r - sr);
            if (x > c0 - 0.5 - margin && x < c1 - 0.5 + margin && y > r0 - 0.5 - margin && y < r1 - 0.5 + margin)
                return true;
        }
        return false;
    };
    for (const auto kind : {models::ModelKind::P526Bullington, models::ModelKind::FreeSpace,
                            models::ModelKind::Tr38901UMa, models::ModelKind::Itm}) {
        OneSweep one(dem, kind, 7000.0);
        SectorWindow clear, voided;
        one.run(dem, s, clear);
        one.run(holed, s, voided);
        ASSERT_EQ(clear.width, voided.width);
        ASSERT_EQ(clear.height, voided.height);
        int same = 0, before_void = 0, behind = 0, behind_reached = 0;
        for (int r = 0; r < clear.height; ++r) {
            for (int c = 0; c < clear.width; ++c) {
                const int px = clear.col0 + c, py = clear.row0 + r;
                const size_t i = static_cast<size_t>(r) * clear.width + c;
                if (px >= c0 - 2 && px < c1 + 2 && py >= r0 - 2 && py < r1 + 2) continue;  // the void and its rim
                if (!nearVoid(px, py, 2.0)) {
                    // ITM reuses delta_h across neighbouring rays: a ray cut short changes what its
                    // neighbours reuse, so only the terrain models without reuse compare exactly.
                    if (kind == models::ModelKind::Itm || std::isnan(clear.signal_dBm[i])) continue;
                    const float a = clear.signal_dBm[i], b = voided.signal_dBm[i];
                    EXPECT_TRUE(std::memcmp(&a, &b, sizeof a) == 0)
                        << models::toString(kind) << " at (" << px << ", " << py << "): " << a << " vs " << b;
                    ++same;
                    // Between the site and the void, on rays that go on through it.
                    before_void += px > sc + 5 && px < c0 - 3 && py > r0 + 3 && py < r1 - 4 ? 1 : 0;
                } else if (px >= c1 + 2 && nearVoid(px, py, -2.0) &&
                           std::hypot(px - sc, py - sr) * 60.0 < one.so.radius_m - 120.0) {
                    // Behind the void, the segment through its inside (2 cells in from its edges).
                    ++behind;
                    behind_reached += std::isnan(voided.signal_dBm[i]) ? 0 : 1;
                }
            }
        }
        if (kind != models::ModelKind::Itm) {
            EXPECT_GT(same, 30000) << models::toString(kind);
            EXPECT_GT(before_void, 150) << models::toString(kind);
        }
        EXPECT_GT(behind, 1000) << models::toString(kind);
        EXPECT_EQ(behind_reached, 0) << models::toString(kind);
    }
}
