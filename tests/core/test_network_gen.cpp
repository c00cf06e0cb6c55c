// Synthetic villages and networks: deterministic, spaced, the requested counts, and a larger
// network extends a smaller one with the same seed.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "phusong/core/error.hpp"
#include "phusong/core/network_gen.hpp"
#include "phusong/core/synth_terrain.hpp"

using namespace phusong;

namespace {
DemGrid terrain() {
    SynthTerrainOptions o;
    o.size_km = 20;
    o.resolution_m = 100;
    return synthesizeTerrain(o);
}
}  // namespace

TEST(NetworkGen, VillagesAreDeterministicOnGroundAndApart) {
    const DemGrid dem = terrain();
    const auto a = gen::generateVillages(dem, 40, 5, 1000, 9000);
    const auto b = gen::generateVillages(dem, 40, 5, 1000, 9000);
    ASSERT_EQ(a.size(), 40u);
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].xy.x_m, b[i].xy.x_m);
        EXPECT_EQ(a[i].population, b[i].population);
        EXPECT_GE(a[i].population, 1000);
        EXPECT_LE(a[i].population, 9000);
        EXPECT_TRUE(hasGroundAt(dem, a[i].xy.x_m, a[i].xy.y_m));
        for (size_t j = 0; j < i; ++j) EXPECT_GE(std::hypot(a[i].xy.x_m - a[j].xy.x_m, a[i].xy.y_m - a[j].xy.y_m), 300.0);
    }
    EXPECT_NE(gen::generateVillages(dem, 40, 6, 1000, 9000)[0].xy.x_m, a[0].xy.x_m) << "another seed, other villages";
}

TEST(NetworkGen, TowersFollowTheSharesKeepTheSpacingAndExtendSmallerNetworks) {
    const DemGrid dem = terrain();
    const auto v = gen::generateVillages(dem, 30, 2, 1000, 9000);
    std::vector<PointXY> vxy;
    std::vector<double> pop;
    for (const auto& x : v) vxy.push_back(x.xy), pop.push_back(x.population);
    gen::TowerRules r;
    r.towers = 60;
    r.share_hilltops = 0.25, r.share_villages = 0.5, r.share_population = 0.25;
    r.min_spacing_m = 1000;
    r.seed = 9;
    const auto big = gen::placeTowers(dem, vxy, pop, r);
    ASSERT_EQ(big.size(), 60u);
    std::map<std::string, int> per;
    for (const auto& t : big) ++per[t.rule];
    EXPECT_EQ(per["hilltop"], 15);
    EXPECT_EQ(per["village"], 30);
    EXPECT_EQ(per["population"], 15);
    for (size_t i = 0; i < big.size(); ++i) {
        EXPECT_TRUE(hasGroundAt(dem, big[i].xy.x_m, big[i].xy.y_m));
        for (size_t j = 0; j < i; ++j) EXPECT_GE(std::hypot(big[i].xy.x_m - big[j].xy.x_m, big[i].xy.y_m - big[j].xy.y_m), 1000.0 - 1e-6);
    }
    r.towers = 35;
    const auto small = gen::placeTowers(dem, vxy, pop, r);
    ASSERT_EQ(small.size(), 35u);
    for (size_t i = 0; i < small.size(); ++i) {
        EXPECT_EQ(small[i].xy.x_m, big[i].xy.x_m) << i;
        EXPECT_EQ(small[i].xy.y_m, big[i].xy.y_m) << i;
    }
}

TEST(NetworkGen, BaseStationsMatchTheCountsOnDistinctTowersPerOperator) {
    std::vector<gen::PlacedTower> towers;
    for (int i = 0; i < 50; ++i) towers.push_back({{1000.0 * i, 0.0}, "grid"});
    const std::map<Technology, int> counts{{Technology::G2, 31}, {Technology::G4, 70}, {Technology::G5, 2}};
    const std::vector<std::pair<std::string, double>> shares{{"Viettel", 0.5}, {"VNPT", 0.3}, {"MobiFone", 0.2}};
    const auto bts = gen::assignBaseStations(towers, counts, shares, {{40000.0, 0.0}}, 4);
    std::map<Technology, int> per_tech;
    std::map<std::string, int> per_op_4g;
    std::set<std::tuple<int, int, std::string>> seen;
    std::set<int> used;
    for (const auto& b : bts) {
        ++per_tech[b.tech];
        if (b.tech == Technology::G4) ++per_op_4g[b.operator_name];
        EXPECT_TRUE(seen.insert({b.tower, static_cast<int>(b.tech), b.operator_name}).second) << "one BTS per tower, technology and operator";
        used.insert(b.tower);
    }
    EXPECT_EQ(per_tech, counts);
    EXPECT_EQ(per_op_4g["Viettel"], 35);  // largest remainder of 70 x shares
    EXPECT_EQ(per_op_4g["VNPT"], 21);
    EXPECT_EQ(per_op_4g["MobiFone"], 14);
    EXPECT_EQ(used.size(), towers.size()) << "every tower carries a base station";
    for (const auto& b : bts)
        if (b.tech == Technology::G5) EXPECT_GE(b.tower, 39) << "5G goes next to the hotspot at x = 40 km";
    // More 4G BTS per operator than towers cannot be placed.
    EXPECT_THROW(gen::assignBaseStations(towers, {{Technology::G4, 200}}, shares, {}, 4), InputError);
}
