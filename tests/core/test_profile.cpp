#include <gtest/gtest.h>

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
