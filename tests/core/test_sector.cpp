#include <gtest/gtest.h>

#include "phusong/core/error.hpp"
#include "phusong/core/sector.hpp"

using namespace phusong;

namespace {
const char* kHeader = "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,bandwidth_mhz\n";

std::string errorOf(const std::string& csv) {
    try {
        parseSectors(parseCsv(csv, "sites.csv"));
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(Sector, ParsesRowsAndDefaults) {
    const auto s = parseSectors(parseCsv(std::string(kHeader) + "A1,21.3,106.2,30,4G,1800,60,120,\nB,21.4,106.3,25,2g,900,55,,\n",
                                         "sites.csv"));
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].site_id, "A1");
    EXPECT_EQ(s[0].tech, Technology::G4);
    EXPECT_DOUBLE_EQ(*s[0].pattern.azimuth_deg, 120.0);
    EXPECT_DOUBLE_EQ(s[0].bandwidth_MHz, 20.0);  // default for 4G
    EXPECT_FALSE(s[1].pattern.azimuth_deg);       // empty azimuth = omni
    EXPECT_EQ(s[1].location, "sites.csv line 3");
}

TEST(Sector, EirpFromPowerAndGain) {
    const auto s = parseSectors(parseCsv(
        "site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm,antenna_gain_dbi\nA,21,106,30,3G,2100,43,17.5\n",
        "s.csv"));
    EXPECT_DOUBLE_EQ(s[0].eirp_dBm, 60.5);
}

TEST(Sector, ErrorsNameFileLineAndField) {
    const std::string h = kHeader;
    struct Case {
        std::string csv, expect1, expect2;
    } cases[] = {
        {"site_id,lat,lon,tech,freq_mhz,eirp_dbm\nA,21,106,4G,1800,60\n", "antenna_height_m", "missing"},
        {"site_id,lat,lon,antena_height_m,tech,freq_mhz,eirp_dbm\nA,21,106,30,4G,1800,60\n", "did you mean",
         "antenna_height_m"},
        {"site_id,lat,lon,antenna_height_m,tech,freq_mhz\nA,21,106,30,4G,1800\n", "eirp_dbm", "sites.csv"},
        {h + "A,21,106,30,6G,1800,60,,\n", "line 2", "tech"},
        {h + "A,95,106,30,4G,1800,60,,\n", "line 2", "lat"},
        {h + "A,21,206,30,4G,1800,60,,\n", "line 2", "lon"},
        {h + "A,21,106,-5,4G,1800,60,,\n", "line 2", "antenna_height_m"},
        {h + "A,21,106,30,4G,abc,60,,\n", "line 2", "freq_mhz"},
        {h + "A,21,106,30,4G,1800,60,400,\n", "line 2", "azimuth_deg"},
        {h + "A,21,106,30,4G,1800,60,,7\n", "line 2", "bandwidth_mhz"},
        {h + ",21,106,30,4G,1800,60,,\n", "line 2", "site_id"},
        {h, "no rows", "sites.csv"},
    };
    for (const auto& c : cases) {
        const std::string msg = errorOf(c.csv);
        EXPECT_NE(msg.find(c.expect1), std::string::npos) << c.csv << " -> " << msg;
        EXPECT_NE(msg.find(c.expect2), std::string::npos) << c.csv << " -> " << msg;
    }
}

TEST(Sector, UnrelatedExtraColumnsAreIgnored) {
    const auto s = parseSectors(parseCsv(std::string("comment,") + kHeader + "hello,A,21,106,30,4G,1800,60,,\n", "s.csv"));
    EXPECT_EQ(s.size(), 1u);
}
