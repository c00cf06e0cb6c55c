#pragma once
// Shared by the core (synthetic terrain) and io (real SRTM, test_engine_real.cpp) agreement
// tests: the radial sweep against the per-pixel reference engine, model by model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "phusong/core/engine/coverage.hpp"

namespace phusong::test {

struct Agreement {
    double median_dB = 0.0, p99_dB = 0.0;
    size_t pixels = 0;
};

/// Runs both engines for one omni sector at @p site and compares the signal rasters.
inline Agreement compareEngines(const DemGrid& dem, PointXY site, models::ModelKind kind, double radius_m, double freq_MHz) {
    Sector s;
    s.site_id = "A";
    s.location = "agreement";
    s.xy = site;
    s.antenna_height_m = 30.0;
    s.tech = Technology::G4;
    s.freq_MHz = freq_MHz;
    s.eirp_dBm = 60.0;
    s.bandwidth_MHz = 20.0;
    s.reference_offset_dB = *referenceSignalOffset_dB(Technology::G4, 20.0);
    engine::CoverageOptions opt;
    opt.model.kind = kind;
    opt.radius_m = radius_m;
    opt.engine = engine::EngineKind::Radial;
    const auto fast = engine::computeCoverage(dem, {s}, opt);
    opt.engine = engine::EngineKind::Reference;
    const auto slow = engine::computeCoverage(dem, {s}, opt);
    std::vector<double> d;
    const auto& a = fast.layers.at(0).signal_dBm.data();
    const auto& b = slow.layers.at(0).signal_dBm.data();
    size_t only_one = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) != std::isnan(b[i])) ++only_one;
        if (!std::isnan(a[i]) && !std::isnan(b[i])) d.push_back(std::abs(static_cast<double>(a[i]) - b[i]));
    }
    EXPECT_EQ(only_one, 0u) << "pixels reached by one engine only";
    Agreement out;
    out.pixels = d.size();
    if (d.empty()) return out;
    std::sort(d.begin(), d.end());
    out.median_dB = d[d.size() / 2];
    out.p99_dB = d[std::min(d.size() - 1, static_cast<size_t>(std::ceil(0.99 * d.size())) - 1)];
    std::printf("  %-24s %8zu px  median |diff| %.3f dB  p99 %.3f dB\n", std::string(models::toString(kind)).c_str(), out.pixels,
                out.median_dB, out.p99_dB);
    return out;
}

}  // namespace phusong::test
