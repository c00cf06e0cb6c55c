#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "cli_util.hpp"
#include "commands.hpp"
#include "phusong/core/clutter.hpp"
#include "phusong/core/engine/coverage.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/gis.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/io/sites.hpp"

namespace phusong::cli {

int parseEpsg(const std::string& s) {
    std::string v = s;
    if (v.rfind("EPSG:", 0) == 0 || v.rfind("epsg:", 0) == 0) v = v.substr(5);
    try {
        size_t used = 0;
        const int code = std::stoi(v, &used);
        if (used == v.size() && code > 0) return code;
    } catch (const std::exception&) {
    }
    throw InputError("--crs '" + s + "': expected EPSG:N, e.g. EPSG:32648");
}

namespace {
// Each model warning the run raised, with how many path-loss evaluations raised it and their share.
struct RaisedWarning {
    std::string text;
    long long evaluations = 0;
    double share_pct = 0.0;
};
std::vector<RaisedWarning> raisedWarnings(const engine::CoverageResult& res) {
    std::vector<RaisedWarning> out;
    for (unsigned b = 0; b < 32; ++b) {
        if (!(res.warnings & (1u << b))) continue;
        const long long n = res.warning_evaluations[b];
        for (std::string& t : models::describeWarnings(1u << b)) {
            out.push_back({std::move(t), n, res.evaluations > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(res.evaluations) : 0.0});
        }
    }
    return out;
}

// A share in % to two significant digits ("0.012 %", "3.4 %", "57 %").
std::string sharePct(double pct) {
    char b[32];
    if (pct >= 10.0) std::snprintf(b, sizeof b, "%.0f %%", pct);
    else if (pct >= 1.0) std::snprintf(b, sizeof b, "%.1f %%", pct);
    else std::snprintf(b, sizeof b, "%.2g %%", pct);
    return b;
}

// @p text without a trailing unit @p unit_lower (any case, after optional spaces): "-105dBm" and
// "-105 dBm" read as "-105", as planners write thresholds.
std::string withoutUnit(std::string text, const std::string& unit_lower) {
    if (text.size() > unit_lower.size()) {
        std::string tail = text.substr(text.size() - unit_lower.size());
        for (char& ch : tail) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (tail == unit_lower) {
            text.resize(text.size() - unit_lower.size());
            while (!text.empty() && text.back() == ' ') text.pop_back();
        }
    }
    return text;
}

// What coverage holds per cell of the analysis grid, at the least: the DEM and the clutter (4 bytes
// each), one technology's composed rasters (signal, second signal, SINR, throughput, best server,
// overlap: 21) and its accumulators per view (all sectors, then each operator's): the strongest
// signals (up to 8, 4 bytes each), the best server (4) and the co-channel power per carrier (8).
// Technologies are composed one after the other, so the largest counts. Sector windows, GDAL's
// caches and the writer's buffers come on top (a 29-million-cell run of two technologies peaked
// at 101 bytes a cell), so a grid refused at this estimate could not have run.
double coverageBytesPerCell(const std::vector<Sector>& sectors, bool clutter) {
    std::map<Technology, std::map<std::string, std::pair<size_t, std::set<long long>>>> views;  // tech -> view -> (sectors, carriers)
    for (const Sector& s : sectors) {
        const long long carrier = std::llround(s.freq_MHz * 1000.0);
        for (const std::string& v : {std::string("*"), s.operator_name}) {
            if (v.empty()) continue;
            auto& [n, carriers] = views[s.tech][v];
            ++n;
            carriers.insert(carrier);
        }
    }
    double most = 0.0;
    for (const auto& [tech, of_view] : views) {
        double b = 0.0;
        for (const auto& [v, nc] : of_view) b += 4.0 * static_cast<double>(std::min<size_t>(nc.first, 8)) + 4.0 + 8.0 * static_cast<double>(nc.second.size());
        most = std::max(most, b);
    }
    return 4.0 + (clutter ? 4.0 : 0.0) + 21.0 + most;
}

// A name safe in a file name on every OS: letters, digits, '-' and '_' kept, the rest '_'.
std::string fileSlug(const std::string& s) {
    std::string out;
    for (char ch : s) out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') ? ch : '_';
    return out;
}

// What names a sector wherever outputs list sectors (best-server classes, servers_<tech>.csv).
const std::vector<std::string> kServerColumns = {"site_id", "operator", "tower_id", "freq_mhz", "azimuth_deg", "source"};
constexpr int kAzimuthColumn = 4;  // kServerColumns[4]
std::vector<std::string> serverFields(const Sector& s) {
    return {s.site_id, s.operator_name, s.tower_id, fmt(s.freq_MHz, 3),
            s.pattern.azimuth_deg ? fmt(*s.pattern.azimuth_deg, 1) : std::string("omni"),
            std::filesystem::path(s.location).filename().string()};  // "sites.csv line 8"
}

}  // namespace

int runCoverage(const CoverageConfig& cfg, const std::string& command_line) {
    const auto t0 = std::chrono::steady_clock::now();
    engine::CoverageOptions opt;
    opt.model = cfg.mo.build();
    opt.radius_m = cfg.radius_km * 1000.0;
    opt.rx_height_m = cfg.rx_height_m;
    useThreads(cfg.threads);
    opt.threads = cfg.threads;
    for (const auto& [tech_s, dbm] : cfg.thresholds) {
        const auto t = parseTechnology(tech_s);
        if (!t) throw InputError("--threshold '" + tech_s + "=...': unknown technology; use 2G, 3G, 4G or 5G");
        opt.thresholds_dBm[*t] = dbm;
    }
    if (cfg.resolution_m < 0.0) throw InputError("--resolution-m must be positive");
    if (cfg.engine == "radial") opt.engine = engine::EngineKind::Radial;
    else if (cfg.engine == "reference") opt.engine = engine::EngineKind::Reference;
    else throw InputError("--engine '" + cfg.engine + "': use radial (fast, default) or reference (full profile per pixel)");
    if (!(cfg.noise_figure_dB >= 0.0 && cfg.noise_figure_dB <= 30.0)) throw InputError("--noise-figure-db must be within 0..30 dB");
    opt.noise_figure_dB = cfg.noise_figure_dB;
    if (!(cfg.walk_cache_MB >= 0.0))
        throw InputError("--walk-cache-mb " + fmt(cfg.walk_cache_MB, 0) +
                         ": give the memory, MB (0 or more), for walks kept between the carriers of one site and antenna height; 0 walks each carrier again");
    opt.walk_cache_MB = cfg.walk_cache_MB;
    opt.walk_store = cfg.walk_store;
    if (cfg.clutter.empty() != cfg.clutter_table.empty()) {
        throw InputError("--clutter and --clutter-table go together: a class raster and a CSV class,loss_db");
    }
    if (!(cfg.radius_km > 0.0)) throw InputError("--radius-km must be positive");
    if (cfg.extent != "sites" && cfg.extent != "dem") {
        throw InputError("--extent '" + cfg.extent + "': use sites (the DEM within --radius-km of the sectors, the default) or dem (the whole DEM)");
    }
    const io::CogCompression compression = io::parseCogCompression(cfg.compression, "--compression");
    // The composed rasters to write.
    static const std::vector<std::string> kRasters = {"signal", "best_server", "second_signal", "overlap", "sinr", "throughput"};
    std::set<std::string> wanted;
    for (const std::string& o : cfg.outputs) {
        if (o == "all") {
            wanted.insert(kRasters.begin(), kRasters.end());
        } else if (o == "none") {
            if (cfg.outputs.size() > 1) throw InputError("--outputs none: give it alone (none of the composed rasters), or a list");
        } else if (std::find(kRasters.begin(), kRasters.end(), o) != kRasters.end()) {
            wanted.insert(o);
        } else {
            throw InputError("--outputs '" + o + "': unknown raster; use all, none, or a comma-separated list of signal, best_server, "
                             "second_signal, overlap, sinr, throughput");
        }
    }
    if (cfg.outputs.empty()) wanted.insert(kRasters.begin(), kRasters.end());
    auto wants = [&wanted](const char* r) { return wanted.count(r) > 0; };
    // Location variability per technology: a named technology's value, else the bare value.
    std::map<Technology, double> shadowing_dB;
    double shadowing_all_dB = 0.0;
    for (const auto& [tech_s, sigma] : cfg.shadowing_dB) {
        if (!(sigma > 0.0 && sigma <= 30.0)) {
            throw InputError("--shadowing-db " + (tech_s.empty() ? "" : tech_s + "=") + fmt(sigma, 2) +
                             ": the standard deviation of shadow fading must lie in (0, 30] dB (typically 6-10 dB outdoors)");
        }
        if (tech_s.empty()) {
            shadowing_all_dB = sigma;
            continue;
        }
        const auto t = parseTechnology(tech_s);
        if (!t) throw InputError("--shadowing-db '" + tech_s + "=...': unknown technology; use 2G, 3G, 4G or 5G");
        shadowing_dB[*t] = sigma;
    }
    auto sigmaFor = [&](Technology t) {
        const auto it = shadowing_dB.find(t);
        return it == shadowing_dB.end() ? shadowing_all_dB : it->second;
    };
    if (!(cfg.location_probability_pct >= 50.0 && cfg.location_probability_pct < 100.0)) {
        throw InputError("--location-probability " + fmt(cfg.location_probability_pct, 2) +
                         ": the share of locations to cover must lie in [50, 100) % (90 or 95 are usual)");
    }

    // Validate every input before creating any output.
    std::vector<Sector> sectors = io::readSectors(cfg.sites);
    io::DemLoadOptions dopt;
    dopt.epsg = cfg.epsg;
    dopt.resolution_m = cfg.resolution_m;
    if (cfg.extent == "sites") {
        // Pixels beyond every sector's radius get no signal: only the DEM around the sectors is
        // read and warped, and the rasters cover that (a national mosaic stays on disk).
        for (const Sector& s : sectors) dopt.around.push_back(s.position);
        dopt.around_m = opt.radius_m;
        dopt.around_label = "the sectors of " + cfg.sites + (sectors.empty() ? std::string() : " (first: " + sectors.front().location + ")");
    }
    dopt.bytes_per_cell = coverageBytesPerCell(sectors, !cfg.clutter.empty());
    dopt.grid_fix = cfg.extent == "sites" ? "use a coarser --resolution-m or a smaller --radius-km"
                                          : "use a coarser --resolution-m, or --extent sites to cover only the sectors' surroundings";
    const io::Terrain terrain = io::loadDem(cfg.dem, dopt);
    io::projectSectors(sectors, terrain.crs);
    // The inputs as the outputs name them: under `run` and `plan` they lie in the staging folder,
    // which is gone once the run commits.
    const std::string sites_shown = io::displayPath(cfg.sites), dem_shown = io::displayPath(cfg.dem);
    auto shownLocation = [&](const std::string& loc) {
        return loc.compare(0, cfg.sites.size(), cfg.sites) == 0 ? sites_shown + loc.substr(cfg.sites.size()) : loc;
    };
    engine::validateSectors(terrain.grid, sectors, opt);
    // Antenna files measured in another band than the carrier's: a panel's beamwidths and gain
    // belong to its band (a 900 MHz pattern on an 1800 MHz carrier has twice the beamwidth). Warned
    // once per file and carrier, beyond a factor 1.5 (one panel often spans 1710-2690 MHz).
    std::vector<std::string> input_warnings;
    {
        std::map<std::pair<std::string, long long>, std::pair<const Sector*, int>> off_band;
        for (const Sector& s : sectors) {
            if (!s.pattern.msi || !(s.pattern.msi->frequency_MHz > 0.0)) continue;
            const double ratio = s.freq_MHz / s.pattern.msi->frequency_MHz;
            if (ratio <= 1.5 && ratio >= 1.0 / 1.5) continue;
            auto& [first, count] = off_band[{s.antenna_file, std::llround(s.freq_MHz * 1000.0)}];
            if (!first) first = &s;
            ++count;
        }
        for (const auto& [key, v] : off_band) {
            const Sector& s = *v.first;
            input_warnings.push_back(shownLocation(s.location) + ": antenna_file '" + s.antenna_file + "' was measured at " +
                                     formatNumber(s.pattern.msi->frequency_MHz) + " MHz (its FREQUENCY) but the carrier is " +
                                     formatNumber(s.freq_MHz) + " MHz, another band whose beamwidths and gain differ; give the file for " +
                                     "this band (" + std::to_string(v.second) + (v.second == 1 ? " sector" : " sectors") + ")");
        }
    }
    Grid<float> clutter_loss;
    std::map<double, Grid<float>> clutter_by_freq;
    if (!cfg.clutter.empty()) {
        const ClutterTable table = parseClutterTable(readCsvFile(cfg.clutter_table));
        const Grid<float> classes = io::loadOnGrid(cfg.clutter, terrain.grid.geoTransform(), terrain.grid.width(),
                                                   terrain.grid.height(), terrain.crs);
        if (table.hasHeights()) {
            // Clutter heights: the P.2108 §3.1 correction depends on the carrier; one grid per frequency.
            for (const Sector& s : sectors)
                if (!clutter_by_freq.count(s.freq_MHz))
                    clutter_by_freq.emplace(s.freq_MHz, clutterLossGrid(classes, table, cfg.clutter, s.freq_MHz, cfg.rx_height_m));
            opt.clutter_loss_for_freq = [&clutter_by_freq](double f) { return &clutter_by_freq.at(f); };
        } else {
            clutter_loss = clutterLossGrid(classes, table, cfg.clutter);
            opt.clutter_loss_dB = &clutter_loss;
        }
    }
    {
        // P.1812's beta0 depends on latitude; the DEM centre stands for every path.
        const auto& gt = terrain.grid.geoTransform();
        opt.model.latitude_deg =
            io::Projector(terrain.crs).toLatLon(PointXY{gt.centerX(terrain.grid.width() / 2), gt.centerY(terrain.grid.height() / 2)}).lat_deg;
    }

    // Scale-out: every process computes its share of the sectors; the compositions are combined
    // (bit-identical to one process) and only the first process writes.
    const ScaleOut& so = scaleOut();
    const bool writer = so.rank == 0;
    if (so.size > 1) {
        if (cfg.pathloss) throw InputError("--pathloss is not available under MPI; run phusong (one process) for per-sector rasters");
        // By walk-sharing class (a site's carriers and technologies at one antenna height, for
        // the models that share a walk) or else by path-loss class, so that the sectors that
        // share a sweep stay on one process and it is walked once.
        std::vector<double> walk_ref_MHz;
        const std::vector<int> walk_class = engine::walkShareClasses(sectors, opt.model, walk_ref_MHz);
        const std::vector<int> loss_group = engine::pathLossGroups(sectors);
        std::map<std::pair<int, int>, int> ordinal;
        std::vector<int> unit(sectors.size());
        for (size_t i = 0; i < sectors.size(); ++i) {
            const std::pair<int, int> key = walk_class[i] >= 0 ? std::pair{0, walk_class[i]} : std::pair{1, loss_group[i]};
            unit[i] = ordinal.emplace(key, static_cast<int>(ordinal.size())).first->second;
        }
        opt.compute_sector = [rank = so.rank, size = so.size, unit](int si) { return unit[static_cast<size_t>(si)] % size == rank; };
        opt.combine = so.combine;
    }
    std::optional<io::StagedOutput> staged;  // only the writing process stages outputs
    if (writer) staged.emplace(cfg.out);
    opt.progress = !writer ? std::function<void(double)>() : cfg.progress ? cfg.progress : terminalProgress("coverage", cfg.quiet);
    const auto meta_base = io::provenance(command_line);
    // Every raster's description and unit, with the provenance and --compression.
    auto rasterMeta = [&](std::string description, std::string unit) {
        io::RasterMeta m{std::move(description), std::move(unit), meta_base};
        m.compression = compression;
        return m;
    };
    nlohmann::json pathloss_files = nlohmann::json::object();
    std::map<std::string, int> uses;  // sectors per site_id: shared ids get a row suffix
    if (cfg.pathloss) {
        for (const Sector& s : sectors) ++uses[s.site_id];
        opt.on_sector = [&](int si, const engine::SectorWindow& win) {
            const Sector& s = sectors[static_cast<size_t>(si)];
            std::string name = fileSlug(s.site_id);
            if (uses[s.site_id] > 1) name += "_row" + std::to_string(si + 1);
            const std::string file = "pathloss_" + name + ".tif";
            io::StagedOutput& stage = *staged;
            const GeoTransform& g = terrain.grid.geoTransform();
            Grid<float> w(win.width, win.height,
                          GeoTransform{g.origin_x_m + win.col0 * g.pixel_width_m, g.origin_y_m - win.row0 * g.pixel_height_m,
                                       g.pixel_width_m, g.pixel_height_m},
                          std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::quiet_NaN());
            w.data() = win.loss_dB;
            io::RasterMeta pm = rasterMeta("path loss of " + s.site_id + " (" + shownLocation(s.location) + ")", "dB");
            io::writeCog(stage.path(file), w, terrain.crs, pm);
            pathloss_files[std::to_string(si)] = file;
        };
    }
    // Each layer is written as soon as it is composed, then dropped (one layer's rasters in memory).
    nlohmann::json techs = nlohmann::json::object();
    opt.on_layer = [&](const engine::TechnologyCoverage& layer) {
        if (!writer) return;
        io::StagedOutput& stage = *staged;
        const std::string tech_name(toString(layer.tech));
        // Per-operator layers carry the operator in their file names: signal_4G_viettel.tif.
        const std::string t = layer.operator_name.empty() ? tech_name : tech_name + "_" + fileSlug(layer.operator_name);
        io::RasterMeta sm = rasterMeta(t + " " + std::string(signalMeasure(layer.tech)) + " of the best server", "dBm");
        sm.metadata["PHUSONG_MODEL"] = std::string(models::toString(opt.model.kind));
        if (wants("signal")) io::writeCog(stage.path("signal_" + t + ".tif"), layer.signal_dBm, terrain.crs, sm);
        if (wants("best_server")) {
            io::RasterMeta bm = rasterMeta(t + " best server: row index into " + sites_shown + " (0-based), -1 where none reaches", "");
            // Which sector each value is, inside the file (GDAL raster attribute table), so that GIS
            // tools label the best-server map without the site table.
            io::RasterClasses servers;
            servers.columns = kServerColumns;
            for (int si : layer.sectors) servers.rows.push_back({si, serverFields(sectors[static_cast<size_t>(si)])});
            io::writeCog(stage.path("best_server_" + t + ".tif"), layer.best_server, terrain.crs, bm, servers);
        }
        if (wants("second_signal")) {
            io::writeCog(stage.path("second_signal_" + t + ".tif"), layer.second_dBm, terrain.crs,
                         rasterMeta(t + " " + std::string(signalMeasure(layer.tech)) + " of the second-best server", "dBm"));
        }
        if (wants("overlap")) {
            // Byte: a count of 0..kOverlapCountMax writes in half the time of Int32, 30 % smaller.
            io::writeCog(stage.path("overlap_" + t + ".tif"), layer.overlap, terrain.crs,
                         rasterMeta(t + " servers above threshold within " + fmt(opt.overlap_margin_dB, 0) + " dB of the best (" +
                                                 std::to_string(engine::kOverlapCountMax) + " means " + std::to_string(engine::kOverlapCountMax) + " or more)",
                                             "count"));
        }
        if (wants("sinr")) {
            io::writeCog(stage.path("sinr_" + t + ".tif"), layer.sinr_dB, terrain.crs,
                         rasterMeta(t + " SINR of the best server against co-channel sectors and noise (NF " + fmt(opt.noise_figure_dB, 1) + " dB)", "dB"));
        }
        if (layer.throughput_Mbps.size() > 0 && wants("throughput")) {
            io::writeCog(stage.path("throughput_" + t + ".tif"), layer.throughput_Mbps, terrain.crs,
                         rasterMeta(t + " downlink throughput estimate (TR 36.942 A.2 attenuated Shannon)", "Mbit/s"));
        }
        // Each server's share (coverage by transmitter): a table planners open in a spreadsheet.
        {
            const GeoTransform& g = terrain.grid.geoTransform();
            const double px_km2 = g.pixel_width_m * g.pixel_height_m / 1e6;
            // The same table as a point layer of servers.gpkg (one layer per CSV), so that the
            // sectors sit on the rasters in QGIS; the CSV's lat and lon columns serve the same
            // purpose for delimited-text imports.
            io::PointLayer points;
            points.name = "servers_" + t;
            points.columns = {{"row", 'i'}};
            for (const std::string& c : kServerColumns) points.columns.push_back({c, c == "freq_mhz" || c == "azimuth_deg" ? 'r' : 's'});
            for (const char* c : {"best_server_km2", "covered_km2", "mean_signal_dbm", "mean_sinr_db", "max_covered_distance_km",
                                  "antenna_height_m", "eirp_dbm"}) {
                points.columns.push_back({c, 'r'});
            }
            std::ofstream csv(stage.path("servers_" + t + ".csv"));
            csv << "row";
            for (const std::string& c : kServerColumns) csv << "," << c;
            csv << ",best_server_km2,covered_km2,mean_signal_dbm,mean_sinr_db,max_covered_distance_km,lat,lon,antenna_height_m,eirp_dbm\n";
            auto opt_num = [](double v, int prec) { return std::isnan(v) ? std::string() : fmt(v, prec); };
            for (const engine::ServerStats& st : engine::serverStatistics(layer, sectors)) {
                const Sector& sec = sectors[static_cast<size_t>(st.sector)];
                std::vector<std::string> values = {std::to_string(st.sector)};
                for (std::string& f : serverFields(sec)) values.push_back(std::move(f));
                for (std::string v : {fmt(st.best_pixels * px_km2, 4), fmt(st.covered_pixels * px_km2, 4), opt_num(st.mean_signal_dBm, 2),
                                      opt_num(st.mean_sinr_dB, 2), fmt(st.max_covered_distance_m / 1000.0, 3)}) {
                    values.push_back(std::move(v));
                }
                for (size_t i = 0; i < values.size(); ++i) csv << (i ? "," : "") << (i > 0 && i <= kServerColumns.size() ? csvEscape(values[i]) : values[i]);
                csv << "," << fmt(sec.position.lat_deg, 7) << "," << fmt(sec.position.lon_deg, 7) << "," << fmt(sec.antenna_height_m, 1) << ","
                    << fmt(sec.eirp_dBm, 2) << "\n";
                values.push_back(fmt(sec.antenna_height_m, 1));
                values.push_back(fmt(sec.eirp_dBm, 2));
                // azimuth_deg: null for an omni in the layer ("omni" in the CSV), after the row.
                if (!sec.pattern.azimuth_deg) values[1 + static_cast<size_t>(kAzimuthColumn)] = "";
                points.points.push_back(sec.position);
                points.values.push_back(std::move(values));
            }
            if (!csv) throw Error(stage.finalPath("servers_" + t + ".csv") + ": cannot write");
            io::writePointLayer(stage.path("servers.gpkg"), points);
        }
        // Area-weighted figures over covered pixels.
        double sinr_sum = 0.0, thr_sum = 0.0;
        long long n_cov = 0, overlap3 = 0;
        for (size_t p = 0; p < layer.signal_dBm.data().size(); ++p) {
            const float v = layer.signal_dBm.data()[p];
            if (!(v >= layer.threshold_dBm)) continue;
            ++n_cov;
            sinr_sum += layer.sinr_dB.data()[p];
            if (layer.throughput_Mbps.size() > 0) thr_sum += layer.throughput_Mbps.data()[p];
            overlap3 += layer.overlap.data()[p] >= 3 ? 1 : 0;
        }
        // The model each technology ran with (per frequency when --model auto chose).
        nlohmann::json used = nlohmann::json::object();
        for (int si : layer.sectors) {
            const double f = sectors[static_cast<size_t>(si)].freq_MHz;
            const models::ModelKind k = models::kindAt(opt.model.kind, f);
            used[std::to_string(static_cast<long long>(std::llround(f)))] = std::string(models::toString(k));
        }
        nlohmann::json entry = {{"measure", std::string(signalMeasure(layer.tech))},
                    {"model_by_freq_mhz", used},
                    {"sectors", layer.sectors.size()},
                    {"threshold_dbm", layer.threshold_dBm},
                    {"covered_km2", layer.covered_km2},
                    {"covered_pct", 100.0 * layer.covered_fraction},
                    {"servers_csv", "servers_" + t + ".csv"},
                    {"mean_sinr_db_covered", n_cov ? nlohmann::json(sinr_sum / n_cov) : nlohmann::json(nullptr)},
                    {"overlap_3plus_pct_of_covered", n_cov ? 100.0 * overlap3 / n_cov : 0.0}};
        for (const std::string& r : kRasters) {  // the rasters written
            if (wants(r.c_str()) && (r != "throughput" || layer.throughput_Mbps.size() > 0)) entry[r + "_raster"] = r + "_" + t + ".tif";
        }
        if (layer.throughput_Mbps.size() > 0) {
            entry["mean_throughput_mbps_covered"] = n_cov ? nlohmann::json(thr_sum / n_cov) : nlohmann::json(nullptr);
        }
        if (const double sigma = sigmaFor(layer.tech); sigma > 0.0) {
            const engine::LocationCoverage lc = engine::locationCoverage(layer, terrain.grid, sigma, cfg.location_probability_pct);
            const std::string file = "coverage_probability_" + t + ".tif";
            io::writeCog(stage.path(file), lc.probability_pct, terrain.crs,
                         rasterMeta(t + " probability that a location receives at least " + fmt(layer.threshold_dBm, 0) +
                                            " dBm (log-normal shadowing, sigma " + fmt(sigma, 1) + " dB)", "%"));
            const GeoTransform& g = terrain.grid.geoTransform();
            const double km2 = lc.covered_pixels * g.pixel_width_m * g.pixel_height_m / 1e6;
            entry["location_probability"] = {{"shadowing_sigma_db", sigma},
                                             {"target_pct", lc.target_pct},
                                             {"margin_db", lc.margin_dB},
                                             {"covered_km2", km2},
                                             {"covered_pct", lc.valid_pixels ? 100.0 * lc.covered_pixels / lc.valid_pixels : 0.0},
                                             {"mean_probability_pct", lc.mean_probability_pct},
                                             {"raster", file}};
        }
        if (layer.operator_name.empty()) techs[tech_name] = entry;
        else techs[tech_name]["operators"][layer.operator_name] = entry;
        };
    engine::CoverageResult res = engine::computeCoverage(terrain.grid, sectors, opt);
    if (so.size > 1 && so.combine_warnings) {
        // Each process saw the warnings of its own sweeps.
        std::vector<long long> counts(res.warning_evaluations.begin(), res.warning_evaluations.end());
        counts.push_back(res.evaluations);
        counts.push_back(res.walks);
        counts.push_back(res.walks_reused);
        so.combine_warnings(counts, res.warnings);  // sums
        std::copy_n(counts.begin(), res.warning_evaluations.size(), res.warning_evaluations.begin());
        res.evaluations = counts[res.warning_evaluations.size()];
        res.walks = counts[res.warning_evaluations.size() + 1];
        res.walks_reused = counts[res.warning_evaluations.size() + 2];
    }
    const double compute_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!writer) return 0;
    io::StagedOutput& stage = *staged;
    nlohmann::json summary = {
        {"phusong_version", PHUSONG_VERSION},
        {"command", command_line},
        {"model", std::string(models::toString(opt.model.kind))},
        {"environment", models::needsTerrain(opt.model.kind) || opt.model.kind == models::ModelKind::FreeSpace
                            ? nlohmann::json(nullptr)
                            : nlohmann::json(std::string(models::toString(opt.model.environment)))},
        {"k_factor", opt.model.k_factor},
        {"radius_km", cfg.radius_km},
        {"rx_height_m", cfg.rx_height_m},
        {"sites_file", sites_shown},
        {"sectors", sectors.size()},
        {"dem",
         {{"path", dem_shown},
          {"tiles", terrain.tiles},
          {"crs", "EPSG:" + std::to_string(terrain.crs.epsg)},
          {"resolution_m", terrain.grid.geoTransform().pixel_width_m},
          {"native_resolution_m", terrain.native_resolution_m},
          {"width", terrain.grid.width()},
          {"height", terrain.grid.height()},
          {"extent", cfg.extent},
          {"cropped", terrain.cropped},
          {"voids_filled", terrain.voids_filled},
          {"valid_area_km2", res.valid_area_km2}}},
        {"threads", res.threads_used},
        {"processes", so.size},
        {"engine", cfg.engine},
        {"simd", engine::simdLevel()},
        {"noise_figure_db", opt.noise_figure_dB},
        {"walks", {{"walked", res.walks}, {"reused", res.walks_reused}, {"cache_mb", opt.walk_cache_MB}}},
        {"clutter", cfg.clutter.empty() ? nlohmann::json(nullptr)
                                         : nlohmann::json({{"raster", cfg.clutter}, {"table", cfg.clutter_table},
                                                           {"heights", clutter_by_freq.empty() ? "none" : "P.2108-1 §3.1 height-gain correction per class (street width 27 m; carriers above 3 GHz evaluated at 3 GHz)"}})},
        {"pathloss_rasters", pathloss_files},
        {"compression", io::toString(compression)},
        {"compute_time_s", compute_s},
        {"run_time_s", run_s},
        {"warnings", models::describeWarnings(res.warnings)},
        {"input_warnings", input_warnings},
        {"path_loss_evaluations", res.evaluations},
        {"warning_counts", [&] {
             nlohmann::json a = nlohmann::json::array();
             for (const RaisedWarning& w : raisedWarnings(res)) a.push_back({{"warning", w.text}, {"evaluations", w.evaluations}, {"share_pct", w.share_pct}});
             return a;
         }()},
        {"technologies", techs}};
    {
        std::ofstream js(stage.path("summary.json"));
        js << summary.dump(2) << "\n";
        if (!js) throw Error(stage.finalPath("summary.json") + ": cannot write");
    }
    // A QGIS style beside each raster (QGIS applies signal_4G.qml on opening signal_4G.tif): the
    // signal ramps start at each technology's threshold.
    io::writeCoverageStyles(stage.path(""), [&](Technology t) { return opt.threshold_dBm(t); });
    stage.commit();

    std::cout << "phusong coverage: " << sectors.size() << " sectors over " << fmt(res.valid_area_km2, 1) << " km² ("
              << terrain.grid.width() << "x" << terrain.grid.height() << " px at "
              << fmt(terrain.grid.geoTransform().pixel_width_m, 1) << " m, EPSG:" << terrain.crs.epsg
              << (terrain.cropped ? ", the DEM within the sectors' radius" : "") << "), model "
              << models::toString(opt.model.kind) << ", " << res.threads_used << " threads, " << fmt(run_s, 2) << " s\n";
    if (terrain.voids_filled > 0) std::cout << "  DEM voids filled: " << terrain.voids_filled << " cells\n";
    std::cout << "  tech  measure      sectors  threshold   covered km²  covered %  model\n";
    for (const auto& layer : res.layers) {
        std::string used;
        for (const auto& [f, m] : techs[std::string(toString(layer.tech))]["model_by_freq_mhz"].items()) {
            used += (used.empty() ? "" : ", ") + m.get<std::string>() + " @" + f + " MHz";
        }
        if (!layer.operator_name.empty()) used = "operator " + layer.operator_name;
        std::cout << "  " << std::left << std::setw(6) << toString(layer.tech) << std::setw(13) << signalMeasure(layer.tech)
                  << std::right << std::setw(7) << layer.sectors.size() << std::setw(8) << fmt(layer.threshold_dBm, 0)
                  << " dBm" << std::setw(14) << fmt(layer.covered_km2, 1) << std::setw(11)
                  << fmt(100.0 * layer.covered_fraction, 1) << "  " << used << "\n";
    }
    // The closing table's warnings, also handed to the caller when it asks for them.
    auto warn = [&](const std::string& w) {
        std::cout << "  warning: " << w << "\n";
        if (cfg.on_warning) cfg.on_warning(w);
    };
    for (const std::string& w : input_warnings) warn(w);
    for (const auto& layer : res.layers) {
        if (!layer.operator_name.empty()) continue;
        const nlohmann::json& e = techs[std::string(toString(layer.tech))];
        if (!e.contains("location_probability")) continue;
        const nlohmann::json& lp = e["location_probability"];
        std::cout << "  " << toString(layer.tech) << " at " << fmt(lp["target_pct"].get<double>(), 0) << " % of locations (shadowing "
                  << fmt(lp["shadowing_sigma_db"].get<double>(), 1) << " dB, margin " << fmt(lp["margin_db"].get<double>(), 1)
                  << " dB): " << fmt(lp["covered_km2"].get<double>(), 1) << " km² (" << fmt(lp["covered_pct"].get<double>(), 1)
                  << " %); expected covered share " << fmt(lp["mean_probability_pct"].get<double>(), 1) << " %\n";
    }
    for (const RaisedWarning& w : raisedWarnings(res)) {
        warn(w.text + " (" + std::to_string(w.evaluations) + " of " + std::to_string(res.evaluations) + " path-loss evaluations, " +
             sharePct(w.share_pct) + ")");
    }
    std::string written;
    for (const std::string& r : kRasters) {
        if (wants(r.c_str())) written += (written.empty() ? "" : ", ") + (r == "throughput" ? "[" + r + "]" : r);
    }
    std::cout << "  outputs: " << std::filesystem::path(stage.finalPath("")).string() << " ("
              << (written.empty() ? std::string() : written + "_<tech>[_<operator>].tif with QGIS styles (.qml), ") << "servers_<tech>.csv, servers.gpkg"
              << (shadowing_all_dB > 0.0 || !shadowing_dB.empty() ? ", coverage_probability_<tech>.tif" : "")
              << (cfg.pathloss ? ", pathloss_<site_id>.tif" : "") << ", summary.json)\n";
    return 0;
}

void addCoverage(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<CoverageConfig>();
    auto crs = std::make_shared<std::string>();
    auto thresholds = std::make_shared<std::vector<std::string>>();
    auto shadowing = std::make_shared<std::vector<std::string>>();
    CLI::App* sub = app.add_subcommand("coverage", "Compute best-server signal rasters per technology from a site table");
    sub->add_option("--dem", cfg->dem, "DEM raster (GeoTIFF, SRTM .hgt or .hgt.zip, VRT) or a folder of tiles, read as one mosaic")->required();
    sub->add_option("--sites", cfg->sites, "Site table, one row per sector (CSV, GeoJSON, GeoPackage)")->required();
    sub->add_option("--out", cfg->out, "Output directory")->required();
    cfg->mo.add(sub);
    sub->add_option("--radius-km", cfg->radius_km, "Computation radius around each sector, km")->capture_default_str();
    sub->add_option("--resolution-m", cfg->resolution_m, "Analysis grid spacing, m (default: the DEM's native spacing)");
    sub->add_option("--rx-height-m", cfg->rx_height_m, "Receiver height above ground, m")->capture_default_str();
    sub->add_option("--threads", cfg->threads, "Worker threads (0 = all cores)")->capture_default_str();
    sub->add_option("--crs", *crs, "Analysis CRS as EPSG:N (default: the UTM zone of the sites' centre, with --extent dem of the DEM's)");
    cfg->extent = "sites";
    sub->add_option("--outputs", cfg->outputs,
                    "Composed rasters to write: all (default), none, or a comma-separated list of signal, best_server, "
                    "second_signal, overlap, sinr, throughput (summary.json and servers_<tech>.csv always)")
        ->delimiter(',');
    sub->add_option("--compression", cfg->compression,
                    "GeoTIFF compression: fast (DEFLATE level 1, quickest to write and read) or small (DEFLATE level 6 with "
                    "the predictor: Float32 rasters 10-27 % smaller, slower)")
        ->capture_default_str();
    sub->add_option("--extent", cfg->extent,
                    "Analysis grid: sites (the DEM within --radius-km of the sectors; the rest is never read) or dem (the whole DEM)")
        ->capture_default_str();
    sub->add_option("--threshold", *thresholds, "Coverage threshold per technology, e.g. --threshold 4G=-105 (dBm; a trailing dBm is allowed)");
    sub->add_flag("--quiet,-q", cfg->quiet, "No progress bar");
    sub->add_option("--engine", cfg->engine, "radial (fast sweep) or reference (full profile per pixel, slow)")->capture_default_str();
    sub->add_flag("--pathloss", cfg->pathloss, "Also write each sector's path-loss raster pathloss_<site_id>.tif (Float32 dB, its window)");
    sub->add_option("--clutter", cfg->clutter, "Land-cover class raster (any GDAL raster, or a folder of tiles read as one mosaic), applied at the receiver");
    sub->add_option("--clutter-table", cfg->clutter_table, "CSV class,loss_db[,height_m,type,name] for --clutter (height_m: P.2108 representative clutter height)");
    sub->add_option("--noise-figure-db", cfg->noise_figure_dB, "Receiver noise figure for SINR, dB")->capture_default_str();
    sub->add_option("--walk-cache-mb", cfg->walk_cache_MB,
                    "Memory, MB, for walks kept between co-sited carriers and technologies (Bullington, fspl): a site's rays "
                    "are walked once for all its carriers; 0 walks each carrier again (same rasters)")
        ->capture_default_str();
    sub->add_option("--shadowing-db", *shadowing,
                    "Location variability (log-normal shadow fading) standard deviation, dB: a value for every technology "
                    "(--shadowing-db 8) and/or per technology (--shadowing-db 5G=9); writes coverage_probability_<tech>.tif");
    sub->add_option("--location-probability", cfg->location_probability_pct,
                    "With --shadowing-db: the share of locations, %, a pixel must reach to count as covered at that confidence")
        ->capture_default_str();
    sub->callback([cfg, crs, thresholds, shadowing, &ctx] {
        ctx.action = [cfg, crs, thresholds, shadowing, &ctx] {
            if (!crs->empty()) cfg->epsg = parseEpsg(*crs);
            for (const auto& t : *thresholds) {
                const auto eq = t.find('=');
                if (eq == std::string::npos) throw InputError("--threshold '" + t + "': expected TECH=DBM, e.g. 4G=-105");
                cfg->thresholds[t.substr(0, eq)] = parseNumber(withoutUnit(t.substr(eq + 1), "dbm"), "--threshold " + t, "dBm");
            }
            for (const auto& v : *shadowing) {
                const auto eq = v.find('=');
                const std::string tech = eq == std::string::npos ? std::string() : v.substr(0, eq);
                cfg->shadowing_dB[tech] = parseNumber(withoutUnit(eq == std::string::npos ? v : v.substr(eq + 1), "db"), "--shadowing-db " + v, "dB");
            }
            return runCoverage(*cfg, ctx.command_line);
        };
    });
}

}  // namespace phusong::cli
