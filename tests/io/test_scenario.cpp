// Scenario files: every bundled scenario loads, and bad files fail with the file, line, key path
// and the fix in the message.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../data_paths.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/scenario.hpp"

namespace fs = std::filesystem;
using namespace phusong;

namespace {
class ScenarioFile : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("phusong_scn_" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string write(const std::string& text) {
        const std::string p = (m_dir / "s.yaml").string();
        std::ofstream(p) << text;
        return p;
    }
    // The InputError message of loading @p text, or "" when it loads.
    std::string error(const std::string& text, const std::string& data_dir = "") {
        try {
            io::loadScenario(write(text), data_dir);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    }
    fs::path m_dir;
};

const char* kMinimal =
    "name: t\n"
    "region:\n"
    "  terrain:\n"
    "    synthetic: {size_km: 10, resolution_m: 50}\n"
    "sites:\n"
    "  generate: {towers: 5, bts: {4G: 5}}\n";
}  // namespace

TEST_F(ScenarioFile, EveryBundledScenarioLoadsWithAndWithoutTheSharedData) {
    const fs::path dir = fs::path(PHUSONG_SOURCE_DIR) / "scenarios";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".yaml") continue;
        ++n;
        SCOPED_TRACE(e.path().string());
        const io::Scenario plain = io::loadScenario(e.path().string(), "");
        EXPECT_FALSE(plain.name.empty());
        EXPECT_FALSE(plain.provenance.empty()) << "each scenario says which parts are real and which synthetic";
        // Without --data-dir every ${data} input is marked unavailable and a synthetic one stands in.
        EXPECT_TRUE(plain.terrain.dem.empty());
        EXPECT_TRUE(plain.villages.file.empty());
        if (fs::exists(phusong::test::sharedData("real"))) {
            const io::Scenario real = io::loadScenario(e.path().string(), PHUSONG_SHARED_DATA);
            if (!real.villages.where.empty()) EXPECT_FALSE(real.villages.file.empty());
        }
    }
    EXPECT_EQ(n, 6) << "demo, bac_giang_2020, bac_giang_2024, vinh_phuc, yen_phong_5g, bac_lieu";
    // The province figures the scenarios echo.
    const io::Scenario bg = io::loadScenario((dir / "bac_giang_2024.yaml").string(), "");
    ASSERT_TRUE(bg.generator);
    EXPECT_EQ(bg.generator->rules.towers, 1596);
    EXPECT_EQ(bg.generator->bts.at(Technology::G2), 884);
    EXPECT_EQ(bg.generator->bts.at(Technology::G3), 1242);
    EXPECT_EQ(bg.generator->bts.at(Technology::G4), 1647);
    EXPECT_EQ(bg.generator->bts.at(Technology::G5), 2);
}

TEST_F(ScenarioFile, MinimalScenarioGetsDefaults) {
    const io::Scenario s = io::loadScenario(write(kMinimal), "");
    EXPECT_EQ(s.name, "t");
    ASSERT_TRUE(s.terrain.synthetic);
    EXPECT_DOUBLE_EQ(s.terrain.synthetic->options.size_km, 10.0);
    ASSERT_EQ(s.techs.count(Technology::G4), 1u);  // added for the generator's 4G BTS
    EXPECT_DOUBLE_EQ(s.techs.at(Technology::G4).threshold_dBm, defaultThreshold_dBm(Technology::G4));
    EXPECT_EQ(s.operators.size(), 3u);
    EXPECT_FALSE(s.techs.at(Technology::G4).shadowing_dB) << "median coverage unless a technology names its shadowing";
    EXPECT_DOUBLE_EQ(s.location_probability_pct, 90.0);
}

TEST_F(ScenarioFile, ShadowingPerTechnologyAndLocationProbability) {
    const io::Scenario s = io::loadScenario(
        write(std::string(kMinimal) + "technologies: {4G: {shadowing_db: 8}, 5G: {}}\nmodel: {location_probability: 95}\n"), "");
    ASSERT_TRUE(s.techs.at(Technology::G4).shadowing_dB);
    EXPECT_DOUBLE_EQ(*s.techs.at(Technology::G4).shadowing_dB, 8.0);
    EXPECT_FALSE(s.techs.at(Technology::G5).shadowing_dB);
    EXPECT_DOUBLE_EQ(s.location_probability_pct, 95.0);
    std::string e = error(std::string(kMinimal) + "technologies: {4G: {shadowing_db: 0}}\n");
    EXPECT_NE(e.find("technologies.4G.shadowing_db: expected a number within 0.1 .. 30"), std::string::npos) << e;
    e = error(std::string(kMinimal) + "model: {location_probability: 100}\n");
    EXPECT_NE(e.find("model.location_probability: expected a number within 50 .. 99.9"), std::string::npos) << e;
}

TEST_F(ScenarioFile, AntennaModelPerTechnology) {
    const std::string sectors = "name: t\nregion: {terrain: {synthetic: {size_km: 10, resolution_m: 50}}}\n"
                                "sites:\n  generate: {towers: 5, bts: {4G: 5}, sectors_per_bts: 3}\n";
    const io::Scenario s = io::loadScenario(write(sectors + "technologies: {4G: {antenna_model: sector-65-midband}}\n"), "");
    EXPECT_EQ(s.techs.at(Technology::G4).antenna_model, "sector-65-midband");
    EXPECT_EQ(s.techs.at(Technology::G4).mechanical_tilt_deg, 0.0);
    EXPECT_EQ(io::loadScenario(write(sectors + "technologies: {4G: {mechanical_tilt_deg: 3}}\n"), "").techs.at(Technology::G4).mechanical_tilt_deg, 3.0);
    EXPECT_NE(error(sectors + "technologies: {4G: {mechanical_tilt_deg: 45}}\n").find("technologies.4G.mechanical_tilt_deg: expected a number within -20 .. 30"),
              std::string::npos);
    EXPECT_EQ(io::loadScenario(write(std::string(kMinimal) + "technologies: {4G: {antenna_model: omni-8}}\n"), "")
                  .techs.at(Technology::G4)
                  .antenna_model,
              "omni-8");
    std::string e = error(sectors + "technologies: {4G: {antenna_model: panel}}\n");
    EXPECT_NE(e.find("line 5"), std::string::npos) << e;
    EXPECT_NE(e.find("technologies.4G.antenna_model: 'panel' is unknown; use one of sector-65-midband"), std::string::npos) << e;
    e = error(sectors + "technologies: {4G: {antenna_model: sector-65-midband, v_beamwidth_deg: 8}}\n");
    EXPECT_NE(e.find("not both"), std::string::npos) << e;
    // The generated cells are omni (sectors_per_bts 1) or sectors: the model must match.
    e = error(sectors + "technologies: {4G: {antenna_model: omni-8}}\n");
    EXPECT_NE(e.find("'omni-8' is omnidirectional but sites.generate.sectors_per_bts is 3"), std::string::npos) << e;
    e = error(std::string(kMinimal) + "technologies: {4G: {antenna_model: sector-33-midband}}\n");
    EXPECT_NE(e.find("is a sector antenna but sites.generate.sectors_per_bts is 1"), std::string::npos) << e;
}

TEST_F(ScenarioFile, OutputsCompression) {
    EXPECT_EQ(io::loadScenario(write(kMinimal), "").compression, "fast");
    EXPECT_EQ(io::loadScenario(write(std::string(kMinimal) + "outputs: {compression: small}\n"), "").compression, "small");
    const std::string e = error(std::string(kMinimal) + "outputs: {kmz: false, compression: lzw}\n");
    EXPECT_NE(e.find("line 7"), std::string::npos) << e;
    EXPECT_NE(e.find("outputs.compression: 'lzw' is unknown; use fast"), std::string::npos) << e;
}

TEST_F(ScenarioFile, ErrorsNameTheLineKeyAndFix) {
    // A typo in a key: the line, the path, and the suggestion.
    std::string e = error(std::string(kMinimal) + "modle: {name: itm}\n");
    EXPECT_NE(e.find("line 7"), std::string::npos) << e;
    EXPECT_NE(e.find("modle: unknown key; did you mean 'model'?"), std::string::npos) << e;
    // Wrong type, nested path.
    e = error("name: t\nregion:\n  terrain:\n    synthetic: {size_km: big}\nsites:\n  generate: {towers: 5, bts: {4G: 5}}\n");
    EXPECT_NE(e.find("line 4"), std::string::npos) << e;
    EXPECT_NE(e.find("region.terrain.synthetic.size_km: expected a number"), std::string::npos) << e;
    EXPECT_NE(e.find("'big'"), std::string::npos) << e;
    // Out of range.
    e = error("name: t\nregion: {terrain: {synthetic: {}}}\nsites:\n  generate: {towers: -3, bts: {4G: 5}}\n");
    EXPECT_NE(e.find("sites.generate.towers: expected a number within 1 .. 200000"), std::string::npos) << e;
    // Unknown technology.
    e = error("name: t\nregion: {terrain: {synthetic: {}}}\nsites:\n  generate: {towers: 3, bts: {6G: 5}}\n");
    EXPECT_NE(e.find("unknown technology '6G'; use 2G, 3G, 4G or 5G"), std::string::npos) << e;
    // Missing required key.
    e = error("region: {terrain: {synthetic: {}}}\n");
    EXPECT_NE(e.find("name: missing"), std::string::npos) << e;
    // Shares that do not add up.
    EXPECT_EQ(error(std::string(kMinimal) + "villages: {synthetic: {count: 4}}\n"), "");
    e = error("name: t\nregion: {terrain: {synthetic: {}}}\nsites:\n  generate: {towers: 3, bts: {4G: 5}, placement: {hilltops: 0.5, villages: 0.2}}\n");
    EXPECT_NE(e.find("must add up to 1"), std::string::npos) << e;
    // Not YAML at all.
    e = error("name: [unclosed\n");
    EXPECT_NE(e.find("not valid YAML"), std::string::npos) << e;
    // A file that does not exist, relative to the scenario.
    e = error("name: t\nregion: {terrain: {dem: nowhere.tif}}\n");
    EXPECT_NE(e.find("nowhere.tif: no such file"), std::string::npos) << e;
    // ${data} with no --data-dir and no synthetic fallback.
    e = error("name: t\nregion: {terrain: {dem: \"${data}/x.tif\"}}\nsites: {generate: {towers: 3, bts: {4G: 3}}}\n");
    EXPECT_NE(e.find("needs --data-dir"), std::string::npos) << e;
    // Zone targets without zones.
    e = error(std::string(kMinimal) + "villages: {synthetic: {count: 4}}\ntargets: {industrial_zones_5g: true}\n");
    EXPECT_NE(e.find("targets.industrial_zones_5g: the scenario has no industrial_zones"), std::string::npos) << e;
    // A name that cannot name files.
    e = error("name: a b\nregion: {terrain: {synthetic: {}}}\n");
    EXPECT_NE(e.find("use letters, digits"), std::string::npos) << e;
    // Every message starts with the file.
    EXPECT_EQ(e.rfind((m_dir / "s.yaml").string(), 0), 0u) << e;
}

TEST_F(ScenarioFile, DataDirResolvesRealInputs) {
    PHUSONG_REQUIRE_DATA(phusong::test::sharedData("real/srtmgl1_redriverdelta_haiduong_106.05E_20.65N.tif"));
    const std::string text =
        "name: t\nregion:\n  terrain:\n    dem: \"${data}/real/srtmgl1_redriverdelta_haiduong_106.05E_20.65N.tif\"\n"
        "    stand_in_center: [21.2, 105.9]\nsites: {generate: {towers: 3, bts: {4G: 3}}}\n";
    const io::Scenario s = io::loadScenario(write(text), PHUSONG_SHARED_DATA);
    ASSERT_EQ(s.terrain.dem.size(), 1u);
    EXPECT_TRUE(fs::exists(s.terrain.dem[0]));
    ASSERT_TRUE(s.terrain.stand_in_center);
    EXPECT_DOUBLE_EQ(s.terrain.stand_in_center->lat_deg, 21.2);
    EXPECT_NE(error(text, "/no/such/folder").find("--data-dir /no/such/folder: not a folder"), std::string::npos);
}
