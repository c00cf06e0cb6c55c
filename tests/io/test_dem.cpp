#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include "../data_paths.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"

using namespace phusong;
using phusong::test::sharedData;

namespace {
// Writes a Float32 GeoTIFF in EPSG @p epsg with geotransform @p gt (GDAL order) and cells @p v,
// row by row; @p nodata is set when given.
void writeTif(const std::string& path, int epsg, int w, int h, const double (&gt)[6], const std::vector<float>& v,
              std::optional<double> nodata = std::nullopt) {
    GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), w, h, 1, GDT_Float32, nullptr);
    ASSERT_NE(ds, nullptr);
    ds->SetGeoTransform(const_cast<double*>(gt));
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    ds->SetSpatialRef(&srs);
    if (nodata) ds->GetRasterBand(1)->SetNoDataValue(*nodata);
    ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, w, h, const_cast<float*>(v.data()), w, h, GDT_Float32, 0, 0), CE_None);
    GDALClose(ds);
}

// The height @p t has at (@p lat, @p lon), bilinear between its cells (NaN outside the footprint).
float heightAt(const io::Terrain& t, double lat, double lon) {
    const PointXY xy = io::Projector(t.crs).toXY({lat, lon});
    const GeoTransform& g = t.grid.geoTransform();
    return sampleBilinear(t.grid, g.colOf(xy.x_m), g.rowOf(xy.y_m));
}

// The same in UTM 48N (EPSG:32648).
void writeUtm48Tif(const std::string& path, int w, int h, const double (&gt)[6], const std::vector<float>& v,
                   std::optional<double> nodata = std::nullopt) {
    writeTif(path, 32648, w, h, gt, v, nodata);
}
}  // namespace

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

// A projected DEM with nodata around its footprint (a reprojected tile's corners) and one interior
// void: the interior void is filled and counted, the margin stays outside (NaN), not invented terrain.
TEST(Dem, ProjectedMarginStaysOutsideInteriorVoidIsFilled) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / ("phusong_dem_margin_" + std::to_string(::getpid()) + ".tif")).string();
    constexpr int n = 60;
    std::vector<float> v(n * n);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            float z = 100.0f + static_cast<float>(c);
            if (c + r < 12) z = -32768.0f;                       // margin: a corner touching the edge
            if (c >= 30 && c < 33 && r >= 30 && r < 32) z = -32768.0f;  // interior void, 6 cells
            v[static_cast<size_t>(r) * n + c] = z;
        }
    }
    ASSERT_NO_FATAL_FAILURE(writeUtm48Tif(path, n, n, {600000.0, 100.0, 0, 2300000.0, 0, -100.0}, v, -32768.0));
    io::DemLoadOptions o;
    o.epsg = 32648;
    const io::Terrain t = io::loadDem(path, o);
    std::filesystem::remove(path);
    EXPECT_EQ(t.voids_filled, 6);
    const GeoTransform& g = t.grid.geoTransform();
    // The corner cell (0, 0) and its neighbourhood stay NaN; the void's centre is filled near the ramp.
    EXPECT_TRUE(std::isnan(sampleBilinear(t.grid, g.colOf(600150.0), g.rowOf(2299850.0))));
    const float inside = sampleBilinear(t.grid, g.colOf(600000.0 + 31.5 * 100.0), g.rowOf(2300000.0 - 31.0 * 100.0));
    EXPECT_NEAR(inside, 131.0f, 1.5f);
}

// The footprint's margin reaches into a window that stops short of the raster's edge (a reprojected
// tile's corner, read around a site): it is still outside the footprint, as when the whole DEM is
// read, not a void to fill with invented terrain (which also cost most of a viewshed's time).
TEST(Dem, ProjectedMarginCutByAWindowStaysOutside) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / ("phusong_dem_cut_" + std::to_string(::getpid()) + ".tif")).string();
    constexpr int w = 300, h = 400;
    std::vector<float> v(static_cast<size_t>(w) * h);
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            float z = 100.0f + 0.5f * static_cast<float>(c) + 0.25f * static_cast<float>(r);
            if (8 * c < 8 * 90 - r) z = -32768.0f;                     // margin along the left edge: 90 to 40 cells wide
            if (c >= 200 && c < 203 && r >= 200 && r < 202) z = -32768.0f;  // interior void, 6 cells
            v[static_cast<size_t>(r) * w + c] = z;
        }
    }
    const double x0 = 500000.0, y0 = 2400000.0;
    ASSERT_NO_FATAL_FAILURE(writeUtm48Tif(path, w, h, {x0, 100.0, 0, y0, 0, -100.0}, v, -32768.0));
    const io::Projector proj(io::Crs::fromEpsg(32648));
    io::DemLoadOptions o;
    o.epsg = 32648;
    const io::Terrain whole = io::loadDem(path, o);
    // 10 km around cell (160, 200): the window (and the rows read beside it) touch no edge of the
    // raster, and its left columns cross the margin.
    o.around = {proj.toLatLon({x0 + 160.5 * 100.0, y0 - 200.5 * 100.0})};
    o.around_m = 10000.0;
    const io::Terrain cut = io::loadDem(path, o);
    std::filesystem::remove(path);
    ASSERT_TRUE(cut.cropped);
    EXPECT_EQ(whole.voids_filled, 6);
    EXPECT_EQ(cut.voids_filled, 6);
    const GeoTransform& g = cut.grid.geoTransform();
    const int c0 = static_cast<int>(std::lround((g.origin_x_m - x0) / 100.0)), r0 = static_cast<int>(std::lround((y0 - g.origin_y_m) / 100.0));
    ASSERT_GT(c0, 40);
    ASSERT_LT(c0, 80) << "the window's left columns cross the margin";
    // Every cell of the window as the whole DEM has it: NaN in the margin, the ramp elsewhere.
    long long margin = 0;
    for (int r = 0; r < cut.grid.height(); ++r) {
        for (int c = 0; c < cut.grid.width(); ++c) {
            const float a = cut.grid.at(c, r), b = whole.grid.at(c0 + c, r0 + r);
            margin += std::isnan(a);
            if (std::isnan(b)) EXPECT_TRUE(std::isnan(a)) << "cell " << c0 + c << "," << r0 + r << " is outside the footprint";
            else EXPECT_FLOAT_EQ(a, b) << "cell " << c0 + c << "," << r0 + r;
        }
    }
    EXPECT_GT(margin, 100);
}

// A national mosaic (a VRT of SRTM tiles) has no tile over the sea: a coastal site's window reaches
// into nodata that runs on far beyond it, though not to the raster's edge within the cells read.
// That is outside the footprint, not a void: before, a 20 km window at a coastal tile of a VRT
// over Vietnam filled 1.3 million cells of sea with interpolated terrain (3.9 s instead of 1.2 s).
TEST(Dem, CoastalWindowOfAMosaicLeavesTheSeaOutside) {
    GDALAllRegister();
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_dem_coast_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string tile = (dir / "tile.tif").string(), vrt = (dir / "mosaic.vrt").string();
    constexpr int n = 600;  // 1 arc-second cells
    constexpr double cell = 1.0 / 3600;
    std::vector<float> v(static_cast<size_t>(n) * n);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            float z = 20.0f + 0.2f * static_cast<float>(c) + 0.1f * static_cast<float>(r);
            if (c >= 520 && c < 523 && r >= 280 && r < 282) z = -32768.0f;  // a void within the window, 6 cells
            v[static_cast<size_t>(r) * n + c] = z;
        }
    }
    ASSERT_NO_FATAL_FAILURE(writeTif(tile, 4326, n, n, {106.0, cell, 0, 21.0, 0, -cell}, v, -32768.0));
    {
        // The tile in the middle of a mosaic 10,600 cells square: nodata all around it.
        const std::string te[4] = {std::to_string(106.0 - 5000 * cell), std::to_string(21.0 - 5600 * cell), std::to_string(106.0 + 5600 * cell),
                                   std::to_string(21.0 + 5000 * cell)};
        const char* args[] = {"-te", te[0].c_str(), te[1].c_str(), te[2].c_str(), te[3].c_str(), nullptr};
        GDALBuildVRTOptions* o = GDALBuildVRTOptionsNew(const_cast<char**>(args), nullptr);
        const char* sources[] = {tile.c_str()};
        int usage_error = 0;
        GDALDatasetH ds = GDALBuildVRT(vrt.c_str(), 1, nullptr, sources, o, &usage_error);
        GDALBuildVRTOptionsFree(o);
        ASSERT_NE(ds, nullptr);
        GDALClose(ds);
    }
    // 3 km around a point 50 cells from the tile's east edge: the window reaches into the sea.
    io::DemLoadOptions o;
    o.around = {{21.0 - 300.5 * cell, 106.0 + 550.5 * cell}};
    o.around_m = 3000.0;
    const io::Terrain t = io::loadDem(vrt, o);
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(t.cropped);
    EXPECT_EQ(t.voids_filled, 6) << "the interior void only, not the sea";
    auto at = [&](double lat, double lon) { return heightAt(t, lat, lon); };
    EXPECT_TRUE(std::isnan(at(21.0 - 300.5 * cell, 106.0 + 620.0 * cell))) << "the sea stays nodata";
    EXPECT_NEAR(at(21.0 - 300.5 * cell, 106.0 + 500.5 * cell), 20.0f + 0.2f * 500 + 0.1f * 300, 0.5f) << "the land is the tile's";
}

// Heights come in metres whatever the file stores: the band's scale and offset apply (GDAL's
// metadata: value = stored x scale + offset), then its vertical unit (feet here; centimetres and US
// survey feet too). Nodata is recognised on the stored value.
TEST(Dem, ScaleOffsetAndFeetBecomeMetres) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / ("phusong_dem_feet_" + std::to_string(::getpid()) + ".tif")).string();
    constexpr int w = 20, h = 10;
    std::vector<float> v(w * h);
    for (int i = 0; i < w * h; ++i) v[static_cast<size_t>(i)] = static_cast<float>(100 + 7 * i);
    v[0] = -32768.0f;  // nodata in the corner: outside the footprint
    ASSERT_NO_FATAL_FAILURE(writeUtm48Tif(path, w, h, {600000.0, 30.0, 0, 2300000.0, 0, -30.0}, v, -32768.0));
    io::DemLoadOptions o;
    o.epsg = 32648;
    const io::Terrain plain = io::loadDem(path, o);
    {
        GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_Update));
        ASSERT_NE(ds, nullptr);
        ds->GetRasterBand(1)->SetScale(0.5);
        ds->GetRasterBand(1)->SetOffset(10.0);
        ds->GetRasterBand(1)->SetUnitType("ft");
        GDALClose(ds);
    }
    const io::Terrain feet = io::loadDem(path, o);
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".aux.xml");
    ASSERT_EQ(feet.grid.width(), w);
    ASSERT_EQ(feet.grid.height(), h);
    EXPECT_TRUE(std::isnan(plain.grid.at(0, 0)));
    EXPECT_TRUE(std::isnan(feet.grid.at(0, 0))) << "nodata is read on the stored value";
    for (int i = 1; i < w * h; ++i) {
        const int c = i % w, r = i / w;
        EXPECT_EQ(plain.grid.at(c, r), v[static_cast<size_t>(i)]);
        EXPECT_FLOAT_EQ(feet.grid.at(c, r), static_cast<float>((v[static_cast<size_t>(i)] * 0.5 + 10.0) * 0.3048)) << c << "," << r;
    }
}

// A DEM already in the analysis CRS at the analysis spacing is the analysis grid: same size,
// same geotransform, every cell as written (what the skipped warp would give); another spacing
// is warped.
TEST(Dem, ProjectedDemOnTheAnalysisGridIsReadAsIs) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / ("phusong_dem_asis_" + std::to_string(::getpid()) + ".tif")).string();
    constexpr int w = 40, h = 30;
    std::vector<float> v(w * h);
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) v[static_cast<size_t>(r) * w + c] = 10.0f + 0.37f * static_cast<float>(c * c) + 3.1f * static_cast<float>(r);
    }
    ASSERT_NO_FATAL_FAILURE(writeUtm48Tif(path, w, h, {600030.0, 30.0, 0, 2300010.0, 0, -30.0}, v));
    io::DemLoadOptions o;
    o.epsg = 32648;
    const io::Terrain t = io::loadDem(path, o);
    ASSERT_EQ(t.grid.width(), w);
    ASSERT_EQ(t.grid.height(), h);
    EXPECT_EQ(t.grid.geoTransform().origin_x_m, 600030.0);
    EXPECT_EQ(t.grid.geoTransform().origin_y_m, 2300010.0);
    EXPECT_EQ(t.grid.geoTransform().pixel_width_m, 30.0);
    EXPECT_EQ(t.grid.geoTransform().pixel_height_m, 30.0);
    EXPECT_EQ(std::vector<float>(t.grid.data().begin(), t.grid.data().end()), v);
    o.resolution_m = 15.0;
    const io::Terrain fine = io::loadDem(path, o);
    std::filesystem::remove(path);
    EXPECT_EQ(fine.grid.width(), 2 * w);
    EXPECT_EQ(fine.grid.geoTransform().pixel_width_m, 15.0);
}

// An area of interest crops the analysis grid to a window of the whole DEM's grid: same CRS,
// spacing and cell edges. On the analysis grid already (no warp) the cells are the same values.
TEST(Dem, AreaOfInterestIsAWindowOfTheWholeGrid) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / ("phusong_dem_aoi_" + std::to_string(::getpid()) + ".tif")).string();
    constexpr int w = 200, h = 150;
    std::vector<float> v(w * h);
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) v[static_cast<size_t>(r) * w + c] = 10.0f + 0.01f * static_cast<float>(c * c) + 3.1f * static_cast<float>(r);
    }
    ASSERT_NO_FATAL_FAILURE(writeUtm48Tif(path, w, h, {600000.0, 30.0, 0, 2300000.0, 0, -30.0}, v));
    io::DemLoadOptions o;
    o.epsg = 32648;
    const io::Terrain whole = io::loadDem(path, o);
    EXPECT_FALSE(whole.cropped);
    io::Projector p(whole.crs);
    o.around = {p.toLatLon({601500.0, 2298500.0})};  // column 50, row 50
    o.around_m = 600.0;                              // 20 cells, plus 3
    const io::Terrain part = io::loadDem(path, o);
    EXPECT_TRUE(part.cropped);
    const GeoTransform& g = part.grid.geoTransform();
    EXPECT_EQ(g.pixel_width_m, 30.0);
    const double c0 = (g.origin_x_m - 600000.0) / 30.0, r0 = (2300000.0 - g.origin_y_m) / 30.0;
    EXPECT_EQ(c0, std::round(c0));
    EXPECT_EQ(r0, std::round(r0));
    EXPECT_NEAR(c0, 50 - 23, 1.0);
    EXPECT_NEAR(part.grid.width(), 46, 2);
    EXPECT_NEAR(part.grid.height(), 46, 2);
    for (int r = 0; r < part.grid.height(); ++r) {
        for (int c = 0; c < part.grid.width(); ++c) {
            ASSERT_EQ(part.grid.at(c, r), whole.grid.at(c + static_cast<int>(c0), r + static_cast<int>(r0))) << c << "," << r;
        }
    }
    // Far from the DEM: an error that says what missed it.
    o.around = {{10.0, 106.0}};
    o.around_label = "the sectors of sites.csv";
    try {
        io::loadDem(path, o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sites.csv"), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
}

// Warped (SRTM3, geographic): the window keeps the whole grid's cell edges and reads only the
// source cells it needs. Heights agree with the whole warp to centimetres: the resampling scale is
// fixed and the approximate transformer held to 0.01 px (with gdalwarp's defaults, estimated per
// processing chunk, the same comparison gave median 0.38 m, p99 2.5 m, max 6.7 m).
TEST(Dem, AreaOfInterestOnAGeographicTile) {
    const std::string path = sharedData("real/N44W072.hgt");
    PHUSONG_REQUIRE_DATA(path);
    io::DemLoadOptions o;
    o.resolution_m = 90.0;
    const io::Terrain whole = io::loadDem(path, o);
    o.around = {{44.27, -71.30}};  // Mount Washington
    o.around_m = 10000.0;
    const io::Terrain part = io::loadDem(path, o);
    EXPECT_TRUE(part.cropped);
    EXPECT_EQ(part.crs.epsg, whole.crs.epsg);
    const GeoTransform &gw = whole.grid.geoTransform(), &gp = part.grid.geoTransform();
    const double c0 = (gp.origin_x_m - gw.origin_x_m) / 90.0, r0 = (gw.origin_y_m - gp.origin_y_m) / 90.0;
    EXPECT_NEAR(c0, std::round(c0), 1e-6);
    EXPECT_NEAR(r0, std::round(r0), 1e-6);
    // 20 km plus 3 cells each side.
    EXPECT_NEAR(part.grid.width(), 229, 2);
    EXPECT_NEAR(part.grid.height(), 229, 2);
    std::vector<double> dz;
    for (int r = 0; r < part.grid.height(); ++r) {
        for (int c = 0; c < part.grid.width(); ++c) {
            const float a = part.grid.at(c, r), b = whole.grid.at(c + static_cast<int>(std::lround(c0)), r + static_cast<int>(std::lround(r0)));
            ASSERT_FALSE(std::isnan(a) || std::isnan(b));
            dz.push_back(std::abs(a - b));
        }
    }
    std::sort(dz.begin(), dz.end());
    std::printf("window vs whole warp: median |dz| %.3f m, p99 %.3f m, max %.3f m\n", dz[dz.size() / 2], dz[dz.size() * 99 / 100], dz.back());
    EXPECT_LT(dz[dz.size() / 2], 0.05);
    EXPECT_LT(dz[dz.size() * 99 / 100], 0.5);
    EXPECT_LT(dz.back(), 1.0);
}

// A geographic mosaic's gap (nodata joined to the edge, at least 1 % of the cells and 100,000 cells)
// is outside the footprint, not a void: it stays NaN and costs nothing. A small void on the edge of a
// geographic tile (SRTM) is a void and filled.
TEST(Dem, MosaicGapStaysOutsideSmallEdgeVoidIsFilled) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / ("phusong_dem_gap_" + std::to_string(::getpid()) + ".tif")).string();
    constexpr int w = 700, h = 700;  // 1 arc-second cells
    std::vector<float> v(static_cast<size_t>(w) * h);
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            float z = 50.0f + 0.1f * static_cast<float>(c + r);
            if (c >= 500) z = -32768.0f;                   // the gap: 200 x 700 = 140,000 cells
            if (r == 0 && c >= 100 && c < 110) z = -32768.0f;  // a void of 10 cells on the top edge
            v[static_cast<size_t>(r) * w + c] = z;
        }
    }
    ASSERT_NO_FATAL_FAILURE(writeTif(path, 4326, w, h, {106.0, 1.0 / 3600, 0, 21.0, 0, -1.0 / 3600}, v, -32768.0));
    io::DemLoadOptions o;
    o.resolution_m = 30.0;
    const io::Terrain t = io::loadDem(path, o);
    std::filesystem::remove(path);
    EXPECT_EQ(t.voids_filled, 10);
    auto at = [&](double lat, double lon) { return heightAt(t, lat, lon); };
    EXPECT_TRUE(std::isnan(at(21.0 - 350.0 / 3600, 106.0 + 600.0 / 3600))) << "the gap stays nodata";
    EXPECT_FALSE(std::isnan(at(21.0 - 2.0 / 3600, 106.0 + 105.0 / 3600))) << "the edge void is filled";
    EXPECT_FALSE(std::isnan(at(21.0 - 350.0 / 3600, 106.0 + 300.0 / 3600)));
}

// A folder of tiles is one DEM: the quarters of a tile, read from their folder (whatever else the
// folder holds) or named one by one, give the whole tile's grid to the bit; a missing quarter is
// outside the footprint, not a void; tiles in another CRS, or a folder without tiles, stop the
// run naming the file.
TEST(Dem, FolderOfTilesIsOneMosaic) {
    GDALAllRegister();
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_dem_tiles_" + std::to_string(::getpid()));
    const auto tiles = dir / "tiles";
    std::filesystem::create_directories(tiles);
    constexpr int n = 800, half = n / 2;  // 1 arc-second cells; a quarter holds 160,000
    constexpr double cell = 1.0 / 3600;
    auto height = [](int c, int r) { return 30.0f + 0.17f * static_cast<float>(c) + 0.05f * static_cast<float>(r * r % 997); };
    std::vector<float> whole(static_cast<size_t>(n) * n);
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) whole[static_cast<size_t>(r) * n + c] = height(c, r);
    }
    ASSERT_NO_FATAL_FAILURE(writeTif((dir / "whole.tif").string(), 4326, n, n, {106.0, cell, 0, 21.0, 0, -cell}, whole, -32768.0));
    std::vector<std::string> quarters;
    for (int q = 0; q < 4; ++q) {
        const int c0 = (q % 2) * half, r0 = (q / 2) * half;
        std::vector<float> v(static_cast<size_t>(half) * half);
        for (int r = 0; r < half; ++r) {
            for (int c = 0; c < half; ++c) v[static_cast<size_t>(r) * half + c] = height(c0 + c, r0 + r);
        }
        quarters.push_back((tiles / ("q" + std::to_string(q) + ".tif")).string());
        ASSERT_NO_FATAL_FAILURE(writeTif(quarters.back(), 4326, half, half, {106.0 + c0 * cell, cell, 0, 21.0 - r0 * cell, 0, -cell}, v, -32768.0));
    }
    { std::FILE* f = std::fopen((tiles / "README.txt").c_str(), "w"); ASSERT_NE(f, nullptr); std::fputs("SRTM tiles\n", f); std::fclose(f); }
    EXPECT_EQ(io::demTiles({tiles.string()}), quarters) << "the tiles, sorted by name; the text file is left out";

    io::DemLoadOptions o;
    o.resolution_m = 30.0;
    const io::Terrain ref = io::loadDem((dir / "whole.tif").string(), o);
    const io::Terrain folder = io::loadDem(tiles.string(), o);
    const io::Terrain named = io::loadDem(std::vector<std::string>{quarters[3], quarters[1], quarters[0], quarters[2]}, o);
    EXPECT_EQ(folder.tiles, 4);
    ASSERT_EQ(folder.grid.width(), ref.grid.width());
    ASSERT_EQ(folder.grid.height(), ref.grid.height());
    EXPECT_EQ(folder.grid.geoTransform().origin_x_m, ref.grid.geoTransform().origin_x_m);
    EXPECT_EQ(folder.grid.geoTransform().origin_y_m, ref.grid.geoTransform().origin_y_m);
    auto bits = [](const io::Terrain& t) {
        std::vector<uint32_t> b(t.grid.data().size());
        std::memcpy(b.data(), t.grid.data().data(), b.size() * sizeof(float));
        return b;
    };
    EXPECT_TRUE(bits(folder) == bits(ref)) << "the mosaic of the quarters is the whole tile";
    EXPECT_TRUE(bits(named) == bits(ref)) << "the quarters named in any order";

    // Without the south-east quarter: nodata there (outside the footprint), nothing filled.
    std::filesystem::rename(quarters[3], dir / "q3.tif");
    const io::Terrain three = io::loadDem(tiles.string(), o);
    EXPECT_EQ(three.tiles, 3);
    EXPECT_EQ(three.voids_filled, 0);
    auto at = [&](double lat, double lon) { return heightAt(three, lat, lon); };
    EXPECT_TRUE(std::isnan(at(21.0 - 600 * cell, 106.0 + 600 * cell))) << "the missing tile stays nodata";
    // In the north-east quarter, the whole tile's height.
    EXPECT_EQ(at(21.0 - 200.5 * cell, 106.0 + 600.5 * cell), heightAt(ref, 21.0 - 200.5 * cell, 106.0 + 600.5 * cell));

    // A tile in another CRS is named, with the fix.
    std::vector<float> utm(100, 40.0f);
    ASSERT_NO_FATAL_FAILURE(writeTif((tiles / "z_utm.tif").string(), 32648, 10, 10, {600000.0, 30.0, 0, 2300000.0, 0, -30.0}, utm));
    try {
        io::loadDem(tiles.string(), o);
        ADD_FAILURE() << "a tile in another CRS was mosaicked";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("z_utm.tif"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("EPSG:32648"), std::string::npos) << e.what();
    }
    const auto empty = dir / "empty";
    std::filesystem::create_directories(empty);
    EXPECT_THROW(io::loadDem(empty.string(), o), InputError);
    // Tiles one level down are not searched, and the message says so.
    std::filesystem::create_directories(empty / "N21E105");
    std::filesystem::copy_file(quarters[0], empty / "N21E105" / "q0.tif");
    try {
        io::loadDem(empty.string(), o);
        ADD_FAILURE() << "a folder of folders was read";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("subfolders are not searched"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

// A tile missing from the middle of a mosaic (SRTM has none where there is no land: a bay, a
// lake's tile) is outside the footprint, like a gap that reaches the edge, not a void to
// interpolate across: a run over the whole mosaic leaves it nodata, as a window beside it does,
// cell for cell. Before, the whole run filled it (1.44 million cells of a 3 x 3 mosaic of SRTM3
// tiles: 9.3 s instead of 5.0 s) while the window left it out. Small voids are still filled.
TEST(Dem, TileMissingInsideAMosaicIsOutside) {
    GDALAllRegister();
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_dem_ring_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    constexpr int n = 400;  // cells per tile side, 100 m: the missing tile holds 160,000
    const double x0 = 500000.0, y0 = 2400000.0;
    for (int ty = 0; ty < 3; ++ty) {
        for (int tx = 0; tx < 3; ++tx) {
            if (tx == 1 && ty == 1) continue;
            std::vector<float> v(static_cast<size_t>(n) * n);
            for (int r = 0; r < n; ++r) {
                for (int c = 0; c < n; ++c) {
                    const int gc = tx * n + c, gr = ty * n + r;
                    v[static_cast<size_t>(r) * n + c] = 50.0f + 0.3f * static_cast<float>(gc) + 0.2f * static_cast<float>(gr);
                }
            }
            if (tx == 0 && ty == 1) {
                for (int r = 100; r < 102; ++r) {
                    for (int c = 300; c < 303; ++c) v[static_cast<size_t>(r) * n + c] = -32768.0f;  // a void of 6 cells
                }
            }
            const std::string f = (dir / ("t" + std::to_string(ty) + std::to_string(tx) + ".tif")).string();
            ASSERT_NO_FATAL_FAILURE(writeUtm48Tif(f, n, n, {x0 + tx * n * 100.0, 100.0, 0, y0 - ty * n * 100.0, 0, -100.0}, v, -32768.0));
        }
    }
    io::DemLoadOptions o;
    o.epsg = 32648;
    const io::Terrain whole = io::loadDem(dir.string(), o);
    EXPECT_EQ(whole.tiles, 8);
    EXPECT_EQ(whole.voids_filled, 6) << "the small void, not the missing tile";
    ASSERT_EQ(whole.grid.width(), 3 * n);
    long long hole = 0;
    for (int r = n; r < 2 * n; ++r) {
        for (int c = n; c < 2 * n; ++c) hole += std::isnan(whole.grid.at(c, r));
    }
    EXPECT_EQ(hole, static_cast<long long>(n) * n);
    // 10 km around a cell 60 cells west of the hole: the window crosses into it.
    const io::Projector proj(io::Crs::fromEpsg(32648));
    o.around = {proj.toLatLon({x0 + (n - 60 + 0.5) * 100.0, y0 - (1.5 * n) * 100.0})};
    o.around_m = 10000.0;
    const io::Terrain cut = io::loadDem(dir.string(), o);
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(cut.cropped);
    const GeoTransform& g = cut.grid.geoTransform();
    const int c0 = static_cast<int>(std::lround((g.origin_x_m - x0) / 100.0)), r0 = static_cast<int>(std::lround((y0 - g.origin_y_m) / 100.0));
    long long outside = 0;
    for (int r = 0; r < cut.grid.height(); ++r) {
        for (int c = 0; c < cut.grid.width(); ++c) {
            const float a = cut.grid.at(c, r), b = whole.grid.at(c0 + c, r0 + r);
            outside += std::isnan(a);
            if (std::isnan(b)) EXPECT_TRUE(std::isnan(a)) << "cell " << c0 + c << "," << r0 + r;
            else EXPECT_EQ(a, b) << "cell " << c0 + c << "," << r0 + r;
        }
    }
    EXPECT_GT(outside, 5000);
}
