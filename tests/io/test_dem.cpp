#include <gtest/gtest.h>

#include <cmath>

#include "../data_paths.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"

using namespace phusong;
using phusong::test::sharedData;

TEST(Dem, DaNangGeoTiffWarpsToUtm49) {
    const std::string path = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(path);
    io::DemLoadOptions o;
    o.resolution_m = 90.0;
    const io::Terrain t = io::loadDem(path, o);
    EXPECT_EQ(t.crs.epsg, 32649);
    EXPECT_NEAR(t.grid.geoTransform().pixel_width_m, 90.0, 1e-9);
    // 1 arc-second: 30.87 m north-south, 29.7 m east-west at 16 N; the finer is the native spacing.
    EXPECT_NEAR(t.native_resolution_m, 29.7, 0.2);
    // Extent: 0.24 deg x 0.25 deg is about 25.7 km x 27.8 km.
    EXPECT_NEAR(t.grid.width() * 90.0 / 1000.0, 25.9, 1.0);
    EXPECT_NEAR(t.grid.height() * 90.0 / 1000.0, 27.8, 1.0);
    // Sơn Trà peak is 686 m in the source; bilinear resampling to 90 m keeps it within ~60 m.
    float mx = -1e9f;
    long long valid = 0;
    for (float v : t.grid.data()) {
        if (!std::isnan(v)) {
            mx = std::max(mx, v);
            ++valid;
        }
    }
    EXPECT_GT(mx, 600.0f);
    EXPECT_LE(mx, 690.0f);
    EXPECT_GT(valid, static_cast<long long>(t.grid.size() * 9 / 10));
}

TEST(Dem, HgtTileAndExplicitCrs) {
    const std::string path = sharedData("real/N44W072.hgt");
    PHUSONG_REQUIRE_DATA(path);
    io::DemLoadOptions o;
    o.resolution_m = 500.0;
    o.epsg = 32619;
    const io::Terrain t = io::loadDem(path, o);
    EXPECT_EQ(t.crs.epsg, 32619);
    EXPECT_EQ(t.voids_filled, 0);
    io::Projector p(t.crs);
    const PointXY xy = p.toXY({44.27, -71.30});  // Mount Washington, 1917 m
    const LatLon back = p.toLatLon(xy);
    EXPECT_NEAR(back.lat_deg, 44.27, 1e-9);
    EXPECT_NEAR(back.lon_deg, -71.30, 1e-9);
    const float h = sampleBilinear(t.grid, t.grid.geoTransform().colOf(xy.x_m), t.grid.geoTransform().rowOf(xy.y_m));
    EXPECT_GT(h, 1400.0f);
}

TEST(Dem, UnreadableRasterNamesTheFile) {
    const std::string path = PHUSONG_SOURCE_DIR "/README.md";
    try {
        io::loadDem(path, {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("README.md"), std::string::npos);
    }
    EXPECT_THROW(io::loadDem("/nonexistent/dem.tif", {}), InputError);
}

TEST(Dem, RejectsGeographicCrsForAnalysis) { EXPECT_THROW(io::Crs::fromEpsg(4326), InputError); }
