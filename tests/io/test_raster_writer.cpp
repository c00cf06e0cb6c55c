#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <cmath>
#include <unistd.h>
#include <filesystem>

#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/raster_writer.hpp"

using namespace phusong;

TEST(RasterWriter, CogRoundTripWithMetadata) {
    const auto dir = std::filesystem::temp_directory_path() / "phusong_writer_test";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "x.tif").string();
    Grid<float> g(7, 5, GeoTransform{600000.0, 2400000.0, 30.0, 30.0}, 1.5f, std::numeric_limits<float>::quiet_NaN());
    g.at(3, 2) = -97.25f;
    g.at(0, 0) = std::numeric_limits<float>::quiet_NaN();
    io::writeCog(path, g, io::Crs::fromEpsg(32648), {"4G RSRP", "dBm", {{"PHUSONG_COMMAND", "phusong test"}}});
    ASSERT_TRUE(std::filesystem::exists(path));
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        EXPECT_EQ(e.path().filename(), "x.tif") << "temporary file left behind";
    }
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
    ASSERT_NE(ds, nullptr);
    EXPECT_STREQ(ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"), "COG");
    EXPECT_STREQ(ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    // No predictor: the floating-point one made writing 2.7x and reading 4x slower for a tenth to a
    // quarter less space (raster_writer.cpp).
    EXPECT_EQ(ds->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE"), nullptr);
    EXPECT_STREQ(ds->GetMetadataItem("PHUSONG_COMMAND"), "phusong test");
    EXPECT_EQ(ds->GetSpatialRef()->GetEPSGGeogCS(), 4326);
    EXPECT_STREQ(ds->GetSpatialRef()->GetAuthorityCode(nullptr), "32648");
    double gt[6];
    ds->GetGeoTransform(gt);
    EXPECT_DOUBLE_EQ(gt[0], 600000.0);
    EXPECT_DOUBLE_EQ(gt[5], -30.0);
    GDALRasterBand* b = ds->GetRasterBand(1);
    EXPECT_STREQ(b->GetDescription(), "4G RSRP");
    EXPECT_STREQ(b->GetUnitType(), "dBm");
    int has = 0;
    EXPECT_TRUE(std::isnan(b->GetNoDataValue(&has)));
    EXPECT_TRUE(has);
    float v[35];
    ASSERT_EQ(b->RasterIO(GF_Read, 0, 0, 7, 5, v, 7, 5, GDT_Float32, 0, 0), CE_None);
    EXPECT_FLOAT_EQ(v[2 * 7 + 3], -97.25f);
    EXPECT_TRUE(std::isnan(v[0]));
    EXPECT_FLOAT_EQ(v[1], 1.5f);
    GDALClose(ds);

    Grid<int32_t> bi(3, 3, GeoTransform{600000.0, 2400000.0, 30.0, 30.0}, -1, -1);
    bi.at(1, 1) = 42;
    io::writeCog(path, bi, io::Crs::fromEpsg(32648), {"best server", "", {}});
    ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
    EXPECT_EQ(ds->GetRasterBand(1)->GetRasterDataType(), GDT_Int32);
    EXPECT_EQ(ds->GetRasterBand(1)->GetNoDataValue(), -1.0);
    GDALClose(ds);
    std::filesystem::remove_all(dir);
}

// CogCompression::Small: DEFLATE with TIFF's predictor, the floating-point one (3) for Float32 and
// horizontal differencing (2) for integer rasters; the same values back, and on a smooth Float32
// field (a signal-like ramp) a smaller file than the default Fast. Unknown names are refused.
TEST(RasterWriter, SmallCompressionUsesThePredictorAndKeepsTheValues) {
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_small_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const GeoTransform gt{600000.0, 2400000.0, 30.0, 30.0};
    Grid<float> f(600, 400, gt, 0.0f, std::numeric_limits<float>::quiet_NaN());
    for (int r = 0; r < 400; ++r) {
        for (int c = 0; c < 600; ++c) f.at(c, r) = static_cast<float>(-60.0 - 20.0 * std::log10(1.0 + std::hypot(c - 300.0, r - 200.0)));
    }
    f.at(5, 7) = std::numeric_limits<float>::quiet_NaN();
    Grid<int32_t> n(600, 400, gt, 0, -1);
    for (int r = 0; r < 400; ++r) {
        for (int c = 0; c < 600; ++c) n.at(c, r) = (c / 50) + 12 * (r / 50);
    }
    const io::Crs crs = io::Crs::fromEpsg(32648);
    auto meta = [](io::CogCompression c) {
        io::RasterMeta m{"x", "dBm", {}};
        m.compression = c;
        return m;
    };
    const std::string fast_f = (dir / "fast_f.tif").string(), small_f = (dir / "small_f.tif").string();
    const std::string small_i = (dir / "small_i.tif").string();
    io::writeCog(fast_f, f, crs, meta(io::CogCompression::Fast));
    io::writeCog(small_f, f, crs, meta(io::CogCompression::Small));
    io::writeCog(small_i, n, crs, meta(io::CogCompression::Small));
    auto predictor = [](const std::string& path) {
        GDALDataset* d = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
        EXPECT_NE(d, nullptr);
        const char* p = d ? d->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE") : nullptr;
        std::string out = p ? p : "none";
        EXPECT_STREQ(d->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
        GDALClose(d);
        return out;
    };
    EXPECT_EQ(predictor(fast_f), "none");
    EXPECT_EQ(predictor(small_f), "3");
    EXPECT_EQ(predictor(small_i), "2");
    EXPECT_LT(std::filesystem::file_size(small_f), std::filesystem::file_size(fast_f));
    GDALDataset* d = static_cast<GDALDataset*>(GDALOpen(small_f.c_str(), GA_ReadOnly));
    std::vector<float> fv(600 * 400);
    ASSERT_EQ(d->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 600, 400, fv.data(), 600, 400, GDT_Float32, 0, 0), CE_None);
    GDALClose(d);
    for (size_t i = 0; i < f.data().size(); ++i) {
        const float a = f.data()[i], b = fv[i];
        ASSERT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << "pixel " << i;
    }
    d = static_cast<GDALDataset*>(GDALOpen(small_i.c_str(), GA_ReadOnly));
    std::vector<int32_t> iv(600 * 400);
    ASSERT_EQ(d->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 600, 400, iv.data(), 600, 400, GDT_Int32, 0, 0), CE_None);
    GDALClose(d);
    EXPECT_TRUE(std::equal(iv.begin(), iv.end(), n.data().begin()));
    EXPECT_EQ(io::parseCogCompression("small", "--compression"), io::CogCompression::Small);
    EXPECT_EQ(io::parseCogCompression("fast", "--compression"), io::CogCompression::Fast);
    try {
        io::parseCogCompression("zip", "--compression");
        ADD_FAILURE() << "no error for an unknown compression";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--compression = 'zip' is unknown; use fast"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

// A best-server raster's classes travel in PATH.aux.xml: read back as written, renamed into place
// with the GeoTIFF (no temporary file left), and a later write without classes removes them.
TEST(RasterWriter, ClassesTravelInTheSidecarAndAStaleOneIsRemoved) {
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_classes_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "best_server_4G.tif").string();
    Grid<int32_t> g(6, 4, GeoTransform{600000.0, 2400000.0, 30.0, 30.0}, 3, -1);
    g.at(0, 0) = 7;
    g.at(5, 3) = -1;
    io::RasterClasses cl;
    cl.columns = {"site_id", "operator"};
    cl.rows = {{3, {"BG_0001_4G", "Viettel"}}, {7, {"BG_0002 <&> 4G", "VNPT"}}};
    io::writeCog(path, g, io::Crs::fromEpsg(32648), {"4G best server", "", {}}, cl);
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"best_server_4G.tif", "best_server_4G.tif.aux.xml"}));
    {
        // Integer rasters without a predictor too (runs of one value compress well as they are).
        GDALDataset* d = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE"), nullptr);
        GDALClose(d);
    }
    const io::RasterClasses back = io::readClasses(path);
    EXPECT_EQ(back.columns, cl.columns);
    ASSERT_EQ(back.rows.size(), 2u);
    EXPECT_EQ(back.rows[0].first, 3);
    EXPECT_EQ(back.rows[1].first, 7);
    EXPECT_EQ(back.rows[1].second, cl.rows[1].second);
    // Pixels are unchanged by the classes.
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
    ASSERT_NE(ds, nullptr);
    int32_t px[2] = {0, 0};
    ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 2, 1, px, 2, 1, GDT_Int32, 0, 0), CE_None);
    EXPECT_EQ(px[0], 7);
    EXPECT_EQ(px[1], 3);
    GDALClose(ds);
    // Written again without classes: no sidecar, nothing read back.
    io::writeCog(path, g, io::Crs::fromEpsg(32648), {"4G best server", "", {}});
    EXPECT_FALSE(std::filesystem::exists(path + ".aux.xml"));
    EXPECT_TRUE(io::readClasses(path).rows.empty());
    std::filesystem::remove_all(dir);
}

// The overviews (what QGIS draws zoomed out) hold values of the raster: a class raster's (best
// server, overlap, change) only classes it has, a continuous raster's only values within its
// range. GDAL's default for COG overviews, cubic, put server indices that no pixel has (even
// negative ones) into a province's best-server map, overlap 9 where no pixel exceeds 8, and here a
// coverage probability of -4.7 and 104.7 % beside an edge.
TEST(RasterWriter, OverviewsHoldOnlyValuesTheRasterHas) {
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_overview_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    constexpr int n = 1100;  // above the 512-pixel tile: two overview levels
    const GeoTransform gt{600000.0, 2400000.0, 30.0, 30.0};
    // Bands of a few pixels with far-apart classes, and nodata between some of them.
    auto classAt = [](int c, int r) {
        const int band = (c + 2 * r) / 3 % 5;
        return band == 4 ? -1 : std::array<int, 4>{3, 1500, 17, 820}[static_cast<size_t>(band)];
    };
    Grid<int32_t> servers(n, n, gt, -1, -1);
    Grid<uint8_t> overlap(n, n, gt, 0, 255);
    Grid<float> probability(n, n, gt, 0.0f, std::numeric_limits<float>::quiet_NaN());
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            servers.at(c, r) = classAt(c, r);
            overlap.at(c, r) = static_cast<uint8_t>(classAt(c, r) < 0 ? 255 : classAt(c, r) % 9);
            probability.at(c, r) = c < 551 ? 0.0f : 100.0f;  // one edge: cubic rings beside it
        }
    }
    const io::Crs crs = io::Crs::fromEpsg(32648);
    io::writeCog((dir / "s.tif").string(), servers, crs, {"best server", "", {}});
    io::writeCog((dir / "o.tif").string(), overlap, crs, {"overlap", "", {}});
    io::writeCog((dir / "p.tif").string(), probability, crs, {"probability", "%", {}});
    auto overviewValues = [](const std::string& path, std::vector<double>& full, std::vector<double>& ov) {
        GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
        ASSERT_NE(ds, nullptr);
        GDALRasterBand* b = ds->GetRasterBand(1);
        ASSERT_EQ(b->GetOverviewCount(), 2) << path;
        full.resize(static_cast<size_t>(b->GetXSize()) * b->GetYSize());
        ASSERT_EQ(b->RasterIO(GF_Read, 0, 0, b->GetXSize(), b->GetYSize(), full.data(), b->GetXSize(), b->GetYSize(), GDT_Float64, 0, 0), CE_None);
        ov.clear();
        for (int level = 0; level < 2; ++level) {
            GDALRasterBand* o = b->GetOverview(level);
            std::vector<double> v(static_cast<size_t>(o->GetXSize()) * o->GetYSize());
            ASSERT_EQ(o->RasterIO(GF_Read, 0, 0, o->GetXSize(), o->GetYSize(), v.data(), o->GetXSize(), o->GetYSize(), GDT_Float64, 0, 0), CE_None);
            ov.insert(ov.end(), v.begin(), v.end());
        }
        GDALClose(ds);
    };
    for (const char* name : {"s.tif", "o.tif"}) {
        std::vector<double> full, ov;
        overviewValues((dir / name).string(), full, ov);
        const std::set<double> classes(full.begin(), full.end());
        size_t foreign = 0;
        for (double v : ov) foreign += classes.count(v) ? 0 : 1;
        EXPECT_EQ(foreign, 0u) << name << ": overview pixels with a value no pixel of the raster has";
    }
    std::vector<double> full, ov;
    overviewValues((dir / "p.tif").string(), full, ov);
    const auto [lo, hi] = std::minmax_element(ov.begin(), ov.end());
    EXPECT_GE(*lo, 0.0);
    EXPECT_LE(*hi, 100.0);
    std::filesystem::remove_all(dir);
}

// The overview pixels are the mean (Float32, NaN left out) or the most frequent value (integer
// rasters, nodata left out, the smaller on ties) of the pixels they cover, and the file stays a
// COG with its overviews after the full-resolution data.
TEST(RasterWriter, OverviewPixelsSummariseThePixelsTheyCover) {
    const auto dir = std::filesystem::temp_directory_path() / ("phusong_overview_px_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    constexpr int n = 1030;  // 515 px after one halving: exact 2 x 2 blocks
    const GeoTransform gt{600000.0, 2400000.0, 30.0, 30.0};
    const float nan = std::numeric_limits<float>::quiet_NaN();
    Grid<float> f(n, n, gt, -80.0f, nan);
    f.at(0, 0) = 1.0f, f.at(1, 0) = 2.0f, f.at(0, 1) = nan, f.at(1, 1) = 6.0f;  // mean 3
    f.at(2, 0) = nan, f.at(3, 0) = nan, f.at(2, 1) = nan, f.at(3, 1) = nan;     // none valid
    Grid<int32_t> s(n, n, gt, 11, -1);
    s.at(0, 0) = 5, s.at(1, 0) = 7, s.at(0, 1) = 5, s.at(1, 1) = -1;  // 5
    s.at(2, 0) = 9, s.at(3, 0) = 4, s.at(2, 1) = 9, s.at(3, 1) = 4;   // tie: 4
    s.at(4, 0) = -1, s.at(5, 0) = -1, s.at(4, 1) = -1, s.at(5, 1) = -1;
    const io::Crs crs = io::Crs::fromEpsg(32648);
    io::writeCog((dir / "f.tif").string(), f, crs, {"signal", "dBm", {}});
    io::writeCog((dir / "s.tif").string(), s, crs, {"best server", "", {}});
    auto firstRow = [](const std::string& path, std::vector<double>& row) {
        GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly));
        ASSERT_NE(ds, nullptr);
        EXPECT_STREQ(ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"), "COG");
        GDALRasterBand* b = ds->GetRasterBand(1);
        ASSERT_EQ(b->GetOverviewCount(), 2);
        GDALRasterBand* o = b->GetOverview(0);
        EXPECT_EQ(o->GetXSize(), 515);
        row.assign(4, 0.0);
        ASSERT_EQ(o->RasterIO(GF_Read, 0, 0, 4, 1, row.data(), 4, 1, GDT_Float64, 0, 0), CE_None);
        GDALClose(ds);
    };
    std::vector<double> row;
    firstRow((dir / "f.tif").string(), row);
    EXPECT_DOUBLE_EQ(row[0], 3.0);
    EXPECT_TRUE(std::isnan(row[1]));
    EXPECT_DOUBLE_EQ(row[2], -80.0);
    firstRow((dir / "s.tif").string(), row);
    EXPECT_EQ(row[0], 5.0);
    EXPECT_EQ(row[1], 4.0);
    EXPECT_EQ(row[2], -1.0);
    EXPECT_EQ(row[3], 11.0);
    std::filesystem::remove_all(dir);
}
