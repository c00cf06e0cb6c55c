#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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
        // EIRP in W or mW instead of dBm: 200 "dBm" is 10^14 W.
        {h + "A,21,106,30,4G,1800,200,,\n", "line 2", "eirp_dbm' = 200 dBm is outside [-30, 100]"},
        {"site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm,antenna_gain_dbi\nA,21,106,30,4G,1800,20000,17\n", "line 2",
         "tx_power_dbm 20000"},
        {h, "no rows", "sites.csv"},
    };
    for (const auto& c : cases) {
        const std::string msg = errorOf(c.csv);
        EXPECT_NE(msg.find(c.expect1), std::string::npos) << c.csv << " -> " << msg;
        EXPECT_NE(msg.find(c.expect2), std::string::npos) << c.csv << " -> " << msg;
    }
}

TEST(Sector, DuplicateSectorIsRefusedButItsNeighboursAreNot) {
    const std::string h = kHeader;
    // The same row twice: each copy would be the other's co-channel interferer at SINR ~0 dB.
    const std::string msg =
        errorOf(h + "A,21,106,30,4G,1800,60,120,\nB,21.1,106,30,4G,1800,60,,\nA,21,106,30,4G,1800,58,120,\n");
    EXPECT_NE(msg.find("sites.csv line 4: the same sector as sites.csv line 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("site A, 4G at 1800 MHz, 120.0 deg, 30 m"), std::string::npos) << msg;
    EXPECT_NE(msg.find("delete one of the rows"), std::string::npos) << msg;
    // Omni twice is a duplicate too.
    EXPECT_NE(errorOf(h + "B,21.1,106,30,4G,1800,60,,\nB,21.1,106,30,4G,1800,60,,\n")
                  .find("line 3: the same sector as sites.csv line 2"),
              std::string::npos);
    // A site's sectors, carriers, heights and the operators sharing a tower are distinct sectors.
    const std::string csv =
        "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,operator\n"
        "A,21,106,30,4G,1800,60,0,X\nA,21,106,30,4G,1800,60,120,X\nA,21,106,30,4G,2600,60,0,X\n"
        "A,21,106,40,4G,1800,60,0,X\nA,21,106,30,4G,1800,60,0,Y\nA,21,106,30,3G,1800,60,0,X\n"
        "A,21,106,30,4G,1800,60,,X\nC,21,106,30,4G,1800,60,0,X\n";
    EXPECT_EQ(parseSectors(parseCsv(csv, "sites.csv")).size(), 8u);
}

TEST(Sector, UnrelatedExtraColumnsAreIgnored) {
    const auto s = parseSectors(parseCsv(std::string("comment,") + kHeader + "hello,A,21,106,30,4G,1800,60,,\n", "s.csv"));
    EXPECT_EQ(s.size(), 1u);
}

TEST(Sector, AntennaModelSetsPatternAndGain) {
    const auto s = parseSectors(parseCsv(
        "site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm,eirp_dbm,azimuth_deg,v_beamwidth_deg,antenna_model\n"
        "A,21,106,30,4G,1800,43,,120,,sector-65-midband\n"
        "B,21,106,30,4G,1800,43,,240,10,Sector-65-Midband\n"
        "C,21,106,30,2G,900,,58,0,,sector-65-lowband\n"
        "D,21,106,20,2G,900,40,,,,omni-8\n"
        "E,21,106,30,4G,1800,,60,30,,\n",
        "models.csv"));
    ASSERT_EQ(s.size(), 5u);
    EXPECT_DOUBLE_EQ(s[0].eirp_dBm, 43.0 + 17.0);  // the model's gain
    EXPECT_EQ(s[0].pattern.h_beamwidth_deg, 65.0);
    EXPECT_EQ(s[0].pattern.v_beamwidth_deg, 7.0);
    EXPECT_EQ(s[0].pattern.max_attenuation_dB, 25.0);
    EXPECT_EQ(s[0].pattern.side_lobe_attenuation_dB, 20.0);
    EXPECT_EQ(s[0].antenna_model, "sector-65-midband");
    // 60 degrees off boresight on the horizon: 12 (60/65)^2 dB, capped by nothing.
    EXPECT_NEAR(s[0].pattern.attenuation_dB(180.0, 0.0), 12.0 * (60.0 / 65.0) * (60.0 / 65.0), 1e-12);
    // Behind: A_m = 25 dB, the model's front-to-back (the default pattern caps at 30).
    EXPECT_NEAR(s[0].pattern.attenuation_dB(300.0, 0.0), 25.0, 1e-12);
    EXPECT_EQ(s[1].pattern.v_beamwidth_deg, 10.0);  // the row's column overrides the model
    EXPECT_DOUBLE_EQ(s[2].eirp_dBm, 58.0);          // an explicit EIRP wins over the model's gain
    EXPECT_EQ(s[2].pattern.v_beamwidth_deg, 12.0);
    EXPECT_DOUBLE_EQ(s[3].eirp_dBm, 40.0 + 11.0);
    EXPECT_FALSE(s[3].pattern.azimuth_deg);
    EXPECT_NEAR(s[3].pattern.attenuation_dB(123.0, 0.0), 0.0, 1e-12);  // omni
    EXPECT_EQ(s[4].pattern.max_attenuation_dB, 30.0);                  // no model: TR 38.901 defaults
    EXPECT_EQ(s[4].pattern.v_beamwidth_deg, 10.0);
}

TEST(Sector, AntennaModelErrorsNameTheLineAndTheFix) {
    const std::string h = "site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm,azimuth_deg,antenna_model,antenna_file\n";
    struct Case {
        std::string csv, expect1, expect2;
    } cases[] = {
        {h + "A,21,106,30,4G,1800,43,120,sector-65,\n", "line 2", "use one of sector-65-midband"},
        {h + "A,21,106,30,4G,1800,43,120,omni-8,\n", "omnidirectional", "leave azimuth_deg empty"},
        {h + "A,21,106,30,4G,1800,43,,sector-33-midband,\n", "sector antenna", "give azimuth_deg"},
        {h + "A,21,106,30,4G,1800,43,120,sector-65-midband,a.msi\n", "both 'antenna_model' and 'antenna_file'", "give one"},
        {h + "A,21,106,30,4G,1800,43,120,,\n", "line 2", "eirp_dbm"},
        {"site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm\nA,21,106,30,4G,1800,43\n", "antenna_gain_dbi", "antenna_model"},
        // A file's pattern is whole: the columns it would silently override are refused.
        {"site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,electrical_tilt_deg,antenna_file\n"
         "A,21,106,30,4G,1800,60,120,4,a.msi\n",
         "field 'electrical_tilt_deg' = 4 with antenna_file 'a.msi'", "give the file for that tilt"},
        {"site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,v_beamwidth_deg,antenna_file\n"
         "A,21,106,30,4G,1800,60,120,7,a.msi\n",
         "field 'v_beamwidth_deg' with antenna_file", "leave the field empty"},
    };
    for (const auto& c : cases) {
        const std::string msg = errorOf(c.csv);
        EXPECT_NE(msg.find(c.expect1), std::string::npos) << c.csv << " -> " << msg;
        EXPECT_NE(msg.find(c.expect2), std::string::npos) << c.csv << " -> " << msg;
    }
}

TEST(Sector, AntennaFileGainWithoutAGainColumn) {
    // tx_power_dbm and antenna_file alone: the EIRP takes the file's gain. The file is found
    // relative to the table.
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("phusong_sector_msi_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir / "panel.msi");
        f << "NAME HAND-65\nGAIN 15 dBd\nHORIZONTAL 2\n0 0\n180 25\nVERTICAL 2\n0 0\n180 20\n";
    }
    // Beside it, a row of a parametric model with its electrical tilt: a table may mix both, the
    // file's row leaving electrical_tilt_deg at 0 (or empty) and its mechanical tilt applying.
    const auto s = parseSectors(parseCsv("site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm,azimuth_deg,antenna_file,"
                                         "antenna_model,electrical_tilt_deg,mechanical_tilt_deg\n"
                                         "A,21,106,30,4G,1800,43,90,panel.msi,,0,2\n"
                                         "B,21,106.1,30,4G,1800,43,90,,sector-65-midband,4,2\n",
                                         (dir / "sites.csv").string()));
    std::filesystem::remove_all(dir);
    ASSERT_EQ(s.size(), 2u);
    ASSERT_TRUE(s[0].pattern.msi);
    EXPECT_DOUBLE_EQ(s[0].eirp_dBm, 43.0 + 15.0 + 2.15);  // dBd -> dBi
    EXPECT_EQ(s[0].pattern.downtilt_deg, 0.0);  // the file holds the electrical tilt
    EXPECT_EQ(s[0].pattern.mechanical_tilt_deg, 2.0);
    EXPECT_FALSE(s[1].pattern.msi);
    EXPECT_EQ(s[1].pattern.downtilt_deg, 4.0);  // electrical: the vertical cut at every azimuth
    EXPECT_EQ(s[1].pattern.mechanical_tilt_deg, 2.0);  // mechanical: turns the antenna
}
