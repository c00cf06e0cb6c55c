#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "phusong/core/synth_terrain.hpp"

using namespace phusong;

TEST(SynthTerrain, DeterministicAndThreadInvariant) {
    SynthTerrainOptions o;
    o.size_km = 6.0;
    o.resolution_m = 30.0;
    o.seed = 11;
    omp_set_num_threads(1);
    const DemGrid a = synthesizeTerrain(o);
    omp_set_num_threads(2);
    const DemGrid b = synthesizeTerrain(o);
    ASSERT_EQ(a.data(), b.data());
    o.seed = 12;
    EXPECT_NE(synthesizeTerrain(o).data(), a.data());
}

TEST(SynthTerrain, RealisticRanges) {
    SynthTerrainOptions o;  // the demo's 40 km, 30 m default at a coarser grid for speed
    o.resolution_m = 120.0;
    const DemGrid g = synthesizeTerrain(o);
    EXPECT_EQ(g.width(), 333);
    const auto [mn, mx] = std::minmax_element(g.data().begin(), g.data().end());
    EXPECT_GE(*mn, -5.0f);      // river channel barely below the plain
    EXPECT_LE(*mn, 20.0f);      // a low river plain exists
    EXPECT_GE(*mx, 400.0f);     // mountains exist
    EXPECT_LE(*mx, 1200.0f);
    // The plain: at least 10 % of the area below 25 m, and at least 10 % above 200 m.
    const auto low = std::count_if(g.data().begin(), g.data().end(), [](float h) { return h < 25.0f; });
    const auto high = std::count_if(g.data().begin(), g.data().end(), [](float h) { return h > 200.0f; });
    EXPECT_GT(low, static_cast<long>(g.size() / 10));
    EXPECT_GT(high, static_cast<long>(g.size() / 10));
    for (float h : g.data()) ASSERT_TRUE(std::isfinite(h));
}

TEST(SynthTerrain, RejectsBadSizes) {
    SynthTerrainOptions o;
    o.resolution_m = 0.0;
    EXPECT_THROW(synthesizeTerrain(o), Error);
    o.resolution_m = 30.0;
    o.size_km = 0.01;
    EXPECT_THROW(synthesizeTerrain(o), Error);
}
