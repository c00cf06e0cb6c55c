#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/void_fill.hpp"

using namespace phusong;

TEST(VoidFill, FillsHoleFromNeighbours) {
    DemGrid g(5, 5, GeoTransform{}, 100.f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    g.at(2, 2) = nan;
    g.at(2, 3) = nan;
    EXPECT_EQ(fillVoids(g), 2);
    EXPECT_FLOAT_EQ(g.at(2, 2), 100.f);  // all neighbours are 100
    EXPECT_FLOAT_EQ(g.at(2, 3), 100.f);
}

TEST(VoidFill, LinearRampIsReproducedAcrossAGap) {
    // Heights rise 1 m per column; a 3-column gap in one row is filled by the 8-direction IDW.
    DemGrid g(9, 1, GeoTransform{});
    for (int c = 0; c < 9; ++c) g.at(c, 0) = static_cast<float>(c);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int c = 3; c <= 5; ++c) g.at(c, 0) = nan;
    EXPECT_EQ(fillVoids(g), 3);
    // Only west and east are in range in a one-row grid: weights 1/d^2.
    // Column 3: west 2 (d=1), east 6 (d=3): (2*1 + 6/9) / (1 + 1/9) = 2.4
    EXPECT_NEAR(g.at(3, 0), 2.4, 1e-5);
    EXPECT_NEAR(g.at(4, 0), 4.0, 1e-5);
}

TEST(VoidFill, NothingToFill) {
    DemGrid g(3, 3, GeoTransform{}, 5.f);
    EXPECT_EQ(fillVoids(g), 0);
}
