#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

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
    EXPECT_STREQ(ds->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE"), "3");  // floating-point predictor
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
