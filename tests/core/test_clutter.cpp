// Clutter tables: fixed losses and P.2108 §3.1 clutter heights per land-cover class.

#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/clutter.hpp"
#include "phusong/core/error.hpp"

using namespace phusong;

namespace {
Grid<float> classes() {
    Grid<float> g(3, 1, GeoTransform{0, 0, 30, 30}, 0.0f, std::numeric_limits<float>::quiet_NaN());
    g.at(0, 0) = 10;  // trees
    g.at(1, 0) = 50;  // built-up
    g.at(2, 0) = std::numeric_limits<float>::quiet_NaN();
    return g;
}
}  // namespace

TEST(Clutter, LossesAndHeightsAdd) {
    const ClutterTable t = parseClutterTable(parseCsv("class,loss_db,height_m,type\n10,2,15,trees_forest\n50,3,20,dense_urban\n", "t.csv"));
    ASSERT_TRUE(t.hasHeights());
    const Grid<float> g = clutterLossGrid(classes(), t, "lc.tif", 900.0, 1.5);
    const double trees = models::p2108::heightGainTerminalCorrection(0.9, 1.5, 27.0, 15.0, models::p2108::ClutterType::TreesForest).loss_dB;
    const double urban = models::p2108::heightGainTerminalCorrection(0.9, 1.5, 27.0, 20.0, models::p2108::ClutterType::DenseUrban).loss_dB;
    EXPECT_NEAR(g.at(0, 0), 2.0 + trees, 1e-4);
    EXPECT_NEAR(g.at(1, 0), 3.0 + urban, 1e-4);
    EXPECT_EQ(g.at(2, 0), 0.0f) << "no class, no loss";
    EXPECT_GT(urban, 10.0) << "a receiver 18.5 m below dense urban clutter loses well over 10 dB";
    // Higher carriers lose more (K_nu grows with sqrt(f)); above 3 GHz the §3.1 range ends and 3 GHz is used.
    const Grid<float> g18 = clutterLossGrid(classes(), t, "lc.tif", 1800.0, 1.5);
    EXPECT_GT(g18.at(1, 0), g.at(1, 0));
    const Grid<float> g30 = clutterLossGrid(classes(), t, "lc.tif", 3000.0, 1.5), g35 = clutterLossGrid(classes(), t, "lc.tif", 3550.0, 1.5);
    EXPECT_EQ(g30.at(1, 0), g35.at(1, 0));
    // A receiver above the clutter gets only the fixed loss.
    const Grid<float> high = clutterLossGrid(classes(), t, "lc.tif", 900.0, 25.0);
    EXPECT_NEAR(high.at(0, 0), 2.0, 1e-6);
    EXPECT_NEAR(high.at(1, 0), 3.0, 1e-6);
}

TEST(Clutter, TableErrorsNameTheLine) {
    auto msg = [](const std::string& csv) {
        try {
            parseClutterTable(parseCsv(csv, "t.csv"));
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(msg("class,height_m,type\n10,15,jungle\n").find("t.csv line 2: field 'type' must be one of"), std::string::npos);
    EXPECT_NE(msg("class,height_m,type\n10,150,urban\n").find("'height_m' must be within 0..100 m"), std::string::npos);
    EXPECT_NE(msg("class,name\n10,x\n").find("give a loss_db or a height_m"), std::string::npos);
    EXPECT_NE(msg("class,loss_db,height_m\n10,,\n").find("line 2: give loss_db, height_m"), std::string::npos);
    EXPECT_EQ(msg("class,loss_db\n10,3\n"), "") << "the loss-only table of before still works";
}
