#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "phusong/core/error.hpp"
#include "phusong/io/sites.hpp"

using namespace phusong;

TEST(Sites, GeoJsonPointsWithoutLatLonColumns) {
    const auto dir = std::filesystem::temp_directory_path() / "phusong_sites_test";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "sites.geojson").string();
    std::ofstream(path) << R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"site_id":"A","antenna_height_m":30,"tech":"4G","freq_mhz":1800,"eirp_dbm":60},
 "geometry":{"type":"Point","coordinates":[106.2,21.3]}},
{"type":"Feature","properties":{"site_id":"B","antenna_height_m":-3,"tech":"4G","freq_mhz":1800,"eirp_dbm":60},
 "geometry":{"type":"Point","coordinates":[106.3,21.4]}}]})";
    try {
        io::readSectors(path);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("feature 2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("antenna_height_m"), std::string::npos) << e.what();
    }
    std::ofstream(path) << R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"site_id":"A","antenna_height_m":30,"tech":"4G","freq_mhz":1800,"eirp_dbm":60},
 "geometry":{"type":"Point","coordinates":[106.2,21.3]}}]})";
    const auto s = io::readSectors(path);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_DOUBLE_EQ(s[0].position.lat_deg, 21.3);
    EXPECT_DOUBLE_EQ(s[0].position.lon_deg, 106.2);
    EXPECT_THROW(io::readSectors((dir / "missing.csv").string()), InputError);
    std::filesystem::remove_all(dir);
}
