#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "phusong/core/error.hpp"
#include "phusong/core/profile.hpp"

using namespace phusong;

namespace {
// 5x1 grid, 100 m pixels: heights 0, 10, 20, 30, 40 from west to east.
DemGrid ramp() {
    DemGrid g(5, 1, GeoTransform{0.0, 100.0, 100.0, 100.0});
    for (int c = 0; c < 5; ++c) g.at(c, 0) = 10.f * c;
    return g;
}
}  // namespace

TEST(Profile, HandMadeRamp) {
    Profile p;
    // From the centre of pixel 0 (x=50) to the centre of pixel 4 (x=450), step 100 m.
    extractProfile(ramp(), {50.0, 50.0}, {450.0, 50.0}, 100.0, p);
    ASSERT_EQ(p.size(), 5u);
    for (int i = 0; i < 5; ++i) {
        EXPECT_NEAR(p.d_km[i], 0.1 * i, 1e-12);
        EXPECT_NEAR(p.h_m[i], 10.0 * i, 1e-5);
    }
    // Half steps interpolate.
    extractProfile(ramp(), {50.0, 50.0}, {450.0, 50.0}, 50.0, p);
    ASSERT_EQ(p.size(), 9u);
    EXPECT_NEAR(p.h_m[1], 5.0, 1e-5);
    EXPECT_NEAR(p.length_km(), 0.4, 1e-12);
}

// Grid-line crossings on a 5x5 grid of 100 m pixels whose height is 10 x column + 1 x row (bilinear
// is then exact everywhere): from the centre of pixel (0, 0) to the centre of (4, 2), an east-west
// (x-major) path, one sample per column crossed at heights and distances worked by hand.
TEST(Profile, CrossingsOfTheMajorAxis) {
    DemGrid g(5, 5, GeoTransform{0.0, 500.0, 100.0, 100.0});
    for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 5; ++c) g.at(c, r) = static_cast<float>(10 * c + r);
    Profile p;
    const PointXY a{50.0, 450.0}, b{450.0, 250.0};  // col 0 row 0 -> col 4 row 2
    extractProfileAtCrossings(g, a, b, p);
    ASSERT_EQ(p.size(), 5u);  // the two ends and columns 1, 2, 3
    const double len_km = std::hypot(400.0, 200.0) / 1000.0;
    for (int i = 0; i < 5; ++i) {
        EXPECT_NEAR(p.d_km[i], len_km * i / 4.0, 1e-12);
        EXPECT_NEAR(p.h_m[i], 10.0 * i + 0.5 * i, 1e-4);  // column i, row i / 2
    }
    // The transmitter off its pixel centre (col 0.3): the first crossing is column 1, 0.7 px on.
    extractProfileAtCrossings(g, {80.0, 450.0}, b, p);
    ASSERT_EQ(p.size(), 5u);
    EXPECT_NEAR(p.h_m[0], 3.0, 1e-4);
    EXPECT_NEAR(p.d_km[1] / p.length_km(), 0.7 / 3.7, 1e-12);
    // Mostly north-south: rows are crossed instead, from row 4 up to row 0.
    extractProfileAtCrossings(g, {250.0, 50.0}, {350.0, 450.0}, p);  // col 2 row 4 -> col 3 row 0
    ASSERT_EQ(p.size(), 5u);
    EXPECT_NEAR(p.h_m[2], 10.0 * 2.5 + 2.0, 1e-4);  // row 2, half-way across
}

TEST(Profile, ZeroLengthHasTwoPoints) {
    Profile p;
    extractProfile(ramp(), {150.0, 50.0}, {150.0, 50.0}, 100.0, p);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p.length_km(), 0.0);
}

TEST(Profile, CsvReadAndErrors) {
    const auto dir = std::filesystem::temp_directory_path() / "phusong_profile_test";
    std::filesystem::create_directories(dir);
    const auto good = (dir / "good.csv").string(), bad = (dir / "bad.csv").string();
    std::ofstream(good) << "distance_km,height_m\n0,10\n0.5,12\n1.0,9\n";
    std::ofstream(bad) << "distance_km,height_m\n0,10\n0.5,12\n0.4,9\n";
    const Profile p = readProfileCsv(good);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_DOUBLE_EQ(p.h_m[1], 12.0);
    try {
        readProfileCsv(bad);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("line 4"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}
