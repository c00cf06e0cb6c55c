// ITU-R P.2108-1 against the NTIA/ITS reference test data (../shared/data/validation/p2108/,
// NTIA/p2108-test-data v1). Expected values there are rounded to 0.1 dB.

#include <gtest/gtest.h>

#include "../data_paths.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/models/p2108.hpp"

using namespace phusong;
using namespace phusong::models::p2108;
using phusong::test::num;
using phusong::test::sharedData;

// The test data round to one decimal; half a unit in the last place plus float slack.
constexpr double kP2108Tol_dB = 0.1;

TEST(P2108, HeightGainTerminalCorrectionReferenceData) {
    const std::string path = sharedData("validation/p2108/HeightGainTerminalCorrectionModelTestData.csv");
    PHUSONG_REQUIRE_DATA(path);
    const Table t = readCsvFile(path);
    ASSERT_GE(t.rows.size(), 20u);
    for (const Record& r : t.rows) {
        const Result res = heightGainTerminalCorrection(num(r, "f__ghz"), num(r, "h__meter"), num(r, "w_s__meter"),
                                                        num(r, "r__meter"), static_cast<ClutterType>(static_cast<int>(num(r, "clutter_type"))));
        EXPECT_EQ(res.rtn, static_cast<int>(num(r, "rtn"))) << r.location;
        if (res.rtn == kSuccess) EXPECT_NEAR(res.loss_dB, num(r, "a_h__db"), kP2108Tol_dB) << r.location;
    }
}

TEST(P2108, TerrestrialStatisticalReferenceData) {
    const std::string path = sharedData("validation/p2108/TerrestrialStatisticalModelTestData.csv");
    PHUSONG_REQUIRE_DATA(path);
    const Table t = readCsvFile(path);
    ASSERT_GE(t.rows.size(), 10u);
    for (const Record& r : t.rows) {
        const Result res = terrestrialStatistical(num(r, "f__ghz"), num(r, "d__km"), num(r, "p"));
        EXPECT_EQ(res.rtn, static_cast<int>(num(r, "rtn"))) << r.location;
        if (res.rtn == kSuccess) EXPECT_NEAR(res.loss_dB, num(r, "l_ctt__db"), kP2108Tol_dB) << r.location;
    }
}

TEST(P2108, AeronauticalStatisticalReferenceData) {
    const std::string path = sharedData("validation/p2108/AeronauticalStatisticalModelTestData.csv");
    PHUSONG_REQUIRE_DATA(path);
    const Table t = readCsvFile(path);
    ASSERT_GE(t.rows.size(), 10u);
    for (const Record& r : t.rows) {
        const Result res = aeronauticalStatistical(num(r, "f__ghz"), num(r, "theta_deg"), num(r, "p"));
        EXPECT_EQ(res.rtn, static_cast<int>(num(r, "rtn"))) << r.location;
        if (res.rtn == kSuccess) EXPECT_NEAR(res.loss_dB, num(r, "l_ces__db"), kP2108Tol_dB) << r.location;
    }
}

TEST(P2108, TerrestrialLossGrowsWithLocationPercentage) {
    double prev = -1e9;
    for (double p = 1.0; p < 100.0; p += 7.0) {
        const double l = terrestrialStatistical(3.5, 2.0, p).loss_dB;
        EXPECT_GT(l, prev);
        prev = l;
    }
}
