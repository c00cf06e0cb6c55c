// End-to-end tests of the phusong CLI: run the built executable as a user would and read the
// outputs back with GDAL.

#include <gdal_priv.h>
#include <gdal_rat.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <cstring>
#include <memory>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <set>
#include <sstream>

#include "../data_paths.hpp"
#include "phusong/core/antenna.hpp"
#include "phusong/core/csv.hpp"

namespace fs = std::filesystem;
using phusong::test::sharedData;

namespace {
struct RunResult {
    int code;
    std::string output;
};

// A file's whole content.
std::string slurp(const fs::path& p) {
    std::ifstream i(p, std::ios::binary);
    std::stringstream ss;
    ss << i.rdbuf();
    return ss.str();
}

RunResult run(const std::string& args) {
    const std::string cmd = std::string(PHUSONG_EXE) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 4096> buf;
    while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        GDALAllRegister();
        m_dir = fs::temp_directory_path() /
                ("phusong_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
                 std::to_string(::getpid()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name)) << text;
        return path(name);
    }
    nlohmann::json readJson(const std::string& name) const { return nlohmann::json::parse(slurp(m_dir / name)); }
    fs::path m_dir;
};

const char* kHeader =
    "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,electrical_tilt_deg,bandwidth_mhz,operator\n";
// A handful of sectors in Đà Nẵng, inside srtmgl1_danang (108.08-108.32 E, 15.87-16.12 N).
const char* kDaNangSites =
    "DN1_1,16.060,108.210,30,4G,1800,61,0,4,20,Viettel\n"
    "DN1_2,16.060,108.210,30,4G,1800,61,120,4,20,Viettel\n"
    "DN1_3,16.060,108.210,30,4G,1800,61,240,4,20,Viettel\n"
    "DN2,16.020,108.150,35,3G,2100,59,,2,5,VNPT\n"
    "DN3,15.950,108.250,40,2G,900,58,90,2,,MobiFone\n"
    "DN4,16.065,108.220,25,5G,3500,74,180,6,100,Viettel\n";

struct Raster {
    std::vector<double> v;
    int w = 0, h = 0;
    double nodata = 0;
    std::string epsg, desc, unit, layout;
    int type = 0;
    std::array<double, 6> gt{};
};

// The TIFF predictor a GeoTIFF's tiles were written with ("none" without one).
std::string tiffPredictor(const std::string& p) {
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(p.c_str(), GA_ReadOnly));
    if (!ds) return "unreadable";
    const char* v = ds->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE");
    const std::string out = v ? v : "none";
    GDALClose(ds);
    return out;
}

Raster readRaster(const std::string& p) {
    Raster r;
    GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(p.c_str(), GA_ReadOnly));
    if (!ds) return r;
    r.w = ds->GetRasterXSize();
    r.h = ds->GetRasterYSize();
    r.epsg = ds->GetSpatialRef() ? ds->GetSpatialRef()->GetAuthorityCode(nullptr) : "";
    const char* layout = ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE");
    r.layout = layout ? layout : "";
    GDALRasterBand* b = ds->GetRasterBand(1);
    r.nodata = b->GetNoDataValue();
    r.desc = b->GetDescription();
    r.unit = b->GetUnitType();
    r.type = b->GetRasterDataType();
    ds->GetGeoTransform(r.gt.data());
    r.v.resize(static_cast<size_t>(r.w) * r.h);
    if (b->RasterIO(GF_Read, 0, 0, r.w, r.h, r.v.data(), r.w, r.h, GDT_Float64, 0, 0) != CE_None) r.v.clear();
    GDALClose(ds);
    return r;
}

// Writes a one-band GeoTIFF of @p w x @p h values of @p type from @p data, georeferenced by
// @p gt in EPSG:@p epsg (x = easting / longitude). False when GDAL cannot.
bool writeGeoTiff(const std::string& path, int w, int h, const std::array<double, 6>& gt, int epsg, GDALDataType type,
                  const void* data) {
    GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), w, h, 1, type, nullptr);
    if (!ds) return false;
    ds->SetGeoTransform(const_cast<double*>(gt.data()));
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ds->SetSpatialRef(&srs);
    const bool ok = ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, w, h, const_cast<void*>(data), w, h, type, 0, 0) == CE_None;
    GDALClose(ds);
    return ok;
}

// True when nothing named like the output or its staging folder exists.
bool noOutputLeft(const fs::path& dir, const std::string& out_name) {
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (n == out_name || n.find(out_name + ".partial") != std::string::npos) return false;
    }
    return true;
}
}  // namespace

TEST_F(Cli, CoverageOnRealDaNangTerrain) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    const RunResult r = run("coverage --dem " + dem + " --sites " + sites + " --out " + path("out") +
                            " --radius-km 4 --resolution-m 90 --threads 2 --threshold 4G=-105dBm --threshold \"3G=-98 dBm\"");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("RSRP"), std::string::npos) << r.output;

    const nlohmann::json s = readJson("out/summary.json");
    EXPECT_EQ(s["model"], "p526-bullington");
    EXPECT_EQ(s["threads"], 2);
    EXPECT_EQ(s["dem"]["crs"], "EPSG:32649");
    EXPECT_EQ(s["technologies"]["4G"]["threshold_dbm"], -105.0);
    EXPECT_EQ(s["technologies"]["3G"]["threshold_dbm"], -98.0) << "thresholds may carry their unit";
    EXPECT_EQ(s["technologies"]["4G"]["sectors"], 3);

    const std::map<std::string, std::set<int>> rows_of = {{"2G", {4}}, {"3G", {3}}, {"4G", {0, 1, 2}}, {"5G", {5}}};
    auto splitCommas = [](const std::string& text) {
        std::vector<std::string> out;
        std::stringstream in(text);
        for (std::string x; std::getline(in, x, ',');) out.push_back(x);
        return out;
    };
    std::vector<std::string> site_rows;  // kDaNangSites, a line per table row
    {
        std::stringstream in{std::string(kDaNangSites)};
        for (std::string l; std::getline(in, l);) site_rows.push_back(l);
    }
    for (const auto& [tech, rows] : rows_of) {
        const Raster sig = readRaster(path("out/signal_" + tech + ".tif"));
        ASSERT_FALSE(sig.v.empty()) << tech;
        EXPECT_EQ(sig.epsg, "32649");
        EXPECT_EQ(sig.layout, "COG");
        EXPECT_EQ(sig.unit, "dBm");
        EXPECT_EQ(sig.type, GDT_Float32);
        EXPECT_NE(sig.desc.find(tech), std::string::npos);
        EXPECT_TRUE(std::isnan(sig.nodata));
        long long valid = 0;
        for (double v : sig.v) {
            if (std::isnan(v)) continue;
            ++valid;
            ASSERT_GT(v, -250.0) << tech;
            ASSERT_LT(v, 0.0) << tech;  // reference signals near a 60-75 dBm EIRP site stay below 0 dBm at 1.5 m
        }
        EXPECT_GT(valid, 1000) << tech;
        const Raster best = readRaster(path("out/best_server_" + tech + ".tif"));
        EXPECT_EQ(best.type, GDT_Int32);
        EXPECT_EQ(best.nodata, -1.0);
        {
            // The raster says which sector each value is: one attribute-table row per sector of
            // the technology, its value the table row, its site_id and source line from the table.
            const std::vector<std::string> ids = {"DN1_1", "DN1_2", "DN1_3", "DN2", "DN3", "DN4"};
            GDALDataset* ds = static_cast<GDALDataset*>(GDALOpen(path("out/best_server_" + tech + ".tif").c_str(), GA_ReadOnly));
            ASSERT_NE(ds, nullptr);
            const GDALRasterAttributeTable* rat = ds->GetRasterBand(1)->GetDefaultRAT();
            ASSERT_NE(rat, nullptr) << tech;
            ASSERT_EQ(rat->GetRowCount(), static_cast<int>(rows.size())) << tech;
            ASSERT_GE(rat->GetColumnCount(), 7);
            EXPECT_STREQ(rat->GetNameOfCol(1), "site_id");
            std::set<int> seen;
            for (int i = 0; i < rat->GetRowCount(); ++i) {
                const int value = rat->GetValueAsInt(i, 0);
                seen.insert(value);
                ASSERT_TRUE(rows.count(value)) << tech << " value " << value;
                EXPECT_EQ(rat->GetValueAsString(i, 1), ids[static_cast<size_t>(value)]);
                EXPECT_EQ(rat->GetValueAsString(i, 6), "sites.csv line " + std::to_string(value + 2));
            }
            EXPECT_EQ(seen, rows);
            GDALClose(ds);
        }
        for (size_t i = 0; i < best.v.size(); ++i) {
            const int b = static_cast<int>(best.v[i]);
            ASSERT_TRUE(b == -1 || rows.count(b)) << tech << " best server " << b;
            ASSERT_EQ(b == -1, std::isnan(sig.v[i]));
        }
        const double pct = s["technologies"][tech]["covered_pct"];
        EXPECT_GE(pct, 0.0);
        EXPECT_LE(pct, 100.0);
        // Coverage by transmitter: one line per sector of the technology; the servers' covered
        // areas add up to the technology's, their best-server areas to the pixels with a server.
        EXPECT_EQ(s["technologies"][tech]["servers_csv"], "servers_" + tech + ".csv");
        std::ifstream csv(path("out/servers_" + tech + ".csv"));
        std::string line;
        std::getline(csv, line);
        EXPECT_EQ(line.rfind("row,site_id,operator,tower_id,freq_mhz,azimuth_deg,source,best_server_km2,covered_km2,", 0), 0u) << line;
        // The sector's position closes each line (lat, lon: QGIS's delimited-text import places them).
        EXPECT_NE(line.find(",max_covered_distance_km,lat,lon,antenna_height_m,eirp_dbm"), std::string::npos) << line;
        std::set<int> listed;
        double covered_km2 = 0.0, best_km2 = 0.0;
        while (std::getline(csv, line)) {
            const std::vector<std::string> f = splitCommas(line);
            ASSERT_GE(f.size(), 9u) << line;
            listed.insert(std::stoi(f[0]));
            EXPECT_EQ(f[6], "sites.csv line " + std::to_string(std::stoi(f[0]) + 2));
            best_km2 += std::stod(f[7]);
            covered_km2 += std::stod(f[8]);
            // lat, lon, height and EIRP: those of the site table's row (kDaNangSites).
            ASSERT_EQ(f.size(), 16u) << line;
            const std::vector<std::string> sf = splitCommas(site_rows.at(static_cast<size_t>(std::stoi(f[0]))));
            EXPECT_EQ(sf[0], f[1]);
            EXPECT_NEAR(std::stod(f[12]), std::stod(sf[1]), 1e-7) << line;
            EXPECT_NEAR(std::stod(f[13]), std::stod(sf[2]), 1e-7) << line;
            EXPECT_EQ(std::stod(f[14]), std::stod(sf[3])) << line;
            EXPECT_EQ(std::stod(f[15]), std::stod(sf[6])) << line;
        }
        EXPECT_EQ(listed, rows) << tech;
        // The same table as a point layer of servers.gpkg: one feature per sector at its position.
        GDALDataset* gpkg = static_cast<GDALDataset*>(GDALOpenEx(path("out/servers.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
        ASSERT_NE(gpkg, nullptr);
        OGRLayer* layer = gpkg->GetLayerByName(("servers_" + tech).c_str());
        ASSERT_NE(layer, nullptr) << tech;
        EXPECT_EQ(layer->GetFeatureCount(), static_cast<GIntBig>(rows.size())) << tech;
        layer->ResetReading();
        for (OGRFeature* feat; (feat = layer->GetNextFeature()) != nullptr; OGRFeature::DestroyFeature(feat)) {
            const OGRPoint* pt = feat->GetGeometryRef()->toPoint();
            const int row = static_cast<int>(feat->GetFieldAsInteger64("row"));
            EXPECT_TRUE(rows.count(row)) << row;
            // Azimuth as a number, null for the omni (DN2, row 3).
            const int az = feat->GetFieldIndex("azimuth_deg");
            if (row == 3) EXPECT_FALSE(feat->IsFieldSetAndNotNull(az));
            else EXPECT_EQ(feat->GetFieldAsDouble(az), std::vector<double>({0, 120, 240, -1, 90, 180})[static_cast<size_t>(row)]);
            EXPECT_GT(pt->getX(), 108.0);  // longitude first (traditional GIS order)
            EXPECT_LT(pt->getY(), 17.0);
        }
        GDALClose(gpkg);
        EXPECT_NEAR(covered_km2, s["technologies"][tech]["covered_km2"].get<double>(), 1e-3 * rows.size()) << tech;
        long long served = 0;
        for (double b : best.v) served += b >= 0.0;
        EXPECT_NEAR(best_km2, served * 0.09 * 0.09, 1e-3 * rows.size()) << tech;  // 90 m pixels
    }
}

TEST_F(Cli, SignalFallsWithDistanceOverFlatGround) {
    // A flat 10 m DEM in UTM 48N, 12 km x 3 km at 30 m, written with GDAL.
    const std::string dem = path("flat.tif");
    {
        const std::vector<float> v(400 * 100, 10.0f);
        ASSERT_TRUE(writeGeoTiff(dem, 400, 100, {600000.0, 30.0, 0.0, 2360000.0, 0.0, -30.0}, 32648, GDT_Float32, v.data()));
    }
    // Site near the west edge at (600105 E, 2358485 N): lat/lon from EPSG:32648.
    OGRSpatialReference utm, wgs;
    utm.importFromEPSG(32648);
    wgs.importFromEPSG(4326);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    auto* ct = OGRCreateCoordinateTransformation(&utm, &wgs);
    double x = 600105.0, y = 2358485.0;
    ct->Transform(1, &x, &y);
    OGRCoordinateTransformation::DestroyCT(ct);
    char row[256];
    std::snprintf(row, sizeof row, "F1,%.9f,%.9f,30,4G,1800,60,,,,\n", y, x);
    const std::string sites = write("flat.csv", std::string(kHeader) + row);
    for (const std::string model : {"p526-deygout", "p526-bullington", "fspl"}) {
        fs::remove_all(path("out"));
        const RunResult r = run("coverage --dem " + dem + " --sites " + sites + " --out " + path("out") + " --radius-km 15 --model " + model);
        ASSERT_EQ(r.code, 0) << r.output;
        const Raster sig = readRaster(path("out/signal_4G.tif"));
        ASSERT_EQ(sig.w, 400);
        const int site_row = 50, site_col = 3;
        // From 900 m on, where the default 10-degree vertical pattern no longer shapes the signal.
        for (int c = site_col + 30; c < sig.w; ++c) {
            ASSERT_LT(sig.v[site_row * sig.w + c], sig.v[site_row * sig.w + c - 1]) << model << " column " << c;
        }
    }
}

TEST_F(Cli, BadInputFailsWithExitTwoAndNoOutput) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string ok_row = "A,16.06,108.21,30,4G,1800,61,0,4,20,Viettel\n";
    struct Case {
        std::string name, sites_csv, extra_args, expect1, expect2;
    } cases[] = {
        {"missing_column", "site_id,lat,lon,antenna_height_m,tech,freq_mhz\nA,16.06,108.21,30,4G,1800\n", "", "eirp_dbm", "missing"},
        {"misspelt_column", "site_id,lat,lon,antena_height_m,tech,freq_mhz,eirp_dbm\nA,16.06,108.21,30,4G,1800,61\n", "",
         "did you mean", "antenna_height_m"},
        {"unknown_tech", std::string(kHeader) + ok_row + "B,16.06,108.21,30,6G,1800,61,0,4,20,V\n", "", "line 3", "'tech'"},
        {"lat_out_of_range", std::string(kHeader) + "A,96.06,108.21,30,4G,1800,61,0,4,20,V\n", "", "line 2", "'lat'"},
        {"site_outside_dem", std::string(kHeader) + ok_row + "C,10.0,106.0,30,4G,1800,61,0,4,20,V\n", "", "line 3",
         "outside the DEM"},
        {"negative_height", std::string(kHeader) + "A,16.06,108.21,-30,4G,1800,61,0,4,20,V\n", "", "line 2", "antenna_height_m"},
        {"non_numeric", std::string(kHeader) + "A,16.06,108.21,30,4G,18OO,61,0,4,20,V\n", "", "line 2", "freq_mhz"},
        {"freq_outside_model", std::string(kHeader) + "A,16.06,108.21,30,2G,900,58,0,4,,V\n" + "D,16.06,108.21,30,5G,3500,74,0,4,100,V\n", "--model hata",
         "line 3", "1500 MHz"},
        {"unreadable_raster", std::string(kHeader) + ok_row, "--dem " PHUSONG_SOURCE_DIR "/README.md", "README.md",
         "cannot open as a raster"},
        {"bad_flag", std::string(kHeader) + ok_row, "--radius-km -3", "radius", ""},
        {"unknown_model", std::string(kHeader) + ok_row, "--model itm2", "--model", "fspl"},
    };
    for (const auto& c : cases) {
        const std::string sites = write(c.name + ".csv", c.sites_csv);
        const std::string dem_arg = c.extra_args.find("--dem") == std::string::npos ? "--dem " + dem + " " : "";
        const RunResult r = run("coverage " + dem_arg + "--sites " + sites + " --out " + path("out_" + c.name) + " " + c.extra_args);
        EXPECT_EQ(r.code, 2) << c.name << ": " << r.output;
        EXPECT_NE(r.output.find(c.expect1), std::string::npos) << c.name << ": " << r.output;
        EXPECT_NE(r.output.find(c.expect2), std::string::npos) << c.name << ": " << r.output;
        if (c.name != "bad_flag" && c.name != "unknown_model" && c.name != "unreadable_raster") {
            EXPECT_NE(r.output.find(sites), std::string::npos) << c.name << " should name the file: " << r.output;
        }
        EXPECT_TRUE(noOutputLeft(m_dir, "out_" + c.name)) << c.name;
    }
    // An unknown flag is a usage error, also exit 2.
    EXPECT_EQ(run("coverage --bogus").code, 2);
}

// A model that meets terrain outside its domain while sweeping (ITM on a plateau at 5,200 m with
// N0 = 250: N_s = 144 N-units, below ITM's 150) fails like any bad input: exit 2, the reason, no
// output. The error is raised inside the sweep's parallel regions; it used to abort the process.
// A grid that cannot fit in memory (a resolution far finer than the DEM's over a wide radius) is
// refused before anything is read, with its size, the memory it needs and the fix: before, `coverage
// --resolution-m 1` over a 20 km radius ran 63 s and was killed at 24 GB. PHUSONG_MEMORY_MB stands
// for a smaller machine here.
TEST_F(Cli, GridTooLargeForMemoryIsRefused) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("s.csv", std::string(kHeader) + kDaNangSites);
    ::setenv("PHUSONG_MEMORY_MB", "100", 1);
    const RunResult big = run("coverage --dem " + dem + " --sites " + sites + " --out " + path("big") + " --resolution-m 5 --radius-km 20 -q");
    const RunResult vs = run("viewshed --dem " + dem + " --site 16.06,108.21 --out " + path("vs.tif") + " --resolution-m 1 --radius-km 10");
    const RunResult synth = run("synth-terrain --out " + path("t.tif") + " --size-km 100 --resolution-m 5");
    const RunResult small = run("coverage --dem " + dem + " --sites " + sites + " --out " + path("small") + " --radius-km 4 -q --outputs signal");
    const std::string scn = write("fine.yaml",
                                  "name: fine\n"
                                  "region:\n"
                                  "  resolution_m: 2\n"
                                  "  terrain: {synthetic: {center: [21.3, 106.2], size_km: 40}}\n"
                                  "technologies: {4G: {}}\n"
                                  "sites: {generate: {seed: 4, towers: 6, bts: {4G: 6}}}\n"
                                  "villages: {synthetic: {count: 10, seed: 5}}\n");
    const RunResult scenario = run("run " + scn + " --out " + path("fine_out") + " --no-plan --no-report -q");
    ::unsetenv("PHUSONG_MEMORY_MB");
    EXPECT_EQ(scenario.code, 2) << scenario.output;
    EXPECT_NE(scenario.output.find("region.resolution_m"), std::string::npos) << scenario.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "fine_out"));
    EXPECT_EQ(big.code, 2) << big.output;
    EXPECT_NE(big.output.find("the analysis grid would be"), std::string::npos) << big.output;
    EXPECT_NE(big.output.find("--resolution-m"), std::string::npos) << big.output;
    EXPECT_NE(big.output.find("the DEM's own spacing is 29.7 m"), std::string::npos) << big.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "big"));
    EXPECT_EQ(vs.code, 2) << vs.output;
    EXPECT_FALSE(fs::exists(path("vs.tif")));
    EXPECT_EQ(synth.code, 2) << synth.output;
    EXPECT_FALSE(fs::exists(path("t.tif")));
    EXPECT_EQ(small.code, 0) << "a grid that fits runs: " << small.output;
}

TEST_F(Cli, ModelErrorDuringTheSweepFailsCleanly) {
    std::vector<float> plateau(60 * 60, 5200.0f);
    ASSERT_TRUE(writeGeoTiff(path("plateau.tif"), 60, 60, {600000.0, 60.0, 0.0, 2400000.0, 0.0, -60.0}, 32648, GDT_Float32,
                             plateau.data()));
    // Two sites near the plateau's centre, (601800, 2398200) and 500 m west, in UTM 48N.
    const std::string sites = write("sites.csv", "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm\n"
                                                 "A,21.684236,105.984036,30,4G,1800,61\n"
                                                 "B,21.684265,105.979203,30,4G,1800,61\n");
    for (const std::string threads : {"1", "2"}) {
        const std::string out = "out_" + threads;
        const RunResult r = run("coverage --dem " + path("plateau.tif") + " --sites " + sites + " --out " + path(out) +
                                " --model itm --itm-n0 250 --radius-km 1.5 --pathloss --quiet --threads " + threads);
        EXPECT_EQ(r.code, 2) << r.output;
        EXPECT_NE(r.output.find("surface refractivity"), std::string::npos) << r.output;
        EXPECT_NE(r.output.find("--itm-n0"), std::string::npos) << r.output;
        EXPECT_EQ(r.output.find("terminate"), std::string::npos) << r.output;
        EXPECT_TRUE(noOutputLeft(m_dir, out)) << threads;
    }
    // Sea-level refractivity at 301 keeps N_s within the domain there: the same run succeeds.
    const RunResult ok = run("coverage --dem " + path("plateau.tif") + " --sites " + sites + " --out " + path("out_ok") +
                             " --model itm --radius-km 1.5 --quiet");
    EXPECT_EQ(ok.code, 0) << ok.output;
}

TEST_F(Cli, AntennasListsTheShippedModels) {
    RunResult r = run("antennas --json");
    ASSERT_EQ(r.code, 0) << r.output;
    const nlohmann::json j = nlohmann::json::parse(r.output);
    const auto models = phusong::antennaModels();
    ASSERT_EQ(j.size(), models.size());
    for (size_t i = 0; i < models.size(); ++i) {
        EXPECT_EQ(j[i]["name"], std::string(models[i].name));
        EXPECT_EQ(j[i]["gain_dbi"].get<double>(), models[i].gain_dBi);
        EXPECT_EQ(j[i]["v_beamwidth_deg"].get<double>(), models[i].v_beamwidth_deg);
        EXPECT_EQ(j[i]["h_beamwidth_deg"].is_null(), models[i].omni);
    }
    r = run("antennas");
    ASSERT_EQ(r.code, 0) << r.output;
    for (const auto& m : models) EXPECT_NE(r.output.find(std::string(m.name)), std::string::npos) << r.output;
}

// `antennas --export` writes a shipped model as an MSI file; a site that names the file covers
// what the same site naming the model covers, to the file's whole-degree sampling (linear between
// degrees against the pattern's parabola: at most 3 / 7^2 = 0.06 dB in the 7 degree vertical beam).
TEST_F(Cli, AntennasExportAnMsiFileThatCoverageReadsAsTheModel) {
    RunResult r = run("antennas --export sector-65-midband --out " + path("panel.msi") + " --electrical-tilt-deg 4 --freq-mhz 1800");
    ASSERT_EQ(r.code, 0) << r.output;
    const phusong::MsiPattern msi = phusong::parseMsi(slurp(m_dir / "panel.msi"), "panel.msi");
    EXPECT_EQ(msi.gain_dBi, 17.0);
    EXPECT_EQ(msi.frequency_MHz, 1800.0);
    for (const auto& e : fs::directory_iterator(m_dir)) EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);

    // Bad requests write nothing.
    struct Bad {
        std::string args, expect;
    } bad[] = {{"--export sector-65 --out " + path("x.msi"), "use one of sector-65-midband"},
               {"--export omni-8", "--export needs --out"},
               {"--export omni-8 --out " + path("x.msi") + " --electrical-tilt-deg 95", "outside [-90, 90]"},
               {"--export omni-8 --out " + path("no_such_dir/x.msi"), "check that the folder exists"}};
    for (const Bad& b : bad) {
        r = run("antennas " + b.args);
        EXPECT_EQ(r.code, 2) << b.args << ": " << r.output;
        EXPECT_NE(r.output.find(b.expect), std::string::npos) << b.args << ": " << r.output;
    }
    EXPECT_FALSE(fs::exists(path("x.msi")));

    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string h = "site_id,lat,lon,antenna_height_m,tech,freq_mhz,tx_power_dbm,azimuth_deg,electrical_tilt_deg,antenna_model,antenna_file\n";
    const std::string model = write("model.csv", h + "DN1,16.060,108.210,30,4G,1800,43,60,4,sector-65-midband,\n");
    const std::string file = write("file.csv", h + "DN1,16.060,108.210,30,4G,1800,43,60,,,panel.msi\n");
    const std::string base = " --radius-km 2 --resolution-m 30 --quiet --dem " + dem;
    r = run("coverage" + base + " --sites " + model + " --out " + path("by_model"));
    ASSERT_EQ(r.code, 0) << r.output;
    r = run("coverage" + base + " --sites " + file + " --out " + path("by_file"));
    ASSERT_EQ(r.code, 0) << r.output;
    const Raster a = readRaster(path("by_model/signal_4G.tif")), b = readRaster(path("by_file/signal_4G.tif"));
    ASSERT_EQ(a.v.size(), b.v.size());
    ASSERT_GT(a.v.size(), 10000u);
    double worst_dB = 0.0;
    size_t compared = 0;
    for (size_t i = 0; i < a.v.size(); ++i) {
        if (std::isnan(a.v[i]) || std::isnan(b.v[i])) {
            EXPECT_EQ(std::isnan(a.v[i]), std::isnan(b.v[i])) << i;
            continue;
        }
        worst_dB = std::max(worst_dB, std::abs(a.v[i] - b.v[i]));
        ++compared;
    }
    EXPECT_GT(compared, 10000u);
    EXPECT_LE(worst_dB, 0.07) << "over " << compared << " pixels";
    EXPECT_TRUE(readJson("by_file/summary.json")["input_warnings"].empty());  // measured at 1800 MHz, used at 1800

    // The same file marked as measured at 900 MHz, on two 1800 MHz sectors and a 900 MHz one: one
    // warning, for the file and the 1800 MHz carrier, counting both sectors.
    r = run("antennas --export sector-65-midband --out " + path("panel.msi") + " --electrical-tilt-deg 4 --freq-mhz 900");
    ASSERT_EQ(r.code, 0) << r.output;
    const std::string mixed = write("mixed.csv", h + "DN1,16.060,108.210,30,4G,1800,43,60,,,panel.msi\n"
                                                     "DN2,16.070,108.220,30,4G,1800,43,60,,,panel.msi\n"
                                                     "DN3,16.070,108.220,30,2G,900,43,60,,,panel.msi\n");
    r = run("coverage" + base + " --sites " + mixed + " --out " + path("mixed"));
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("warning: " + mixed + " line 2: antenna_file 'panel.msi' was measured at 900 MHz (its FREQUENCY) but "
                            "the carrier is 1800 MHz"),
              std::string::npos)
        << r.output;
    const nlohmann::json w = readJson("mixed/summary.json")["input_warnings"];
    ASSERT_EQ(w.size(), 1u) << w.dump();
    EXPECT_NE(w[0].get<std::string>().find("(2 sectors)"), std::string::npos) << w.dump();
}

TEST_F(Cli, PathlossModes) {
    // Free space, 1 km, 1 GHz, equal heights: 92.45 dB [ITU-R P.525-4].
    RunResult r = run("pathloss --model fspl --freq-mhz 1000 --distance-km 1 --tx-height-m 10 --rx-height-m 10 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    nlohmann::json j = nlohmann::json::parse(r.output);
    EXPECT_NEAR(j["loss_db"].get<double>(), 92.45, 0.01);
    EXPECT_EQ(j["model"], "fspl");
    EXPECT_DOUBLE_EQ(j["distance_m"].get<double>(), 1000.0);
    EXPECT_TRUE(j["los"].is_null());
    EXPECT_TRUE(j["warnings"].is_array());

    r = run("pathloss --model hata --environment urban-large --freq-mhz 900 --distance-km 1 --tx-height-m 30 --rx-height-m 1.5 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NEAR(nlohmann::json::parse(r.output)["loss_db"].get<double>(), 126.42, 0.01);
    r = run("pathloss --model hata --freq-mhz 900 --distance-km 0.5 --json");
    EXPECT_FALSE(nlohmann::json::parse(r.output)["warnings"].empty());

    const std::string prof = write("p.csv", "distance_km,height_m\n0,0\n2.5,0\n5,60\n7.5,0\n10,0\n");
    r = run("pathloss --model p526-bullington --profile " + prof + " --freq-mhz 900 --tx-height-m 30 --rx-height-m 10 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    j = nlohmann::json::parse(r.output);
    EXPECT_FALSE(j["los"].get<bool>());
    EXPECT_GT(j["diffraction_db"].get<double>(), 5.0);
    EXPECT_NEAR(j["distance_m"].get<double>(), 10000.0, 1e-6);

    EXPECT_EQ(run("pathloss --model hata --freq-mhz 3500 --distance-km 2").code, 2);
    EXPECT_EQ(run("pathloss --model p526-deygout --freq-mhz 900 --distance-km 2").code, 2);
    EXPECT_EQ(run("pathloss --model fspl --freq-mhz 900").code, 2);
}

TEST_F(Cli, PathlossOverRealDem) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    // From the Sơn Trà peninsula (about 600 m) down to the city: clear line of sight.
    RunResult r = run("pathloss --dem " + dem + " --tx 16.1167,108.2770 --tx-height-m 10 --rx 16.0600,108.2100 --rx-height-m 1.5 --freq-mhz 900 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    nlohmann::json j = nlohmann::json::parse(r.output);
    EXPECT_NEAR(j["distance_m"].get<double>(), 9400.0, 300.0);
    EXPECT_EQ(j["model"], "p526-bullington");
    EXPECT_GE(j["loss_db"].get<double>(), j["free_space_db"].get<double>());
    EXPECT_EQ(run("pathloss --dem " + dem + " --tx 10,106 --rx 16.06,108.21 --freq-mhz 900").code, 2);
}

TEST_F(Cli, SynthTerrainIsDeterministic) {
    ASSERT_EQ(run("synth-terrain --out " + path("a.tif") + " --size-km 5 --resolution-m 50 --seed 3").code, 0);
    ASSERT_EQ(run("synth-terrain --out " + path("b.tif") + " --size-km 5 --resolution-m 50 --seed 3").code, 0);
    const Raster a = readRaster(path("a.tif")), b = readRaster(path("b.tif"));
    EXPECT_EQ(a.w, 100);
    EXPECT_EQ(a.epsg, "32648");
    EXPECT_EQ(a.layout, "COG");
    EXPECT_EQ(a.v, b.v);
}

// --extent sites (the default) reads and writes only the DEM within the radius of the sectors: its
// rasters are the matching window of those of --extent dem, value for value (a projected DEM on
// the analysis grid is cropped without resampling).
TEST_F(Cli, CoverageExtentCropsToTheSectors) {
    ASSERT_EQ(run("synth-terrain --out " + path("dem.tif") + " --size-km 20 --resolution-m 60 --seed 5").code, 0);
    const Raster dem = readRaster(path("dem.tif"));
    ASSERT_EQ(dem.w, 333);
    OGRSpatialReference utm, wgs;
    utm.importFromEPSG(32648);
    wgs.importFromEPSG(4326);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&utm, &wgs));
    // Two sites in the south-west quarter, at cells (60, 250) and (110, 280).
    std::string rows;
    for (const auto& [id, col, row] : {std::tuple{"A", 60, 250}, std::tuple{"B", 110, 280}}) {
        double x = dem.gt[0] + (col + 0.5) * dem.gt[1], y = dem.gt[3] + (row + 0.5) * dem.gt[5];
        ct->Transform(1, &x, &y);
        char line[200];
        std::snprintf(line, sizeof line, "%s,%.9f,%.9f,30,4G,1800,60,,,,\n", id, y, x);
        rows += line;
    }
    const std::string sites = write("sites.csv", std::string(kHeader) + rows);
    const std::string base = "coverage --dem " + path("dem.tif") + " --sites " + sites + " --radius-km 2 --quiet --pathloss";
    RunResult r = run(base + " --out " + path("sites"));
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("within the sectors' radius"), std::string::npos) << r.output;
    r = run(base + " --out " + path("whole") + " --extent dem");
    ASSERT_EQ(r.code, 0) << r.output;
    const nlohmann::json summary = readJson("sites/summary.json");
    EXPECT_EQ(summary["dem"]["extent"], "sites");
    EXPECT_EQ(summary["dem"]["cropped"], true);
    for (const std::string f : {"signal_4G.tif", "sinr_4G.tif", "best_server_4G.tif", "pathloss_A.tif", "pathloss_B.tif"}) {
        const Raster a = readRaster(path("sites/" + f)), b = readRaster(path("whole/" + f));
        ASSERT_FALSE(a.v.empty()) << f;
        if (f.rfind("pathloss", 0) == 0) {
            EXPECT_EQ(a.gt, b.gt) << f;  // a sector's window, whatever the grid
            ASSERT_EQ(a.v.size(), b.v.size()) << f;
            for (size_t i = 0; i < a.v.size(); ++i) {
                ASSERT_TRUE(a.v[i] == b.v[i] || (std::isnan(a.v[i]) && std::isnan(b.v[i]))) << f << " cell " << i;
            }
            continue;
        }
        // The window: 2 km (34 cells) plus 3 cells around the two sites, cells (23..147, 213..317).
        EXPECT_EQ(b.w, 333) << f;
        EXPECT_LT(a.w * a.h, b.w * b.h / 5) << f;
        const double c0 = (a.gt[0] - b.gt[0]) / b.gt[1], r0 = (a.gt[3] - b.gt[3]) / b.gt[5];
        ASSERT_EQ(c0, std::round(c0)) << f;
        ASSERT_EQ(r0, std::round(r0)) << f;
        EXPECT_NEAR(c0, 23, 1) << f;
        EXPECT_NEAR(a.w, 125, 2) << f;
        long long valid = 0;
        for (int row = 0; row < b.h; ++row) {
            for (int col = 0; col < b.w; ++col) {
                const double vb = b.v[static_cast<size_t>(row) * b.w + col];
                const int ca = col - static_cast<int>(c0), ra = row - static_cast<int>(r0);
                const bool in = ca >= 0 && ra >= 0 && ca < a.w && ra < a.h;
                const double va = in ? a.v[static_cast<size_t>(ra) * a.w + ca] : a.nodata;
                if (vb == b.nodata || std::isnan(vb)) {
                    ASSERT_TRUE(va == a.nodata || std::isnan(va)) << f << " " << col << "," << row;
                } else {
                    ASSERT_TRUE(in) << f << ": a value outside the window at " << col << "," << row;
                    ASSERT_EQ(va, vb) << f << " " << col << "," << row;
                    ++valid;
                }
            }
        }
        EXPECT_GT(valid, 1000) << f;
    }
    // A bad value, and sectors off the DEM: exit 2, the message says what to do, no output.
    r = run(base + " --out " + path("bad") + " --extent province");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("--extent 'province'"), std::string::npos) << r.output;
    const std::string far = write("far.csv", std::string(kHeader) + "F,10.0,106.0,30,4G,1800,60,,,,\n");
    r = run("coverage --dem " + path("dem.tif") + " --sites " + far + " --out " + path("far") + " --quiet");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find(far + " line 2"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("give a DEM that covers them"), std::string::npos) << r.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "bad"));
    EXPECT_TRUE(noOutputLeft(m_dir, "far"));
}

// --outputs writes only the composed rasters asked for, and the summary lists only those.
TEST_F(Cli, CoverageOutputsChoosesTheRasters) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    const std::string base = "coverage --dem " + dem + " --sites " + sites + " --radius-km 2 --resolution-m 90 --quiet";
    auto files = [&](const std::string& out) {
        std::set<std::string> f;
        for (const auto& e : fs::directory_iterator(path(out))) f.insert(e.path().filename().string());
        return f;
    };
    RunResult r = run(base + " --out " + path("two") + " --outputs signal,sinr --threshold 4G=-100");
    ASSERT_EQ(r.code, 0) << r.output;
    std::set<std::string> f = files("two");
    for (const std::string t : {"2G", "3G", "4G", "5G"}) {
        EXPECT_TRUE(f.count("signal_" + t + ".tif") && f.count("sinr_" + t + ".tif") && f.count("servers_" + t + ".csv")) << t;
        EXPECT_FALSE(f.count("best_server_" + t + ".tif") || f.count("overlap_" + t + ".tif") || f.count("second_signal_" + t + ".tif"))
            << t;
        // Each raster written has its QGIS style beside it, and only those.
        EXPECT_TRUE(f.count("signal_" + t + ".qml") && f.count("sinr_" + t + ".qml")) << t;
        EXPECT_FALSE(f.count("best_server_" + t + ".qml") || f.count("overlap_" + t + ".qml")) << t;
    }
    EXPECT_TRUE(f.count("signal_4G_Viettel.qml"));
    // The signal style starts at the run's threshold: 4G given as -100 dBm, 3G at its default -100, 2G at -95.
    EXPECT_NE(slurp(m_dir / "two" / "signal_4G.qml").find("&lt; -100 dBm (no service)"), std::string::npos);
    EXPECT_NE(slurp(m_dir / "two" / "signal_2G.qml").find("&lt; -95 dBm (no service)"), std::string::npos);
    EXPECT_FALSE(f.count("throughput_4G.tif"));
    EXPECT_TRUE(f.count("signal_4G_Viettel.tif"));
    const nlohmann::json summary = readJson("two/summary.json");
    EXPECT_EQ(summary["technologies"]["4G"]["signal_raster"], "signal_4G.tif");
    EXPECT_FALSE(summary["technologies"]["4G"].contains("best_server_raster"));
    EXPECT_FALSE(summary["technologies"]["4G"].contains("throughput_raster"));
    EXPECT_TRUE(summary["technologies"]["4G"].contains("mean_throughput_mbps_covered"));
    // The same signal as a run that writes everything.
    r = run(base + " --out " + path("all"));
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(files("all").count("throughput_5G.tif"));
    const Raster a = readRaster(path("two/signal_4G.tif")), b = readRaster(path("all/signal_4G.tif"));
    ASSERT_EQ(a.v.size(), b.v.size());
    EXPECT_EQ(std::memcmp(a.v.data(), b.v.data(), a.v.size() * sizeof(double)), 0);
    // Path loss alone.
    r = run(base + " --out " + path("none") + " --outputs none --pathloss");
    ASSERT_EQ(r.code, 0) << r.output;
    f = files("none");
    EXPECT_TRUE(f.count("pathloss_DN2.tif") && f.count("summary.json"));
    for (const std::string& n : f) {
        EXPECT_TRUE(n.rfind("pathloss_", 0) == 0 || n.rfind("servers_", 0) == 0 || n == "servers.gpkg" || n == "summary.json") << n;
    }
    EXPECT_TRUE(files("all").count("best_server_4G.qml") && files("all").count("throughput_5G.qml"));
    // Unknown names: exit 2, the list of names, no output.
    r = run(base + " --out " + path("bad") + " --outputs signal,rsrq");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("'rsrq'"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("second_signal"), std::string::npos) << r.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "bad"));
}

// --compression small: every raster (composed, per operator, path loss) carries TIFF's predictor
// (3 for Float32, 2 for the integer best server and overlap) and the same pixels as the default
// fast run; the summary says which; an unknown name leaves no output.
TEST_F(Cli, CoverageCompressionSmallKeepsEveryPixel) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    const std::string base = "coverage --dem " + dem + " --sites " + sites + " --radius-km 2 --resolution-m 90 --quiet --pathloss";
    RunResult r = run(base + " --out " + path("fast"));
    ASSERT_EQ(r.code, 0) << r.output;
    r = run(base + " --out " + path("small") + " --compression small");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(readJson("fast/summary.json")["compression"], "fast");
    EXPECT_EQ(readJson("small/summary.json")["compression"], "small");
    auto predictor = [&](const std::string& rel) { return tiffPredictor(path(rel)); };
    int compared = 0;
    for (const auto& e : fs::directory_iterator(path("fast"))) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() != ".tif") continue;
        const bool integer = name.rfind("best_server_", 0) == 0 || name.rfind("overlap_", 0) == 0;
        EXPECT_EQ(predictor("fast/" + name), "none") << name;
        EXPECT_EQ(predictor("small/" + name), integer ? "2" : "3") << name;
        const Raster a = readRaster(path("fast/" + name)), b = readRaster(path("small/" + name));
        ASSERT_FALSE(a.v.empty()) << name;
        ASSERT_EQ(a.v.size(), b.v.size()) << name;
        EXPECT_EQ(std::memcmp(a.v.data(), b.v.data(), a.v.size() * sizeof(double)), 0) << name;
        ++compared;
    }
    EXPECT_GE(compared, 20);  // 4 technologies x 5-6 rasters, the operators' layers and 6 path-loss maps
    r = run(base + " --out " + path("bad") + " --compression zstd");
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("--compression = 'zstd' is unknown; use fast"), std::string::npos) << r.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "bad"));
}

// Mechanical tilt turns the antenna, electrical tilt shifts its vertical pattern (TR 38.901 §7.1.3):
// through the site table and the engine, 6 deg of either give the same signal along boresight and
// behind the antenna (there the front-to-back cap rules), and towards the sector's edges the
// mechanical tilt attenuates less (its tilt is cos 60 deg = half there, none 90 deg off).
TEST_F(Cli, MechanicalTiltTurnsTheSectorElectricalTiltShiftsIt) {
    const std::string dem = sharedData("real/srtmgl1_redriverdelta_haiduong_106.05E_20.65N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string head = "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,mechanical_tilt_deg,electrical_tilt_deg,"
                             "h_beamwidth_deg,v_beamwidth_deg\n";
    write("mech.csv", head + "M,20.75,106.30,40,4G,1800,61,0,6,0,65,7\n");
    write("elec.csv", head + "E,20.75,106.30,40,4G,1800,61,0,0,6,65,7\n");
    for (const char* t : {"mech", "elec"}) {
        const RunResult r = run("coverage --dem " + dem + " --sites " + path(std::string(t) + ".csv") + " --out " + path(t) +
                                " --radius-km 4 --outputs signal --quiet");
        ASSERT_EQ(r.code, 0) << r.output;
    }
    const Raster m = readRaster(path("mech/signal_4G.tif")), e = readRaster(path("elec/signal_4G.tif"));
    ASSERT_EQ(m.v.size(), e.v.size());
    ASSERT_GT(m.w, 0);
    // 3 km from the site (the window's centre) at a bearing clockwise from north.
    auto at = [&](const Raster& r, double bearing_deg) {
        const double d_px = 3000.0 / r.gt[1], b = bearing_deg * M_PI / 180.0;
        const int c = static_cast<int>(std::lround(r.w / 2 + d_px * std::sin(b))), row = static_cast<int>(std::lround(r.h / 2 - d_px * std::cos(b)));
        return r.v[static_cast<size_t>(row) * r.w + c];
    };
    EXPECT_NEAR(at(m, 0.0), at(e, 0.0), 1e-4);
    EXPECT_NEAR(at(m, 180.0), at(e, 180.0), 1e-4);
    for (double b : {60.0, -60.0, 90.0}) EXPECT_GT(at(m, b), at(e, b) + 3.0) << b;
    EXPECT_GT(at(m, 30.0), at(e, 30.0));
}

TEST_F(Cli, ProfileRoundTripsThroughPathloss) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string link = " --tx 16.1167,108.2770 --rx 16.0600,108.2100 ";
    ASSERT_EQ(run("profile --dem " + dem + link + "--out " + path("p.csv") + " --freq-mhz 900").code, 0);
    std::ifstream f(path("p.csv"));
    std::string header;
    std::getline(f, header);
    EXPECT_EQ(header, "distance_km,height_m,earth_bulge_m,los_height_m,fresnel1_radius_m");
    // The written profile is a valid --profile input and gives the same loss as the DEM mode
    // (heights are written to the millimetre, hence the small tolerance).
    const RunResult a = run("pathloss --profile " + path("p.csv") + " --freq-mhz 900 --json");
    const RunResult b = run("pathloss --dem " + dem + link + "--freq-mhz 900 --json");
    ASSERT_EQ(a.code, 0) << a.output;
    ASSERT_EQ(b.code, 0) << b.output;
    EXPECT_NEAR(nlohmann::json::parse(a.output)["loss_db"].get<double>(), nlohmann::json::parse(b.output)["loss_db"].get<double>(), 0.01);
    EXPECT_EQ(run("profile --dem " + dem + " --tx 10,106 --rx 16.06,108.21 --out " + path("q.csv")).code, 2);
    EXPECT_FALSE(fs::exists(path("q.csv")));
}

TEST_F(Cli, EveryModelRunsOverARealDem) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string link = " --dem " + dem + " --tx 16.05,108.2 --rx 16.0,108.1 --tx-height-m 30 --json ";
    for (const char* m : {"fspl", "hata", "cost231", "itm", "p1812", "p526-bullington", "p526-deygout", "p526-delta-bullington",
                          "38901-rma", "38901-uma", "38901-umi", "auto"}) {
        SCOPED_TRACE(m);
        const std::string freq = std::string(m) == "cost231" ? "1800" : "900";
        const RunResult r = run("pathloss --model " + std::string(m) + link + "--freq-mhz " + freq);
        ASSERT_EQ(r.code, 0) << r.output;
        const nlohmann::json j = nlohmann::json::parse(r.output);
        // A 160 m ridge stands 4 km from the transmitter: every terrain model is obstructed and
        // loses more than free space.
        EXPECT_FALSE(j["los"].get<bool>());
        EXPECT_GE(j["loss_db"].get<double>(), j["free_space_db"].get<double>() - 1e-9);
    }
    // Intermediate values: ITM horizons and mode, P.1812 horizons and Bullington terms.
    nlohmann::json j = nlohmann::json::parse(run("pathloss --model itm" + link + "--freq-mhz 900").output);
    EXPECT_EQ(j["mode"], "line-of-sight");  // ITM's region: within the smooth-earth horizon distance
    EXPECT_NEAR(j["details"]["tx_horizon_distance_m"].get<double>() / 1000.0, 4.4, 0.3);
    EXPECT_GT(j["details"]["delta_h_m"].get<double>(), 100.0);
    j = nlohmann::json::parse(run("pathloss --model p1812" + link + "--freq-mhz 900").output);
    EXPECT_EQ(j["mode"], "trans-horizon");
    EXPECT_NEAR(j["details"]["dlt_km"].get<double>(), 4.4, 0.3);
    // auto at 900 MHz is P.1812.
    EXPECT_EQ(nlohmann::json::parse(run("pathloss --model auto" + link + "--freq-mhz 900").output)["model"], "p1812");
    // P.1812 stops at 6 GHz and says what to use instead.
    const RunResult bad = run("pathloss --model p1812" + link + "--freq-mhz 26000");
    EXPECT_EQ(bad.code, 2);
    EXPECT_NE(bad.output.find("--model auto"), std::string::npos) << bad.output;
}

// A model warning says how many path-loss evaluations raised it: ITM's "shorter than 1 km" over a
// 2 km disc is about (1/2)^2 = 25 % of the pixels; the counts are the same at any thread count
// and from the reference engine, which evaluates the same pixels.
TEST_F(Cli, CoverageCountsTheWarningsItRaises) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("s.csv", std::string(kHeader) + kDaNangSites);
    const std::string base = "coverage --dem " + dem + " --sites " + sites + " --model itm --radius-km 2 --outputs none";
    auto summary = [&](const std::string& out) { return readJson(out + "/summary.json"); };
    const RunResult r1 = run(base + " --threads 1 --out " + path("t1"));
    ASSERT_EQ(r1.code, 0) << r1.output;
    ASSERT_EQ(run(base + " --threads 2 --out " + path("t2")).code, 0);
    ASSERT_EQ(run(base + " --threads 2 --engine reference --out " + path("ref")).code, 0);
    const nlohmann::json a = summary("t1"), b = summary("t2"), ref = summary("ref");
    const long long n = a["path_loss_evaluations"].get<long long>();
    // Four path-loss classes (the three-sector cell counts once), each a disc of 2 km at 29.7 m.
    EXPECT_NEAR(static_cast<double>(n), 4 * 3.14159 * (2000.0 / 29.7) * (2000.0 / 29.7), 0.03 * n);
    EXPECT_EQ(b["path_loss_evaluations"], a["path_loss_evaluations"]);
    EXPECT_EQ(b["warning_counts"], a["warning_counts"]) << "the same at any thread count";
    EXPECT_EQ(ref["path_loss_evaluations"], a["path_loss_evaluations"]);
    ASSERT_FALSE(a["warning_counts"].empty());
    bool short_path = false;
    for (const auto& w : a["warning_counts"]) {
        EXPECT_GT(w["evaluations"].get<long long>(), 0) << w;
        EXPECT_LE(w["evaluations"].get<long long>(), n) << w;
        if (w["warning"].get<std::string>().find("shorter than 1 km") != std::string::npos) {
            short_path = true;
            EXPECT_NEAR(w["share_pct"].get<double>(), 25.0, 1.5) << w;
        }
    }
    EXPECT_TRUE(short_path);
    EXPECT_NE(r1.output.find(" of " + std::to_string(n) + " path-loss evaluations"), std::string::npos) << r1.output;
}

TEST_F(Cli, ItmAreaModeAndTerminalLosses) {
    // ITM area mode over a distance; the NTIA area.csv case 1 (230 MHz, 16 km, delta_h 0,
    // horizontal polarisation, conductivity 0.008, time 87 %) gives 152.5 dB.
    RunResult r = run("pathloss --model itm --freq-mhz 230 --distance-km 16 --tx-height-m 10 --rx-height-m 1 --itm-delta-h 0 "
                      "--itm-polarization horizontal --itm-sigma 0.008 --itm-mdvar 0 --itm-time 87 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NEAR(nlohmann::json::parse(r.output)["loss_db"].get<double>(), 152.5, 0.1);
    // P.2108 clutter and P.2109 building entry add to any model, and are reported apart.
    const std::string base = "pathloss --model fspl --freq-mhz 1800 --distance-km 2 --json";
    const double plain = nlohmann::json::parse(run(base).output)["loss_db"].get<double>();
    const nlohmann::json j = nlohmann::json::parse(run(base + " --clutter-loss-pct 50 --indoor-pct 50").output);
    EXPECT_GT(j["clutter_loss_db"].get<double>(), 10.0);
    EXPECT_GT(j["building_entry_loss_db"].get<double>(), 5.0);
    EXPECT_NEAR(j["loss_db"].get<double>(), plain + j["clutter_loss_db"].get<double>() + j["building_entry_loss_db"].get<double>(), 1e-9);
    EXPECT_EQ(run(base + " --clutter-type jungle").code, 2);
    EXPECT_EQ(run("pathloss --model fspl --freq-mhz 100 --distance-km 2 --clutter-loss-pct 50").code, 2);  // below 500 MHz
}

TEST_F(Cli, CoverageAutoModelSaysWhichItPicked) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("s.csv", std::string(kHeader) +
                                                 "A,16.05,108.2,30,4G,1800,60,0,,20,\n"
                                                 "B,16.05,108.2,30,5G,26000,60,120,,100,\n");
    const RunResult r = run("coverage --dem " + dem + " --sites " + sites + " --out " + path("out") +
                            " --model auto --radius-km 2 --resolution-m 90 -q");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("p1812 @1800 MHz"), std::string::npos) << r.output;
    const nlohmann::json s = readJson("out/summary.json");
    EXPECT_EQ(s["model"], "auto");
    EXPECT_EQ(s["technologies"]["4G"]["model_by_freq_mhz"]["1800"], "p1812");
    EXPECT_EQ(s["technologies"]["5G"]["model_by_freq_mhz"]["26000"], "p526-deygout");
}

TEST_F(Cli, ProfilePngShowsTerrainLosAndFresnelZone) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    ASSERT_EQ(run("profile --dem " + dem + " --tx 16.05,108.2 --rx 16.0,108.1 --out " + path("p.csv") + " --png " + path("p.png")).code, 0);
    GDALDatasetUniquePtr ds(GDALDataset::Open(path("p.png").c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(ds);
    EXPECT_STREQ(ds->GetDriver()->GetDescription(), "PNG");
    ASSERT_EQ(ds->GetRasterCount(), 3);
    // The three series are drawn in their colours: terrain brown, LOS red, Fresnel blue.
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
    ASSERT_EQ(ds->RasterIO(GF_Read, 0, 0, w, h, rgb.data(), w, h, GDT_Byte, 3, nullptr, 3, 3 * w, 1), CE_None);
    auto count = [&](int r, int g, int b) {
        size_t n = 0;
        for (size_t i = 0; i < rgb.size(); i += 3) n += rgb[i] == r && rgb[i + 1] == g && rgb[i + 2] == b;
        return n;
    };
    EXPECT_GT(count(181, 150, 110), 10000u);
    EXPECT_GT(count(210, 40, 40), 1000u);
    EXPECT_GT(count(70, 110, 220), 1000u);
    // An unwritable PNG path fails cleanly and leaves no CSV behind.
    EXPECT_EQ(run("profile --dem " + dem + " --tx 16.05,108.2 --rx 16.0,108.1 --out " + path("q.csv") + " --png /nonexistent/p.png").code, 2);
    EXPECT_FALSE(fs::exists(path("q.csv")));
}

TEST_F(Cli, CalibrateOnDaNangLoRaMeasurements) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    const std::string meas = sharedData("real/lora_rssi_measurements_danang.csv");
    PHUSONG_REQUIRE_DATA(meas);
    const RunResult r = run("calibrate --measurements " + meas + " --dem " + dem + " --model p1812 --eirp-dbm 14 --out " + path("cal"));
    ASSERT_EQ(r.code, 0) << r.output;
    const nlohmann::json j = readJson("cal/calibration.json");
    EXPECT_GT(j["samples_used"].get<int>(), 8000);
    // Spreading factors give LoRa detection floors, so the fit accounts for censoring.
    EXPECT_EQ(j["fit"]["method"], "truncated-normal maximum likelihood");
    EXPECT_LT(j["after"]["rmse_db"].get<double>(), j["before"]["rmse_db"].get<double>());
    EXPECT_EQ(j["by_distance_band"].size(), 6u);
    EXPECT_TRUE(fs::exists(path("cal/calibration.png")));
    // Least squares on the same data: zero mean error after the fit, by construction.
    const RunResult ls = run("calibrate --measurements " + meas + " --dem " + dem + " --model p1812 --eirp-dbm 14 --no-censoring --out " + path("ls"));
    ASSERT_EQ(ls.code, 0) << ls.output;
    EXPECT_NEAR(readJson("ls/calibration.json")["after"]["mean_error_db"].get<double>(), 0.0, 1e-6);
    // Bad input: a measurement file without rssi, and no EIRP anywhere.
    const std::string bad = write("bad.csv", "lat,lon,tx_lat,tx_lon,freq_mhz\n16.05,108.2,16.06,108.21,900\n");
    RunResult b = run("calibrate --measurements " + bad + " --dem " + dem + " --out " + path("bad_out"));
    EXPECT_EQ(b.code, 2);
    EXPECT_NE(b.output.find("rssi_dbm"), std::string::npos) << b.output;
    const std::string noeirp = write("noeirp.csv", "lat,lon,rssi_dbm,tx_lat,tx_lon,freq_mhz\n16.05,108.2,-90,16.06,108.21,900\n");
    b = run("calibrate --measurements " + noeirp + " --dem " + dem + " --out " + path("bad_out"));
    EXPECT_EQ(b.code, 2);
    EXPECT_NE(b.output.find("--eirp-dbm"), std::string::npos) << b.output;
    // Terminal-loss options are checked here as in pathloss and coverage.
    b = run("calibrate --measurements " + meas + " --dem " + dem + " --eirp-dbm 14 --indoor-pct 150 --out " + path("bad_out"));
    EXPECT_EQ(b.code, 2);
    EXPECT_NE(b.output.find("--indoor-pct"), std::string::npos) << b.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "bad_out"));
}

// Issue 4 outputs: composition rasters, per-sector path loss, clutter at the receiver.
TEST_F(Cli, CoverageCompositionPathlossAndClutter) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    const std::string base = " --radius-km 3 --resolution-m 90 --threads 2 --quiet --dem " + dem + " --sites " + sites;
    RunResult r = run("coverage" + base + " --out " + path("plain") + " --pathloss");
    ASSERT_EQ(r.code, 0) << r.output;

    // A class raster over the whole DEM: built-up (50) everywhere, water (80) in the west half.
    {
        std::vector<uint8_t> v(240 * 250, 50);
        for (int row = 0; row < 250; ++row) {
            for (int col = 0; col < 120; ++col) v[static_cast<size_t>(row) * 240 + col] = 80;
        }
        ASSERT_TRUE(writeGeoTiff(path("lc.tif"), 240, 250, {108.08, 0.001, 0, 16.12, 0, -0.001}, 4326, GDT_Byte, v.data()));
    }
    const std::string table = write("lc.csv", "class,loss_db,name\n50,12.5,built-up\n80,0,water\n");
    r = run("coverage" + base + " --out " + path("clut") + " --clutter " + path("lc.tif") + " --clutter-table " + table);
    ASSERT_EQ(r.code, 0) << r.output;

    const Raster a = readRaster(path("plain/signal_4G.tif")), b = readRaster(path("clut/signal_4G.tif"));
    ASSERT_EQ(a.v.size(), b.v.size());
    std::set<double> drops;
    for (size_t i = 0; i < a.v.size(); ++i) {
        if (!std::isnan(a.v[i])) drops.insert(std::round((a.v[i] - b.v[i]) * 100.0) / 100.0);
    }
    EXPECT_TRUE(drops.count(12.5)) << "built-up pixels lose the table's 12.5 dB";
    EXPECT_TRUE(drops.count(0.0)) << "water pixels lose nothing";
    EXPECT_EQ(drops.size(), 2u);

    // A land-cover raster finer than the grid: 30 m cells, 3 x 3 to each 90 m pixel, of which 5 are
    // built-up and 4 water, the centre one among them. Each pixel takes its dominant class
    // (built-up: every pixel loses 12.5 dB), not the class under its centre (water: none), as
    // nearest neighbour had it.
    {
        const int fw = 3 * a.w, fh = 3 * a.h;
        std::vector<uint8_t> v(static_cast<size_t>(fw) * fh, 50);
        for (int row = 0; row < fh; ++row) {
            for (int col = 0; col < fw; ++col) {
                const int i = col % 3, j = row % 3;
                if ((i == 1 && j == 1) || (i == 0 && j == 0) || (i == 2 && j == 0) || (i == 0 && j == 2)) v[static_cast<size_t>(row) * fw + col] = 80;
            }
        }
        ASSERT_EQ(a.epsg, "32649");
        ASSERT_TRUE(writeGeoTiff(path("lc30.tif"), fw, fh, {a.gt[0], a.gt[1] / 3, 0, a.gt[3], 0, a.gt[5] / 3}, 32649, GDT_Byte, v.data()));
    }
    r = run("coverage" + base + " --out " + path("clut30") + " --clutter " + path("lc30.tif") + " --clutter-table " + table);
    ASSERT_EQ(r.code, 0) << r.output;
    const Raster b30 = readRaster(path("clut30/signal_4G.tif"));
    ASSERT_EQ(b30.v.size(), a.v.size());
    std::set<double> drops30;
    for (size_t i = 0; i < a.v.size(); ++i) {
        if (!std::isnan(a.v[i])) drops30.insert(std::round((a.v[i] - b30.v[i]) * 100.0) / 100.0);
    }
    EXPECT_EQ(drops30, std::set<double>{12.5}) << "each pixel's dominant class, built-up";

    // Clutter heights: built-up as P.2108 urban clutter 15 m high (no fixed loss), water with none.
    // The receiver (1.5 m) is below it, so each carrier loses the §3.1 height-gain correction,
    // eq. (2a): A = J(nu) - 6.03 with nu = 0.342 sqrt(f_GHz) sqrt(h_dif theta_clut), h_dif = R - h,
    // theta_clut = atan(h_dif / w_s) in degrees, w_s = 27 m, and J from P.526 eq. (31).
    {
        const std::string htable = write("lch.csv", "class,loss_db,height_m,type\n50,,15,urban\n80,0,,\n");
        r = run("coverage" + base + " --out " + path("clut_h") + " --clutter " + path("lc.tif") + " --clutter-table " + htable);
        ASSERT_EQ(r.code, 0) << r.output;
        auto expected = [](double f_GHz) {
            const double h_dif = 15.0 - 1.5, theta = std::atan(h_dif / 27.0) * 180.0 / M_PI;
            const double nu = 0.342 * std::sqrt(f_GHz) * std::sqrt(h_dif * theta);
            return 6.9 + 20.0 * std::log10(std::sqrt((nu - 0.1) * (nu - 0.1) + 1.0) + nu - 0.1) - 6.03;
        };
        for (const auto& [tech, f_GHz] : {std::pair<std::string, double>{"4G", 1.8}, {"2G", 0.9}}) {
            const Raster p0 = readRaster(path("plain/signal_" + tech + ".tif")), p1 = readRaster(path("clut_h/signal_" + tech + ".tif"));
            std::set<double> d;
            for (size_t i = 0; i < p0.v.size(); ++i)
                if (!std::isnan(p0.v[i]) && !std::isnan(p1.v[i])) d.insert(std::round((p0.v[i] - p1.v[i]) * 100.0) / 100.0);
            const double want = std::round(expected(f_GHz) * 100.0) / 100.0;
            EXPECT_TRUE(d.count(want)) << tech << " expects " << expected(f_GHz);
            for (double x : d) EXPECT_TRUE(x == want || x == 0.0) << tech << ": unexpected drop " << x;
            if (tech == "4G") EXPECT_TRUE(d.count(0.0)) << "4G reaches water pixels, which lose nothing";
        }
        // A height without a type is an error naming the line and the choices.
        const std::string bad_h = write("lch2.csv", "class,height_m\n50,15\n80,0\n");
        r = run("coverage" + base + " --out " + path("bad_h") + " --clutter " + path("lc.tif") + " --clutter-table " + bad_h);
        EXPECT_EQ(r.code, 2);
        EXPECT_NE(r.output.find("lch2.csv line 2: field 'type' must be one of"), std::string::npos) << r.output;
    }

    // SINR never exceeds signal over noise; throughput within the 4G cap of 4.4 bit/s/Hz x 20 MHz.
    const Raster sinr = readRaster(path("plain/sinr_4G.tif")), thr = readRaster(path("plain/throughput_4G.tif"));
    const Raster ov = readRaster(path("plain/overlap_4G.tif")), sec = readRaster(path("plain/second_signal_4G.tif"));
    ASSERT_EQ(sinr.v.size(), a.v.size());
    const double noise_re = -174.0 + 10.0 * std::log10(20e6) + 7.0 - 10.0 * std::log10(12.0 * 100);  // per RE
    long long overlapping = 0;
    for (size_t i = 0; i < a.v.size(); ++i) {
        if (std::isnan(a.v[i])) continue;
        EXPECT_LE(sinr.v[i], a.v[i] - noise_re + 1e-3);
        EXPECT_GE(thr.v[i], 0.0);
        EXPECT_LE(thr.v[i], 4.4 * 20.0 + 1e-6);
        if (!std::isnan(sec.v[i])) EXPECT_LE(sec.v[i], a.v[i]);
        overlapping += ov.v[i] >= 2 ? 1 : 0;
        EXPECT_LE(ov.v[i], 8.0f) << "a count up to kOverlapCountMax where there is signal";
    }
    EXPECT_GT(overlapping, 0) << "three co-sited 4G sectors overlap somewhere";
    {
        // The overlap count is a Byte raster with nodata 255.
        GDALDataset* d = static_cast<GDALDataset*>(GDALOpen(path("plain/overlap_4G.tif").c_str(), GA_ReadOnly));
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->GetRasterBand(1)->GetRasterDataType(), GDT_Byte);
        EXPECT_EQ(d->GetRasterBand(1)->GetNoDataValue(), 255.0);
        GDALClose(d);
    }

    // One path-loss raster per sector, Float32 dB, its window only; the three co-sited sectors share a site.
    const nlohmann::json s = readJson("plain/summary.json");
    EXPECT_EQ(s["pathloss_rasters"].size(), 6u);
    const Raster pl = readRaster(path("plain/pathloss_DN2.tif"));
    EXPECT_EQ(pl.type, GDT_Float32);
    EXPECT_EQ(pl.unit, "dB");
    EXPECT_LT(pl.w, a.w);
    double min_loss = 1e9;
    for (double v : pl.v) {
        if (!std::isnan(v)) min_loss = std::min(min_loss, v);
    }
    EXPECT_GT(min_loss, 40.0);
    EXPECT_LT(min_loss, 120.0);
    // The reference engine fills the same path-loss rasters.
    r = run("coverage" + base + " --out " + path("ref") + " --pathloss --engine reference");
    ASSERT_EQ(r.code, 0) << r.output;
    const Raster ref_pl = readRaster(path("ref/pathloss_DN2.tif"));
    ASSERT_EQ(ref_pl.v.size(), pl.v.size());
    long long both = 0;
    for (size_t i = 0; i < pl.v.size(); ++i) both += !std::isnan(pl.v[i]) && !std::isnan(ref_pl.v[i]);
    EXPECT_GT(both, 0);

    // A class missing from the table is an error naming it, and leaves no output.
    const std::string short_table = write("lc2.csv", "class,loss_db\n50,12.5\n");
    r = run("coverage" + base + " --out " + path("bad") + " --clutter " + path("lc.tif") + " --clutter-table " + short_table);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.output.find("80"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(path("bad")));
}

// Location variability: the probability raster is the normal distribution of the local signal
// about the best server's median, and the area "covered at 95 % of locations" is where the median
// clears the threshold by sigma Q_i(0.05) = 1.6448536 sigma (Abramowitz & Stegun Table 26.1).
TEST_F(Cli, CoverageUnderShadowingGivesLocationProbability) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    const std::string base = " --radius-km 3 --resolution-m 90 --threads 2 --quiet --dem " + dem + " --sites " + sites;
    RunResult r = run("coverage" + base + " --out " + path("sh") + " --shadowing-db 8 --shadowing-db 5G=9 --location-probability 95");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("4G at 95 % of locations (shadowing 8.0 dB, margin 13.2 dB)"), std::string::npos) << r.output;
    const nlohmann::json s = readJson("sh/summary.json");
    for (const auto& [tech, sigma] : {std::pair<std::string, double>{"4G", 8.0}, {"5G", 9.0}, {"2G", 8.0}}) {
        const nlohmann::json& e = s["technologies"][tech];
        ASSERT_TRUE(e.contains("location_probability")) << tech;
        const nlohmann::json& lp = e["location_probability"];
        EXPECT_DOUBLE_EQ(lp["shadowing_sigma_db"].get<double>(), sigma);
        EXPECT_NEAR(lp["margin_db"].get<double>(), 1.6448536270 * sigma, 1e-6);
        const double T = e["threshold_dbm"].get<double>();
        const Raster sig = readRaster(path("sh/signal_" + tech + ".tif"));
        const Raster prob = readRaster(path("sh/" + lp["raster"].get<std::string>()));
        EXPECT_EQ(prob.type, GDT_Float32);
        EXPECT_EQ(prob.unit, "%");
        ASSERT_EQ(prob.v.size(), sig.v.size());
        long long valid = 0, at95 = 0;
        double sum = 0.0, worst = 0.0;
        for (size_t i = 0; i < sig.v.size(); ++i) {
            if (std::isnan(prob.v[i])) continue;  // off the DEM
            ++valid;
            sum += prob.v[i];
            const double want = std::isnan(sig.v[i]) ? 0.0 : 50.0 * std::erfc((T - sig.v[i]) / (sigma * std::sqrt(2.0)));
            worst = std::max(worst, std::abs(prob.v[i] - want));
            at95 += !std::isnan(sig.v[i]) && sig.v[i] >= T + 1.6448536270 * sigma;
        }
        ASSERT_GT(valid, 0);
        EXPECT_LT(worst, 1e-3) << tech;
        EXPECT_GT(at95, 0) << tech;
        EXPECT_NEAR(lp["covered_pct"].get<double>(), 100.0 * at95 / valid, 0.05) << tech;
        EXPECT_NEAR(lp["mean_probability_pct"].get<double>(), sum / valid, 1e-3) << tech;
        // Shadowing costs area: fewer pixels at 95 % of locations than at the median.
        EXPECT_LT(lp["covered_pct"].get<double>(), e["covered_pct"].get<double>()) << tech;
    }
    // Each operator's layer gets its own.
    EXPECT_TRUE(s["technologies"]["4G"]["operators"]["Viettel"].contains("location_probability"));
    EXPECT_TRUE(fs::exists(path("sh/coverage_probability_4G_Viettel.tif")));
    // Without --shadowing-db, no probability rasters.
    r = run("coverage" + base + " --out " + path("median"));
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_FALSE(fs::exists(path("median/coverage_probability_4G.tif")));

    for (const auto& [bad, says] : {std::pair<std::string, std::string>{" --shadowing-db 0", "--shadowing-db 0.00: the standard deviation"},
                                    {" --shadowing-db 6G=8", "--shadowing-db '6G=...': unknown technology"},
                                    {" --shadowing-db 8 --location-probability 100", "--location-probability 100.00: the share"}}) {
        r = run("coverage" + base + " --out " + path("bad") + bad);
        EXPECT_EQ(r.code, 2) << bad << ": " << r.output;
        EXPECT_NE(r.output.find(says), std::string::npos) << r.output;
        EXPECT_TRUE(noOutputLeft(m_dir, "bad")) << bad;
    }
}

// The sweep's vectorised pass is built for AVX-512, AVX2 and baseline x86-64; every level must
// give the same bits (PHUSONG_SIMD caps the level), so outputs do not depend on the machine.
TEST_F(Cli, CoverageIsBitIdenticalAtEverySimdLevel) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    const std::string table = write("lc.csv", "class,loss_db\n0,3.5\n");
    {
        // A clutter raster of one class (the pass has a variant with clutter).
        const std::vector<uint8_t> v(24 * 25, 0);
        ASSERT_TRUE(writeGeoTiff(path("lc.tif"), 24, 25, {108.08, 0.01, 0, 16.12, 0, -0.01}, 4326, GDT_Byte, v.data()));
    }
    // The same sectors with 3 deg of mechanical tilt (the antenna pass turns each direction).
    std::string turned = std::string(kHeader);
    turned.insert(turned.size() - 1, ",mechanical_tilt_deg");  // before the header's newline
    std::stringstream rows(kDaNangSites);
    for (std::string row; std::getline(rows, row);) turned += row + ",3\n";
    const std::string sites_turned = write("sites_turned.csv", turned);
    for (const std::string& extra : std::vector<std::string>{"", " --model fspl", " --model 38901-uma", " --clutter " + path("lc.tif") + " --clutter-table " + table,
                                                             " turned"}) {
        std::map<std::string, std::vector<double>> first;
        std::set<std::string> levels;
        for (const std::string level : {"", "avx2", "baseline"}) {
            const std::string out = path("simd_" + (level.empty() ? std::string("best") : level));
            fs::remove_all(out);
            if (level.empty()) ::unsetenv("PHUSONG_SIMD");
            else ::setenv("PHUSONG_SIMD", level.c_str(), 1);
            const bool turn = extra == " turned";
            const RunResult r = run("coverage --radius-km 3 --resolution-m 60 --threads 2 --quiet --dem " + dem + " --sites " +
                                    (turn ? sites_turned : sites) + " --out " + out + (turn ? "" : extra));
            ::unsetenv("PHUSONG_SIMD");
            ASSERT_EQ(r.code, 0) << r.output;
            levels.insert(nlohmann::json::parse(slurp(out + "/summary.json"))["simd"].get<std::string>());
            for (const std::string f : {"signal_4G.tif", "sinr_4G.tif", "signal_2G.tif", "second_signal_4G.tif"}) {
                const Raster x = readRaster(out + "/" + f);
                ASSERT_FALSE(x.v.empty()) << f;
                if (!first.count(f)) {
                    first[f] = x.v;
                    continue;
                }
                ASSERT_EQ(x.v.size(), first[f].size());
                EXPECT_EQ(std::memcmp(x.v.data(), first[f].data(), x.v.size() * sizeof(double)), 0) << f << " at " << level << extra;
            }
        }
        EXPECT_TRUE(levels.count("baseline")) << "PHUSONG_SIMD=baseline is honoured";
    }
    // The viewshed's pass over each ray's samples, near the tile's west edge so that some rays
    // leave the DEM (and take the walk) and the others the pass.
    std::vector<double> first;
    for (const std::string level : {"", "avx2", "baseline"}) {
        const std::string out = path("vs_" + (level.empty() ? std::string("best") : level) + ".tif");
        if (level.empty()) ::unsetenv("PHUSONG_SIMD");
        else ::setenv("PHUSONG_SIMD", level.c_str(), 1);
        const RunResult r = run("viewshed --dem " + dem + " --site 16.00,108.10 --radius-km 5 --threads 2 --out " + out);
        ::unsetenv("PHUSONG_SIMD");
        ASSERT_EQ(r.code, 0) << r.output;
        const Raster x = readRaster(out);
        ASSERT_FALSE(x.v.empty());
        if (first.empty()) {
            first = x.v;
            // 5 km at 1 arc-second is about 170 pixels each way: the tile's west edge cuts the window.
            EXPECT_LT(x.w * std::abs(x.gt[1]), 8000.0) << "the window crosses the DEM's edge";
            continue;
        }
        ASSERT_EQ(x.v.size(), first.size());
        EXPECT_EQ(std::memcmp(x.v.data(), first.data(), x.v.size() * sizeof(double)), 0) << "viewshed at " << level;
    }
}

TEST_F(Cli, ViewshedAndPerOperatorLayers) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    RunResult r = run("viewshed --dem " + dem + " --site 16.00,108.20 --tx-height-m 30 --radius-km 5 --out " + path("vs.tif"));
    ASSERT_EQ(r.code, 0) << r.output;
    const Raster v = readRaster(path("vs.tif"));
    EXPECT_EQ(v.type, GDT_Byte);
    EXPECT_EQ(v.nodata, 255.0);
    EXPECT_EQ(v.layout, "COG");
    long long vis = 0, hid = 0;
    for (double x : v.v) {
        vis += x == 1.0;
        hid += x == 0.0;
    }
    // Pixels of a 5 km disc at the DEM's ~30 m: about pi (5000/30)^2; both classes present in these hills.
    EXPECT_NEAR(static_cast<double>(vis + hid), M_PI * 5000.0 * 5000.0 / (30.0 * 28.7), 0.1 * (vis + hid));
    EXPECT_GT(vis, 0);
    EXPECT_GT(hid, 0);
    // The raster covers the radius (plus 3 cells), as gdal_viewshed -md does, not the whole tile.
    const double cell_m = v.gt[1];
    EXPECT_NEAR(cell_m, 29.7, 0.1);
    EXPECT_NEAR(v.w * cell_m, 10000.0 + 6 * cell_m, 2 * cell_m);
    EXPECT_NEAR(v.h * cell_m, 10000.0 + 6 * cell_m, 2 * cell_m);
    // --site-xy is in the DEM's CRS, here longitude and latitude: the same observer as --site
    // (it was taken as metres on the analysis grid, and put the observer off the DEM).
    r = run("viewshed --dem " + dem + " --site-xy 108.20,16.00 --tx-height-m 30 --radius-km 5 --out " + path("vs_xy.tif"));
    ASSERT_EQ(r.code, 0) << r.output;
    const Raster vxy = readRaster(path("vs_xy.tif"));
    ASSERT_EQ(vxy.v.size(), v.v.size());
    EXPECT_EQ(std::memcmp(vxy.v.data(), v.v.data(), v.v.size() * sizeof(double)), 0);
    EXPECT_EQ(vxy.gt, v.gt);
    // Bad observer: named, exit 2, no file.
    r = run("viewshed --dem " + dem + " --site 10.0,100.0 --out " + path("bad.tif"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.output.find("outside the DEM"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(path("bad.tif")));
    r = run("viewshed --dem " + dem + " --out " + path("bad.tif"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.output.find("--site LAT,LON or --site-xy X,Y"), std::string::npos) << r.output;

    // Coverage with an operator column: per-operator layers beside the all-operator one.
    const std::string sites = write("sites.csv", std::string(kHeader) + kDaNangSites);
    r = run("coverage --radius-km 3 --resolution-m 90 --quiet --dem " + dem + " --sites " + sites + " --out " + path("cov"));
    ASSERT_EQ(r.code, 0) << r.output;
    const Raster all = readRaster(path("cov/signal_4G.tif")), viettel = readRaster(path("cov/signal_4G_Viettel.tif"));
    ASSERT_EQ(all.v.size(), viettel.v.size());
    ASSERT_FALSE(all.v.empty());
    EXPECT_TRUE(fs::exists(path("cov/sinr_4G_Viettel.tif")));
    EXPECT_TRUE(fs::exists(path("cov/signal_3G_VNPT.tif")));
    // Every 4G sector is Viettel's: its layer is the all-operator layer.
    for (size_t i = 0; i < all.v.size(); ++i) {
        if (std::isnan(all.v[i])) EXPECT_TRUE(std::isnan(viettel.v[i]));
        else EXPECT_EQ(all.v[i], viettel.v[i]);
    }
    const auto summary = readJson("cov/summary.json");
    EXPECT_EQ(summary["technologies"]["4G"]["operators"]["Viettel"]["signal_raster"], "signal_4G_Viettel.tif");
}

TEST_F(Cli, PlanCoversEveryVillageAndCachesTheMatrix) {
    const std::string dem = phusong::test::sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string villages = write("villages.csv",
                                       "village_id,lat,lon,population,name\n"
                                       "V1,16.060,108.210,5000,Hai Chau\n"
                                       "V2,16.020,108.150,3000,Hoa Khanh\n"
                                       "V3,15.980,108.230,2000,Hoa Xuan\n"
                                       "V4,16.000,108.190,1500,Cam Le\n");
    const std::string common = "plan --dem " + dem + " --villages " + villages +
                               " --operators Viettel,VNPT --tech 4G --threshold-dbm -100 --radius-km 6 "
                               "--candidate-spacing-m 3000 --time-limit-s 20 --cache-dir " + path("cache") + " -q";
    RunResult r = run(common + " --out " + path("plan"));
    ASSERT_EQ(r.code, 0) << r.output;
    const auto j = readJson("plan/plan_summary.json");
    EXPECT_EQ(j["villages_total"], 4);
    EXPECT_EQ(j["villages_covered"], 4);
    EXPECT_LE(j["lower_bound"].get<double>(), j["cost"].get<double>() + 1e-6);
    EXPECT_GE(j["gap"].get<double>(), 0.0);
    EXPECT_FALSE(j["matrix_from_cache"].get<bool>());
    EXPECT_GE(j["sharing"]["cost_saved"].get<double>(), 0.0);
    // Every village reaches -100 dBm for both operators in the plan's own coverage rasters.
    EXPECT_TRUE(fs::exists(path("plan/coverage/signal_4G_Viettel.tif")));
    std::ifstream vc(path("plan/village_coverage.csv"));
    std::string line;
    std::getline(vc, line);
    EXPECT_EQ(line.rfind("village_id,name,lat,lon,population,covered,best_signal_dbm", 0), 0u);
    int rows = 0;
    while (std::getline(vc, line)) {
        ++rows;
        EXPECT_NE(line.find(",1,"), std::string::npos) << line;
    }
    EXPECT_EQ(rows, 4);
    std::ifstream ps(path("plan/plan_sites.csv"));
    std::getline(ps, line);
    EXPECT_NE(line.find(",role,"), std::string::npos);
    // Re-planning with other costs reuses the matrix.
    r = run(common + " --cost-new-tower 5000 --out " + path("plan2"));
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(readJson("plan2/plan_summary.json")["matrix_from_cache"].get<bool>());
    // Bad input: a villages file without lon fails with exit 2, naming the column, and writes nothing.
    const std::string bad = write("bad.csv", "village_id,lat\nV1,16.0\n");
    r = run("plan --dem " + dem + " --villages " + bad + " --out " + path("badplan"));
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("lon"), std::string::npos) << r.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "badplan"));
}

// Villages no plan can serve say why and what to change: a threshold nothing reaches (exit 2, no
// output, the flags to move), and --k-fold asking for more towers than reach a village (exit 3,
// the village named with how many towers do reach it, not a signal that is in fact above the
// threshold).
TEST_F(Cli, PlanExplainsUnreachableVillages) {
    const std::string dem = path("dem.tif");
    ASSERT_EQ(run("synth-terrain --out " + dem + " --size-km 8 --resolution-m 60").code, 0);
    // One village in the middle of the synthetic DEM (625000, 2356000 in UTM 48N), one near its
    // south-west corner (621300, 2352300), which fewer candidate towers reach.
    const std::string villages = write("villages.csv", "village_id,lat,lon,population\n"
                                                       "V1,21.3016,106.2051,1000\n"
                                                       "V2,21.268385,106.169188,500\n");
    const std::string common = "plan --dem " + dem + " --villages " + villages + " --tech 4G --radius-km 4 --candidate-spacing-m 2000 -q";
    RunResult r = run(common + " --threshold-dbm -20 --out " + path("p_high"));
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("no village is reached at -20.0 dBm"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("--threshold-dbm"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("--k-fold"), std::string::npos) << r.output;  // k = 1: nothing to lower there
    EXPECT_TRUE(noOutputLeft(m_dir, "p_high"));

    r = run(common + " --k-fold 1000 --out " + path("p_k"));
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("by 1000 candidate towers (--k-fold)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("lower --k-fold"), std::string::npos) << r.output;

    r = run(common + " --k-fold 1 --out " + path("p_1"));
    ASSERT_EQ(r.code, 0) << r.output;
    const auto j = readJson("p_1/plan_summary.json");
    const int candidates = j["candidates"]["count"].get<int>();
    ASSERT_GT(candidates, 2);
    // Some k between 2 and the candidate count leaves one village short: scan for it.
    bool found = false;
    for (int k = 2; k <= candidates && !found; ++k) {
        r = run(common + " --k-fold " + std::to_string(k) + " --out " + path("p_scan"));
        if (r.code != 3) continue;
        found = true;
        EXPECT_NE(r.output.find("candidate towers reach it at -110.0 dBm, fewer than --k-fold " + std::to_string(k)), std::string::npos)
            << r.output;
        EXPECT_EQ(r.output.find("best achievable"), std::string::npos) << r.output;
    }
    EXPECT_TRUE(found) << "no --k-fold left exactly some villages short";
}

// Running again into the same --out (a planner iterating) replaces the earlier outputs, folders
// included; it used to fail with "cannot rename: Directory not empty" on plan/coverage/.
TEST_F(Cli, RerunIntoTheSameOutReplacesTheEarlierOutputs) {
    const std::string dem = path("dem.tif");
    ASSERT_EQ(run("synth-terrain --out " + dem + " --size-km 8 --resolution-m 60").code, 0);
    const std::string villages = write("villages.csv", "village_id,lat,lon,population\n"
                                                       "V1,21.3016,106.2051,1000\n");
    const std::string cmd = "plan --dem " + dem + " --villages " + villages + " --tech 4G --radius-km 4 --candidate-spacing-m 2000 -q --out " +
                            path("plan");
    ASSERT_EQ(run(cmd).code, 0);
    ASSERT_TRUE(fs::exists(path("plan/coverage/signal_4G.tif")));
    std::ofstream(path("plan/coverage/stale.tif")) << "from an earlier run";
    const RunResult again = run(cmd + " --threshold-dbm -100");
    EXPECT_EQ(again.code, 0) << again.output;
    EXPECT_TRUE(fs::exists(path("plan/coverage/signal_4G.tif")));
    EXPECT_FALSE(fs::exists(path("plan/coverage/stale.tif")));  // the folder was replaced as a whole
    EXPECT_EQ(readJson("plan/plan_summary.json")["threshold_dbm"].get<double>(), -100.0);
    for (const auto& e : fs::directory_iterator(m_dir)) {
        EXPECT_NE(e.path().filename().string().rfind(".plan.", 0), 0u) << "left behind: " << e.path();  // staging, replaced
    }
}

TEST_F(Cli, OptimizeSolvesOrLibraryInstance) {
    // known_values.csv: scp41 = 429 (optimal); SJC324 p=2 r=800 = 8790 (CBC-proven, optbench PROVENANCE).
    const std::string scp = phusong::test::sharedData("optbench/scp/scp41.txt");
    PHUSONG_REQUIRE_DATA(scp);
    RunResult r = run("optimize --instance " + scp + " --format orlib-scp --json");
    ASSERT_EQ(r.code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output);
    EXPECT_DOUBLE_EQ(j["objective"].get<double>(), 429.0);
    EXPECT_TRUE(j["optimal"].get<bool>());
    r = run("optimize --instance " + phusong::test::sharedData("optbench/mclp/SJC324.txt") + " --format sjc-mclp --p 2 --radius-m 800 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    j = nlohmann::json::parse(r.output);
    EXPECT_DOUBLE_EQ(j["objective"].get<double>(), 8790.0);
    r = run("optimize --instance " + scp + " --format sjc-mclp");
    EXPECT_EQ(r.code, 2) << r.output;
}

// ---------------------------------------------------------------------------------------------
// Scenarios: phusong run / compare.

namespace {
// A small scenario (12 km of synthetic terrain, 20 villages, 8 towers, one industrial zone).
std::string smallScenario(int towers, const std::string& name) {
    return "name: " + name +
           "\n"
           "title: test scenario\n"
           "provenance: {everything: synthetic}\n"
           "region:\n"
           "  resolution_m: 60\n"
           "  terrain:\n"
           "    synthetic: {center: [21.3, 106.2], size_km: 12, resolution_m: 60, max_relief_m: 400, seed: 3}\n"
           "operators: [Viettel, VNPT]\n"
           "technologies:\n"
           "  4G: {threshold_dbm: -105, polygon_thresholds_dbm: [-105, -95]}\n"
           "  5G: {threshold_dbm: -105}\n"
           "model: {name: p526-bullington, radius_km: 5}\n"
           "sites:\n"
           "  generate: {seed: 4, towers: " + std::to_string(towers) +
           ", bts: {4G: " + std::to_string(towers) +
           ", 5G: 1}, placement: {hilltops: 0.5, villages: 0.5}, sectors_per_bts: 3, min_spacing_m: 1500}\n"
           "villages: {synthetic: {count: 20, seed: 5}}\n"
           "industrial_zones:\n"
           "  - {name: Park, center: [21.28, 106.19], size_km: [1.5, 1], target_share: 0.9, threshold_dbm: -100}\n"
           "targets:\n"
           "  villages: {tech: 4G, cover_by: every}\n"
           "  industrial_zones_5g: true\n"
           "plan: {candidate_spacing_m: 1500, time_limit_s: 20, radius_km: 5}\n";
}

// Runs with stdout and stderr kept apart.
struct SplitResult {
    int code;
    std::string out, err;
};
SplitResult runSplit(const std::string& args, const fs::path& err_file) {
    const std::string cmd = std::string(PHUSONG_EXE) + " " + args + " 2>" + err_file.string();
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 4096> buf;
    while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    const int status = pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, slurp(err_file)};
}
}  // namespace

// A scenario on a real DEM with a province outline reads only the DEM around the outline (plus
// 2 km): the commune of Gia Lộc (about 8 x 8 km) on the 60 x 30 km Red River delta tile.
TEST_F(Cli, RunReadsOnlyTheDemAroundTheBoundary) {
    const std::string dem = sharedData("real/srtmgl1_redriverdelta_haiduong_106.05E_20.65N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    const std::string scn = write("gl.yaml",
                                  "name: gia_loc\n"
                                  "region:\n"
                                  "  resolution_m: 30\n"
                                  "  boundary: {file: \"${data}/real/vn_haiphong_haiduong_communes_2025.geojson\", where: {ma: \"1064\"}}\n"
                                  "  terrain: {dem: \"${data}/real/srtmgl1_redriverdelta_haiduong_106.05E_20.65N.tif\"}\n"
                                  "operators: [Viettel, VNPT]\n"
                                  "technologies: {4G: {}}\n"
                                  "model: {name: p526-bullington, radius_km: 3}\n"
                                  "sites: {generate: {seed: 4, towers: 6, bts: {4G: 6}, sectors_per_bts: 3, min_spacing_m: 1000}}\n"
                                  "villages: {synthetic: {count: 10, seed: 5}}\n");
    const RunResult r = run("run " + scn + " --out " + path("out") + " --data-dir " + sharedData("") + " --no-plan --no-report -q");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output.find("open: "), std::string::npos) << "no report was written: " << r.output;
    const Raster t = readRaster(path("out/inputs/dem.tif"));
    // Gia Lộc spans 106.271-106.351 E, 20.794-20.863 N: 8.3 x 7.7 km, plus 2 km each side.
    EXPECT_NEAR(t.w * 30.0, 12300.0, 400.0);
    EXPECT_NEAR(t.h * 30.0, 11700.0, 400.0);
    long long inside = 0;
    for (double v : t.v) inside += !std::isnan(v) && v != t.nodata;
    EXPECT_NEAR(inside * 900.0 / 1e6, 31.8, 1.5) << "the commune's 31.8 km² stay unmasked";
    const Raster sig = readRaster(path("out/coverage/signal_4G.tif"));
    EXPECT_EQ(sig.w, t.w);
    EXPECT_EQ(sig.gt, t.gt);

    // The same tile cut in two at 106.30 E, through the commune, and given as a list of tiles:
    // the same terrain and coverage, to the bit.
    fs::create_directories(path("halves"));
    for (const auto& [name, win] : {std::pair<std::string, std::string>{"west.tif", "0 0 900 972"}, {"east.tif", "900 0 1260 972"}}) {
        std::istringstream ws(win);
        std::vector<std::string> a = {"-srcwin"};
        for (std::string x; ws >> x;) a.push_back(x);
        std::vector<char*> argv;
        for (auto& x : a) argv.push_back(x.data());
        argv.push_back(nullptr);
        GDALTranslateOptions* o = GDALTranslateOptionsNew(argv.data(), nullptr);
        GDALDatasetH src = GDALOpen(dem.c_str(), GA_ReadOnly);
        ASSERT_NE(src, nullptr);
        GDALDatasetH part = GDALTranslate(path("halves/" + name).c_str(), src, o, nullptr);
        GDALTranslateOptionsFree(o);
        ASSERT_NE(part, nullptr);
        GDALClose(part);
        GDALClose(src);
    }
    std::string yaml = slurp(scn);
    const std::string one = "terrain: {dem: \"${data}/real/srtmgl1_redriverdelta_haiduong_106.05E_20.65N.tif\"}";
    ASSERT_NE(yaml.find(one), std::string::npos);
    yaml.replace(yaml.find(one), one.size(), "terrain: {dem: [halves/west.tif, halves/east.tif]}");
    write("gl_tiles.yaml", yaml);
    const RunResult r2 = run("run " + path("gl_tiles.yaml") + " --out " + path("out2") + " --data-dir " + sharedData("") + " --no-plan --no-report -q");
    ASSERT_EQ(r2.code, 0) << r2.output;
    const Raster t2 = readRaster(path("out2/inputs/dem.tif"));
    EXPECT_EQ(t2.gt, t.gt);
    EXPECT_TRUE(std::memcmp(t2.v.data(), t.v.data(), t.v.size() * sizeof(double)) == 0 && t2.v.size() == t.v.size()) << "the same terrain";
    const Raster sig2 = readRaster(path("out2/coverage/signal_4G.tif"));
    EXPECT_TRUE(std::memcmp(sig2.v.data(), sig.v.data(), sig.v.size() * sizeof(double)) == 0 && sig2.v.size() == sig.v.size()) << "the same coverage";
}

// `--dem` takes a folder of tiles: one mosaic, the same rasters as the tile they were cut from,
// and the summary counts the tiles.
TEST_F(Cli, CoverageReadsAFolderOfTiles) {
    const std::string dem = sharedData("real/srtmgl1_danang_108.08E_15.87N.tif");
    PHUSONG_REQUIRE_DATA(dem);
    fs::create_directories(path("tiles"));
    for (int q = 0; q < 4; ++q) {
        std::string c0 = std::to_string((q % 2) * 432), r0 = std::to_string((q / 2) * 450), w = "432", h = "450";
        std::vector<char*> argv = {const_cast<char*>("-srcwin"), c0.data(), r0.data(), w.data(), h.data(), nullptr};
        GDALTranslateOptions* o = GDALTranslateOptionsNew(argv.data(), nullptr);
        GDALDatasetH src = GDALOpen(dem.c_str(), GA_ReadOnly);
        ASSERT_NE(src, nullptr);
        GDALDatasetH part = GDALTranslate(path("tiles/t" + std::to_string(q) + ".tif").c_str(), src, o, nullptr);
        GDALTranslateOptionsFree(o);
        ASSERT_NE(part, nullptr);
        GDALClose(part);
        GDALClose(src);
    }
    const std::string sites = write("s.csv", std::string(kHeader) + kDaNangSites);
    // The sites lie on all four quarters; 6 km reaches across the cuts.
    const std::string common = " --sites " + sites + " --radius-km 6 --threads 2 -q --outputs signal,best_server";
    ASSERT_EQ(run("coverage --dem " + dem + " --out " + path("one") + common).code, 0);
    const RunResult r = run("coverage --dem " + path("tiles") + " --out " + path("four") + common);
    ASSERT_EQ(r.code, 0) << r.output;
    for (const char* f : {"signal_4G.tif", "best_server_4G.tif", "signal_2G.tif", "signal_3G.tif", "signal_5G.tif"}) {
        const Raster a = readRaster(path(std::string("one/") + f)), b = readRaster(path(std::string("four/") + f));
        ASSERT_FALSE(a.v.empty()) << f;
        EXPECT_EQ(a.gt, b.gt) << f;
        EXPECT_TRUE(a.v.size() == b.v.size() && std::memcmp(a.v.data(), b.v.data(), a.v.size() * sizeof(double)) == 0) << f;
    }
    const nlohmann::json j = readJson("four/summary.json");
    EXPECT_EQ(j["dem"]["tiles"], 4);
    // A folder with a tile in another CRS is refused, naming the tile, and writes nothing.
    const std::string utm = path("tiles/u.tif");
    std::vector<float> v(100, 10.0f);
    ASSERT_TRUE(writeGeoTiff(utm, 10, 10, {800000.0, 30.0, 0, 1780000.0, 0, -30.0}, 32649, GDT_Float32, v.data()));
    const RunResult bad = run("coverage --dem " + path("tiles") + " --out " + path("bad") + common);
    EXPECT_EQ(bad.code, 2) << bad.output;
    EXPECT_NE(bad.output.find("u.tif"), std::string::npos) << bad.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "bad"));
}

TEST_F(Cli, RunScenarioWritesCoveragePlanGisOutputsAndReport) {
    const std::string scn = write("small.yaml", smallScenario(8, "small"));
    const fs::path out = m_dir / "out";
    const SplitResult r = runSplit("run " + scn + " --out " + out.string() + " --cache-dir " + path("cache") + " --log-format json", m_dir / "err.txt");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    // --log-format json: every stderr line is a JSON object with a stage; progress events included.
    std::set<std::string> stages;
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
        stages.insert(j.at("stage").get<std::string>());
        EXPECT_TRUE(j.contains("t_s") && j.contains("level"));
    }
    for (const char* s : {"run", "terrain", "villages", "sites", "coverage", "matrix", "plan", "outputs", "report"}) EXPECT_TRUE(stages.count(s)) << s;
    EXPECT_NE(r.out.find("open: "), std::string::npos) << r.out;

    // Villages: the coverage flag agrees with the signal raster at the village, read independently.
    const phusong::Table v = phusong::readCsvFile((out / "villages.csv").string());
    ASSERT_EQ(v.rows.size(), 20u);
    GDALDataset* sig = static_cast<GDALDataset*>(GDALOpen((out / "coverage" / "signal_4G.tif").string().c_str(), GA_ReadOnly));
    ASSERT_NE(sig, nullptr);
    double gt[6];
    sig->GetGeoTransform(gt);
    OGRSpatialReference wgs, utm(*sig->GetSpatialRef());
    wgs.importFromEPSG(4326);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs, &utm));
    int covered = 0;
    for (const auto& row : v.rows) {
        double x = std::stod(row.get("lon")), y = std::stod(row.get("lat"));
        ASSERT_TRUE(ct->Transform(1, &x, &y));
        float val = 0;
        ASSERT_EQ(sig->GetRasterBand(1)->RasterIO(GF_Read, static_cast<int>((x - gt[0]) / gt[1]), static_cast<int>((y - gt[3]) / gt[5]), 1, 1, &val, 1, 1,
                                                  GDT_Float32, 0, 0),
                  CE_None);
        const bool c = val >= -105.0f;
        EXPECT_EQ(row.get("covered_4g"), c ? "1" : "0") << row.get("village_id");
        if (c) EXPECT_FALSE(row.get("server_4g").empty());
        covered += c;
        EXPECT_EQ(row.get("covered_after_plan"), "1") << "the plan covers every village";
    }
    GDALClose(sig);
    const auto summary = nlohmann::json::parse(slurp(out / "run_summary.json"));
    for (const auto& t : summary["technologies"])
        if (t["tech"] == "4G") EXPECT_EQ(t["villages_covered"].get<int>(), covered);
    EXPECT_EQ(summary["plan"]["villages_covered"].get<int>(), 20);
    EXPECT_GE(summary["plan"]["gap"].get<double>(), 0.0);

    // The files the outputs name exist after the run: the coverage summaries' site tables and DEM,
    // and no output (summaries, band descriptions, attribute tables) names the hidden staging
    // folder the run wrote into, which is gone once it committed.
    for (const char* summary_file : {"coverage/summary.json", "plan/coverage/summary.json"}) {
        const auto cs = nlohmann::json::parse(slurp(out / summary_file));
        EXPECT_TRUE(fs::exists(cs["sites_file"].get<std::string>())) << summary_file << ": " << cs["sites_file"];
        EXPECT_TRUE(fs::exists(cs["dem"]["path"].get<std::string>())) << summary_file << ": " << cs["dem"]["path"];
    }
    for (const auto& e : fs::recursive_directory_iterator(out)) {
        if (e.is_regular_file()) EXPECT_EQ(slurp(e.path()).find(".partial-"), std::string::npos) << e.path() << " names the staging folder";
    }

    // GIS outputs: a style beside every signal raster, KMZ, coverage polygons, villages layers.
    for (const auto& e : fs::directory_iterator(out / "coverage")) {
        const std::string n = e.path().filename().string();
        if (n.rfind("signal_", 0) == 0 && e.path().extension() == ".tif") EXPECT_TRUE(fs::exists(fs::path(e.path()).replace_extension(".qml"))) << n;
    }
    EXPECT_TRUE(fs::exists(out / "coverage" / "signal_4G.kmz"));
    GDALDataset* cov = static_cast<GDALDataset*>(GDALOpenEx((out / "coverage" / "coverage_polygons.gpkg").string().c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    ASSERT_NE(cov, nullptr);
    ASSERT_NE(cov->GetLayerByName("coverage_4G"), nullptr);
    EXPECT_EQ(cov->GetLayerByName("coverage_4G")->GetFeatureCount(), 2) << "one feature per threshold (-105, -95)";
    GDALClose(cov);
    GDALDataset* vg = static_cast<GDALDataset*>(GDALOpenEx((out / "villages.gpkg").string().c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    ASSERT_NE(vg, nullptr);
    EXPECT_EQ(vg->GetLayerByName("villages")->GetFeatureCount(), 20);
    EXPECT_EQ(vg->GetLayerByName("industrial_zones")->GetFeatureCount(), 1);
    GDALClose(vg);
    // The report folder is self-contained: no http(s) reference anywhere in its HTML/JS/CSS.
    for (const char* f : {"index.html", "report.js", "report.css", "data.js", "leaflet.js", "leaflet.css", "overlays/terrain.png", "overlays/signal_4G.png"})
        EXPECT_TRUE(fs::exists(out / "report" / f)) << f;
    for (const char* f : {"index.html", "report.js", "data.js"}) {
        const std::string text = slurp(out / "report" / f);
        EXPECT_EQ(text.find("http://"), std::string::npos) << f;
        EXPECT_EQ(text.find("https://"), std::string::npos) << f;
    }
}

TEST_F(Cli, RunIsBitIdenticalAtAnyThreadCount) {
    // The two-thread run also writes its rasters with outputs.compression: small, which changes
    // how the tiles are compressed, not what they hold.
    const std::string scn = write("small.yaml", smallScenario(8, "small"));
    const std::string scn_small = write("small_c.yaml", smallScenario(8, "small") + "outputs: {compression: small}\n");
    for (int t : {1, 2}) {
        const RunResult r = run("run " + (t == 1 ? scn : scn_small) + " --out " + path("t" + std::to_string(t)) + " --threads " + std::to_string(t) + " --no-report -q --cache-dir " +
                                path("cache" + std::to_string(t)));
        ASSERT_EQ(r.code, 0) << r.output;
    }
    for (const char* f : {"inputs/sites.csv", "inputs/villages.csv", "villages.csv", "plan/plan_sites.csv", "plan/village_coverage.csv"})
        EXPECT_EQ(slurp(m_dir / "t1" / f), slurp(m_dir / "t2" / f)) << f;
    for (const char* f : {"coverage/signal_4G.tif", "coverage/sinr_4G.tif", "coverage/best_server_5G.tif", "inputs/dem.tif",
                          "plan/coverage/signal_4G.tif"}) {
        const Raster a = readRaster((m_dir / "t1" / f).string()), b = readRaster((m_dir / "t2" / f).string());
        ASSERT_GT(a.v.size(), 0u) << f;
        ASSERT_EQ(a.v.size(), b.v.size()) << f;
        EXPECT_EQ(std::memcmp(a.v.data(), b.v.data(), a.v.size() * sizeof(double)), 0) << f;
    }
    auto predictor = [&](const std::string& rel) { return tiffPredictor((m_dir / rel).string()); };
    EXPECT_EQ(predictor("t1/coverage/signal_4G.tif"), "none");
    EXPECT_EQ(predictor("t2/coverage/signal_4G.tif"), "3");
    EXPECT_EQ(predictor("t2/coverage/best_server_5G.tif"), "2");
    EXPECT_EQ(predictor("t2/plan/coverage/signal_4G.tif"), "3");
}

// A scenario technology's mechanical_tilt_deg reaches the generated site table (only then does
// the table have the column), and so the engine.
TEST_F(Cli, RunScenarioTechnologyTurnsItsAntennas) {
    std::string text = smallScenario(6, "small");
    const std::string four = "  4G: {threshold_dbm: -105, polygon_thresholds_dbm: [-105, -95]}\n";
    ASSERT_NE(text.find(four), std::string::npos);
    text.replace(text.find(four), four.size(), "  4G: {threshold_dbm: -105, polygon_thresholds_dbm: [-105, -95], mechanical_tilt_deg: 3}\n");
    const RunResult r = run("run " + write("small.yaml", text) + " --out " + path("o") + " --no-report --no-plan -q --cache-dir " + path("cache"));
    ASSERT_EQ(r.code, 0) << r.output;
    std::istringstream csv(slurp(m_dir / "o" / "inputs" / "sites.csv"));
    std::string line;
    std::getline(csv, line);
    std::vector<std::string> head;
    for (std::stringstream h(line); std::getline(h, line, ',');) head.push_back(line);
    const auto col = std::find(head.begin(), head.end(), "mechanical_tilt_deg") - head.begin();
    const auto tech = std::find(head.begin(), head.end(), "tech") - head.begin();
    ASSERT_LT(static_cast<size_t>(col), head.size());
    int four_g = 0, five_g = 0;
    while (std::getline(csv, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string v; std::getline(ss, v, ',');) f.push_back(v);
        f.resize(head.size());
        if (f[static_cast<size_t>(tech)] == "4G") four_g += f[static_cast<size_t>(col)] == "3.0";
        if (f[static_cast<size_t>(tech)] == "5G") five_g += f[static_cast<size_t>(col)].empty();
    }
    EXPECT_EQ(four_g, 6 * 3);  // every 4G sector of the six towers
    EXPECT_EQ(five_g, 3);      // the one 5G BTS's sectors, untilted
}

TEST_F(Cli, RunQuietAndBadScenarios) {
    const std::string scn = write("small.yaml", smallScenario(6, "small"));
    const SplitResult q = runSplit("run " + scn + " --out " + path("q") + " --no-report --no-plan -q --cache-dir " + path("cache"), m_dir / "err.txt");
    ASSERT_EQ(q.code, 0) << q.err;
    EXPECT_EQ(q.err, "") << "--quiet prints no progress or step lines";
    EXPECT_NE(q.out.find("phusong run: small"), std::string::npos) << "the closing table stays";
    EXPECT_FALSE(fs::exists(m_dir / "q" / "plan"));
    // Quiet keeps the warnings: ITM within 2 km of the sites raises its short-path warning, which
    // -q printed nowhere (coverage's table, which carries it, is not shown).
    std::string itm = smallScenario(6, "small");
    const std::string bull = "model: {name: p526-bullington, radius_km: 5}";
    ASSERT_NE(itm.find(bull), std::string::npos);
    itm.replace(itm.find(bull), bull.size(), "model: {name: itm, radius_km: 2}");
    const SplitResult qi = runSplit("run " + write("itm.yaml", itm) + " --out " + path("qi") + " --no-report --no-plan -q --cache-dir " +
                                        path("cache"),
                                    m_dir / "err.txt");
    ASSERT_EQ(qi.code, 0) << qi.err;
    EXPECT_NE(qi.err.find("phusong coverage: warning: ITM: path shorter than 1 km"), std::string::npos) << qi.err;
    std::istringstream err_lines(qi.err);
    for (std::string line; std::getline(err_lines, line);) EXPECT_EQ(line.rfind("phusong coverage: warning: ", 0), 0u) << line;
    // A bad scenario: exit 2, the file, line and key in the message, and no output folder.
    const std::string bad = write("bad.yaml", smallScenario(6, "small") + "outputs: {kmz: maybe}\n");
    const RunResult r = run("run " + bad + " --out " + path("bad_out"));
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find("bad.yaml line 22: outputs.kmz: expected true or false, got 'maybe'"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(m_dir / "bad_out"));
    for (const auto& e : fs::directory_iterator(m_dir)) EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos);
    const RunResult lf = run("run " + scn + " --out " + path("lf") + " --log-format xml");
    EXPECT_EQ(lf.code, 2);
    EXPECT_NE(lf.output.find("--log-format 'xml': use text or json"), std::string::npos) << lf.output;
}

// --threads, which also bounds GDAL's own threads (warping the DEM, compressing COG tiles), is
// checked by every command that takes it before anything is written: `demo` wrote its terrain
// first, and `plan` did not check it at all.
TEST_F(Cli, NegativeThreadsIsRefusedBeforeAnyOutput) {
    ASSERT_EQ(run("synth-terrain --out " + path("dem.tif") + " --size-km 4 --resolution-m 90").code, 0);
    const std::string dem = path("dem.tif");
    const std::string sites = write("sites.csv", std::string(kHeader) + "A,21.3,106.2,30,4G,1800,61,0,4,20,V\n");
    const std::string villages = write("villages.csv", "village_id,lat,lon\nV1,21.3,106.2\n");
    const std::string scn = write("small.yaml", smallScenario(6, "small"));
    const std::pair<std::string, std::string> cases[] = {
        {"demo", "demo --out " + path("t_demo") + " --threads -1"},
        {"coverage", "coverage --dem " + dem + " --sites " + sites + " --out " + path("t_coverage") + " --threads -1"},
        {"plan", "plan --dem " + dem + " --villages " + villages + " --tech 4G --out " + path("t_plan") + " --threads -1"},
        {"run", "run " + scn + " --out " + path("t_run") + " --threads -1"},
        {"viewshed", "viewshed --dem " + dem + " --site 21.3,106.2 --out " + path("t_viewshed") + " --threads -1"},
    };
    for (const auto& [name, cmd] : cases) {
        const RunResult r = run(cmd);
        EXPECT_EQ(r.code, 2) << name << ": " << r.output;
        EXPECT_NE(r.output.find("--threads must be 0 (all cores) or positive"), std::string::npos) << name << ": " << r.output;
        EXPECT_TRUE(noOutputLeft(m_dir, "t_" + name)) << name;
    }
}

// A tower carrying 2G, 3G and 4G at one height walks its rays once: summary.json counts the
// walks, --walk-cache-mb 0 walks each carrier again and writes the same rasters, and a negative
// budget is refused before any output.
TEST_F(Cli, CoSitedTechnologiesWalkOnceWithTheSameRasters) {
    ASSERT_EQ(run("synth-terrain --out " + path("dem.tif") + " --size-km 6 --resolution-m 60").code, 0);
    const std::string dem = path("dem.tif");
    const std::string sites = write("tower.csv", std::string(kHeader) + "T_2G,21.3,106.2,35,2G,947,58,,2,0.2,Viettel\n"
                                                                         "T_3G,21.3,106.2,35,3G,2140,61,,2,5,Viettel\n"
                                                                         "T_4G,21.3,106.2,35,4G,1845,61,,4,20,Viettel\n"
                                                                         "U_4G,21.31,106.21,30,4G,1845,61,,4,20,VNPT\n");
    const std::string base = "coverage --dem " + dem + " --sites " + sites + " --radius-km 2 -q --outputs signal";
    ASSERT_EQ(run(base + " --out " + path("kept")).code, 0);
    const RunResult again = run(base + " --out " + path("walked") + " --walk-cache-mb 0");
    ASSERT_EQ(again.code, 0) << again.output;
    const auto kept = readJson("kept/summary.json"), walked = readJson("walked/summary.json");
    EXPECT_EQ(kept["walks"]["walked"].get<int>(), 2) << "the tower's three carriers walk once, the other tower once";
    EXPECT_EQ(kept["walks"]["reused"].get<int>(), 2);
    EXPECT_EQ(walked["walks"]["walked"].get<int>(), 4);
    EXPECT_EQ(walked["walks"]["reused"].get<int>(), 0);
    for (const char* t : {"2G", "3G", "4G"}) {
        const std::string name = std::string("signal_") + t + ".tif";
        const Raster a = readRaster(path("kept/" + name)), b = readRaster(path("walked/" + name));
        ASSERT_FALSE(a.v.empty()) << name;
        ASSERT_EQ(a.v.size(), b.v.size()) << name;
        EXPECT_EQ(0, std::memcmp(a.v.data(), b.v.data(), a.v.size() * sizeof(double))) << name;
    }
    const RunResult bad = run(base + " --out " + path("t_bad") + " --walk-cache-mb -1");
    EXPECT_EQ(bad.code, 2) << bad.output;
    EXPECT_NE(bad.output.find("--walk-cache-mb -1: give the memory"), std::string::npos) << bad.output;
    EXPECT_TRUE(noOutputLeft(m_dir, "t_bad"));
}

TEST_F(Cli, CompareShowsTowersAddedAndWhereCoverageChanged) {
    const std::string a = write("a.yaml", smallScenario(4, "before"));
    const std::string b = write("b.yaml", smallScenario(9, "after"));
    // B first as a finished run: compare takes run folders as well as scenario files.
    const RunResult rb = run("run " + b + " --out " + path("b_run") + " --no-plan --no-report -q");
    ASSERT_EQ(rb.code, 0) << rb.output;
    const RunResult r = run("compare " + a + " " + path("b_run") + " --out " + path("cmp") + " --no-plan -q");
    ASSERT_EQ(r.code, 0) << r.output;
    const auto c = nlohmann::json::parse(slurp(m_dir / "cmp" / "compare.json"));
    EXPECT_EQ(c["towers"]["a"].get<int>(), 4);
    EXPECT_EQ(c["towers"]["b"].get<int>(), 9);
    EXPECT_EQ(c["towers"]["added"].get<int>(), 5) << "the same seed: B's first four towers are A's";
    EXPECT_EQ(c["towers"]["removed"].get<int>(), 0);
    EXPECT_EQ(c["bts"]["4G"]["change"].get<int>(), 5);
    // Villages gained agree with the two runs' own village tables.
    const phusong::Table va = phusong::readCsvFile((m_dir / "cmp" / "A_before" / "villages.csv").string());
    const phusong::Table vb = phusong::readCsvFile((m_dir / "b_run" / "villages.csv").string());
    int gained = 0;
    for (size_t i = 0; i < va.rows.size(); ++i) gained += va.rows[i].get("covered_4g") == "0" && vb.rows[i].get("covered_4g") == "1";
    for (const auto& t : c["technologies"])
        if (t["tech"] == "4G") {
            EXPECT_EQ(t["villages_gained"].get<int>(), gained);
            EXPECT_GE(t["b_covered_km2"].get<double>(), t["a_covered_km2"].get<double>());
            EXPECT_NEAR(t["gained_km2"].get<double>() - t["lost_km2"].get<double>(), t["b_covered_km2"].get<double>() - t["a_covered_km2"].get<double>(), 1e-6);
        }
    const Raster ch = readRaster((m_dir / "cmp" / "change_4G.tif").string());
    ASSERT_GT(ch.v.size(), 0u);
    EXPECT_TRUE(fs::exists(m_dir / "cmp" / "change_4G.qml"));
    EXPECT_TRUE(fs::exists(m_dir / "cmp" / "report" / "index.html"));
    EXPECT_NE(r.output.find("towers 4 -> 9 (5 added, 0 removed)"), std::string::npos) << r.output;
    // The runs it names are where they are after the compare, not its hidden staging folder.
    EXPECT_TRUE(fs::exists(c["a"]["run"].get<std::string>())) << c["a"]["run"];
    for (const auto& e : fs::recursive_directory_iterator(m_dir / "cmp")) {
        if (e.is_regular_file()) EXPECT_EQ(slurp(e.path()).find(".partial-"), std::string::npos) << e.path() << " names the staging folder";
    }
}
