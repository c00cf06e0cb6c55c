#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/grid.hpp"

using namespace phusong;

TEST(Geometry, HaversineKnownDistances) {
    // One degree of latitude on the 6371 km sphere: 6371000 * pi / 180 = 111194.93 m.
    EXPECT_NEAR(haversine_m({10.0, 106.0}, {11.0, 106.0}), 111194.93, 0.01);
    // Hà Nội (21.0285 N, 105.8542 E) to Đà Nẵng (16.0544 N, 108.2022 E), checked against the
    // spherical law of cosines, an independent formula for the same great circle.
    const double p1 = 21.0285 * M_PI / 180, p2 = 16.0544 * M_PI / 180, dl = (108.2022 - 105.8542) * M_PI / 180;
    const double cosines_m = 6371000.0 * std::acos(std::sin(p1) * std::sin(p2) + std::cos(p1) * std::cos(p2) * std::cos(dl));
    EXPECT_NEAR(haversine_m({21.0285, 105.8542}, {16.0544, 108.2022}), cosines_m, 0.01);
    EXPECT_NEAR(cosines_m / 1000.0, 605.9, 0.1);
    EXPECT_DOUBLE_EQ(haversine_m({1, 2}, {1, 2}), 0.0);
}

TEST(Geometry, UtmZones) {
    EXPECT_EQ(utmEpsgFor({21.3, 106.2}), 32648);  // Bắc Giang
    EXPECT_EQ(utmEpsgFor({16.05, 108.2}), 32649); // Đà Nẵng
    EXPECT_EQ(utmEpsgFor({-33.9, 151.2}), 32756);
    EXPECT_EQ(utmEpsgFor({0.0, 180.0}), 32660);
}

TEST(Geometry, ParseLatLon) {
    const LatLon p = parseLatLon("16.05,108.2", "--tx");
    EXPECT_DOUBLE_EQ(p.lat_deg, 16.05);
    EXPECT_DOUBLE_EQ(p.lon_deg, 108.2);
    EXPECT_THROW(parseLatLon("108.2,16.05", "--tx"), InputError);  // swapped: latitude > 90
    EXPECT_THROW(parseLatLon("16.05", "--tx"), InputError);
    EXPECT_THROW(parseLatLon("a,b", "--tx"), InputError);
}

TEST(Grid, GeoTransformRoundTrip) {
    const GeoTransform gt{1000.0, 2000.0, 30.0, 30.0};
    EXPECT_DOUBLE_EQ(gt.centerX(0), 1015.0);
    EXPECT_DOUBLE_EQ(gt.centerY(0), 1985.0);
    EXPECT_DOUBLE_EQ(gt.colOf(gt.centerX(7)), 7.0);
    EXPECT_DOUBLE_EQ(gt.rowOf(gt.centerY(3)), 3.0);
    Grid<int> g(4, 3, gt, 0, -1);
    EXPECT_TRUE(g.contains(3, 2));
    EXPECT_FALSE(g.contains(4, 0));
    const Window w = g.clip({-2, -2, 10, 2});
    EXPECT_EQ(w.col0, 0);
    EXPECT_EQ(w.col1, 4);
    EXPECT_EQ(w.row1, 2);
    EXPECT_THROW(Grid<int>(0, 3, gt), Error);
}

TEST(Grid, BilinearByHand) {
    DemGrid g(2, 2, GeoTransform{0, 2, 1, 1});
    g.at(0, 0) = 0.f;
    g.at(1, 0) = 10.f;
    g.at(0, 1) = 20.f;
    g.at(1, 1) = 30.f;
    EXPECT_FLOAT_EQ(sampleBilinear(g, 0.5, 0.5), 15.f);
    EXPECT_FLOAT_EQ(sampleBilinear(g, 0.25, 0.0), 2.5f);
    EXPECT_FLOAT_EQ(sampleBilinear(g, 1.0, 1.0), 30.f);
    // A NaN neighbour is ignored and the weights renormalised.
    g.at(1, 1) = std::numeric_limits<float>::quiet_NaN();
    EXPECT_FLOAT_EQ(sampleBilinear(g, 0.5, 0.5), 10.f);
}
