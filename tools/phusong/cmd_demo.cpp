// `phusong demo`: the embedded default. Generates terrain and a small multi-technology network,
// then runs the same coverage path as `phusong coverage`.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli_util.hpp"
#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/synth_terrain.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/raster_writer.hpp"

namespace phusong::cli {

namespace {
struct DemoConfig {
    std::string out = "phusong_demo";
    int threads = 0;
    double resolution_m = 50.0;
    double radius_km = 12.0;
    uint64_t seed = 7;
    bool quiet = false;
};

// Highest DEM cell within radius_px of (col,row): towers go on local hilltops.
std::pair<int, int> hilltop(const DemGrid& dem, int col, int row, int radius_px) {
    std::pair<int, int> best{col, row};
    float best_h = dem.at(col, row);
    for (int r = std::max(0, row - radius_px); r <= std::min(dem.height() - 1, row + radius_px); ++r) {
        for (int c = std::max(0, col - radius_px); c <= std::min(dem.width() - 1, col + radius_px); ++c) {
            if (dem.at(c, r) > best_h) {
                best_h = dem.at(c, r);
                best = {c, r};
            }
        }
    }
    return best;
}

// Lowest cell in the window: the 5G industrial-zone sites sit in the river plain.
std::pair<int, int> lowland(const DemGrid& dem, int col, int row, int radius_px) {
    std::pair<int, int> best{col, row};
    float best_h = dem.at(col, row);
    for (int r = std::max(0, row - radius_px); r <= std::min(dem.height() - 1, row + radius_px); r += 4) {
        for (int c = std::max(0, col - radius_px); c <= std::min(dem.width() - 1, col + radius_px); c += 4) {
            if (dem.at(c, r) < best_h) {
                best_h = dem.at(c, r);
                best = {c, r};
            }
        }
    }
    return best;
}

struct TechSpec {
    const char* tech;
    double freq_MHz, eirp_dBm, bandwidth_MHz, tilt_deg, v_bw_deg;
};

void writeDemoSites(const std::string& path, const DemGrid& dem, const io::Crs& crs) {
    io::Projector proj(crs);
    const GeoTransform& gt = dem.geoTransform();
    // Typical Vietnamese macro carriers: GSM 900, UMTS 2100, LTE 1800, NR n78.
    const TechSpec g2{"2G", 947.0, 58.0, 0.2, 2.0, 10.0}, g3{"3G", 2140.0, 59.0, 5.0, 3.0, 8.0},
        g4{"4G", 1845.0, 61.0, 20.0, 4.0, 8.0}, g5{"5G", 3550.0, 74.0, 100.0, 6.0, 12.0};
    std::ofstream out(path);
    out << "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,azimuth_deg,mechanical_tilt_deg,"
           "electrical_tilt_deg,h_beamwidth_deg,v_beamwidth_deg,bandwidth_mhz,operator,tower_id\n";
    out << std::setprecision(8);
    int tower = 0;
    auto emit = [&](int col, int row, double height_m, const std::vector<TechSpec>& techs, double az0) {
        const PointXY xy{gt.centerX(col), gt.centerY(row)};
        const LatLon ll = proj.toLatLon(xy);
        const std::string tid = "T" + std::to_string(++tower);
        const char* op = (tower % 3 == 0) ? "VNPT" : (tower % 3 == 1 ? "Viettel" : "MobiFone");
        for (const TechSpec& t : techs) {
            for (int s = 0; s < 3; ++s) {
                out << tid << "_" << t.tech << "_" << (s + 1) << "," << ll.lat_deg << "," << ll.lon_deg << "," << height_m
                    << "," << t.tech << "," << t.freq_MHz << "," << t.eirp_dBm << "," << std::fmod(az0 + 120.0 * s, 360.0)
                    << ",0," << t.tilt_deg << ",65," << t.v_bw_deg << "," << t.bandwidth_MHz << "," << op << "," << tid << "\n";
            }
        }
    };
    // Eight macro towers on hilltops of a jittered 3x3 layout (centre left for the plain's 5G sites).
    const int n = dem.width();
    const int grid_pos[8][2] = {{1, 1}, {3, 1}, {5, 1}, {1, 3}, {5, 3}, {1, 5}, {3, 5}, {5, 5}};
    for (int i = 0; i < 8; ++i) {
        const int col = grid_pos[i][0] * n / 6, row = grid_pos[i][1] * n / 6;
        const auto [c, r] = hilltop(dem, col, row, static_cast<int>(1500.0 / gt.pixel_width_m));
        std::vector<TechSpec> techs{g4};
        if (i % 4 != 3) techs.push_back(g3);
        if (i < 5) techs.push_back(g2);
        emit(c, r, 30.0 + 5.0 * (i % 3), techs, 20.0 * i);
    }
    // Two 5G + 4G sites in the lowland industrial zone near the river.
    for (int i = 0; i < 2; ++i) {
        const auto [c, r] = lowland(dem, n / 2 + (i == 0 ? -n / 10 : n / 10), 2 * n / 3, n / 12);
        emit(c, r, 25.0, {g5, g4}, 60.0 * i);
    }
}

int runDemo(const DemoConfig& cfg, const std::string& command_line) {
    namespace fs = std::filesystem;
    useThreads(cfg.threads);
    std::error_code ec;
    fs::create_directories(cfg.out, ec);
    if (ec) throw InputError("--out " + cfg.out + ": cannot create (" + ec.message() + ")");
    SynthTerrainOptions topt;
    topt.seed = cfg.seed;
    const io::Crs crs = io::Crs::fromEpsg(topt.epsg);
    const DemGrid dem = synthesizeTerrain(topt);
    const std::string dem_path = (fs::path(cfg.out) / "dem.tif").string();
    const std::string sites_path = (fs::path(cfg.out) / "sites.csv").string();
    io::writeCog(dem_path, dem, crs, {"elevation above mean sea level (synthetic)", "m", io::provenance(command_line)});
    writeDemoSites(sites_path, dem, crs);
    std::cout << "phusong demo: synthetic terrain " << dem_path << " (40 km x 40 km, 30 m, seed " << cfg.seed
              << "), sites " << sites_path << "\n";
    CoverageConfig cc;
    cc.dem = dem_path;
    cc.sites = sites_path;
    cc.out = cfg.out;
    cc.resolution_m = cfg.resolution_m;
    cc.radius_km = cfg.radius_km;
    cc.threads = cfg.threads;
    cc.quiet = cfg.quiet;
    return runCoverage(cc, command_line);
}
}  // namespace

void addDemo(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<DemoConfig>();
    CLI::App* sub = app.add_subcommand("demo", "Generate terrain and a 2G/3G/4G/5G network, then compute coverage");
    sub->add_option("--out", cfg->out, "Output directory")->capture_default_str();
    sub->add_option("--threads", cfg->threads, "Worker threads (0 = all cores)")->capture_default_str();
    sub->add_option("--resolution-m", cfg->resolution_m, "Analysis grid spacing, m")->capture_default_str();
    sub->add_option("--radius-km", cfg->radius_km, "Computation radius per sector, km")->capture_default_str();
    sub->add_option("--seed", cfg->seed, "Terrain seed")->capture_default_str();
    sub->add_flag("--quiet,-q", cfg->quiet, "No progress bar");
    sub->callback([cfg, &ctx] { ctx.action = [cfg, &ctx] { return runDemo(*cfg, ctx.command_line); }; });
}

}  // namespace phusong::cli
