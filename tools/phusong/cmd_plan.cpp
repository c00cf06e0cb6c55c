// `phusong plan`: shared-tower placement so that every village is covered (by every operator or
// by one), industrial zones reach their 5G targets, at the least cost; with the bound and gap,
// what sharing saves, and the plan's coverage rasters.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_util.hpp"
#include "commands.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/plan/planner.hpp"
#include "phusong/core/technology.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/io/sites.hpp"
#include "phusong/io/text_file.hpp"
#include "phusong/io/vector.hpp"

namespace phusong::cli {

namespace {

namespace fs = std::filesystem;


double defaultFreq_MHz(Technology t) {
    switch (t) {
        case Technology::G2: return 900.0;
        case Technology::G3: return 2100.0;
        case Technology::G4: return 1800.0;
        case Technology::G5: return 3500.0;
    }
    return 1800.0;
}

std::vector<plan::Village> readVillages(const std::string& path) {
    std::vector<plan::Village> out;
    if (io::isVectorFile(path)) {
        int n = 0;
        for (const auto& f : io::readFeatures(path)) {
            ++n;
            plan::Village v;
            v.id = firstField(f, {"village_id", "id", "ma", "code", "ma_xa"});
            if (v.id.empty()) v.id = std::to_string(n);
            v.name = firstField(f, {"name", "tenhc", "ten", "ten_xa"});
            const std::string pop = firstField(f, {"population", "dansonguoi", "pop"});
            v.population = pop.empty() ? 1.0 : parseNumber(pop, f.location, "population");
            v.position = f.point;
            out.push_back(v);
        }
        return out;
    }
    const Table t = io::readTable(path);
    for (const char* col : {"village_id", "lat", "lon"})
        if (std::find(t.columns.begin(), t.columns.end(), col) == t.columns.end())
            throw InputError(path + ": missing column '" + col + "'; villages need village_id,lat,lon[,population,name]");
    for (const auto& r : t.rows) {
        plan::Village v;
        v.id = r.get("village_id");
        if (v.id.empty()) throw InputError(r.location + ": empty village_id");
        v.position = {parseNumber(r.get("lat"), r.location, "lat"), parseNumber(r.get("lon"), r.location, "lon")};
        if (std::abs(v.position.lat_deg) > 90 || std::abs(v.position.lon_deg) > 180)
            throw InputError(r.location + ": lat/lon out of range (are they swapped or projected?)");
        v.name = r.get("name");
        if (r.has("population") && !r.get("population").empty()) v.population = parseNumber(r.get("population"), r.location, "population");
        if (v.population < 0) throw InputError(r.location + ": population must be >= 0");
        out.push_back(v);
    }
    if (out.empty()) throw InputError(path + ": no villages");
    return out;
}

/// Towers from a site-like table: candidates (site_id, lat, lon[, antenna_height_m, cost]) or
/// existing sites (one row per sector; rows with the same tower_id or site_id are one tower).
std::vector<plan::Tower> readTowers(const std::string& path, bool existing, double default_height_m) {
    const Table t = io::readTable(path);
    for (const char* col : {"lat", "lon"})
        if (std::find(t.columns.begin(), t.columns.end(), col) == t.columns.end())
            throw InputError(path + ": missing column '" + std::string(col) + "'");
    std::vector<plan::Tower> out;
    std::map<std::string, size_t> by_id;
    for (const auto& r : t.rows) {
        std::string id = r.has("tower_id") && !r.get("tower_id").empty() ? r.get("tower_id") : r.get("site_id");
        if (id.empty()) throw InputError(r.location + ": needs a site_id (or tower_id)");
        auto it = by_id.find(id);
        if (it == by_id.end()) {
            plan::Tower tw;
            tw.id = id;
            tw.existing = existing;
            tw.position = {parseNumber(r.get("lat"), r.location, "lat"), parseNumber(r.get("lon"), r.location, "lon")};
            tw.height_m = r.has("antenna_height_m") && !r.get("antenna_height_m").empty()
                              ? parseNumber(r.get("antenna_height_m"), r.location, "antenna_height_m")
                              : default_height_m;
            if (r.has("cost") && !r.get("cost").empty()) {
                tw.cost = parseNumber(r.get("cost"), r.location, "cost");
                if (tw.cost < 0) throw InputError(r.location + ": cost must be >= 0");
            }
            for (const auto& c : t.columns)
                if (c != "lat" && c != "lon" && c != "cost" && c != "site_id" && c != "antenna_height_m" && c != "operator")
                    tw.extra.emplace_back(c, r.get(c));
            it = by_id.emplace(id, out.size()).first;
            out.push_back(tw);
        }
        if (existing) {
            const std::string op = r.get("operator");
            if (op.empty()) throw InputError(r.location + ": existing towers need the operator on them (column 'operator')");
            auto& ops = out[it->second].operators;
            if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
        }
    }
    if (out.empty()) throw InputError(path + ": no rows");
    return out;
}

std::string defaultCacheDir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/phusong";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/phusong";
    return ".phusong-cache";
}

/// The coverage matrix from the cache when its content hash matches, else computed and stored.
plan::CoverageMatrix cachedMatrix(const PlanConfig& cfg, const DemGrid& dem, const std::vector<plan::Tower>& towers,
                                  const std::vector<PointXY>& points, const plan::Radio& radio,
                                  const engine::SweepOptions& sweep, double floor_dBm, const std::string& signature,
                                  bool& hit) {
    const uint64_t key = plan::coverageMatrixKey(dem, towers, points, radio, sweep, floor_dBm, signature);
    std::ostringstream name;
    name << "matrix_" << std::hex << std::setw(16) << std::setfill('0') << key << ".bin";
    const fs::path dir = cfg.cache_dir.empty() ? fs::path(defaultCacheDir()) : fs::path(cfg.cache_dir);
    const fs::path file = dir / name.str();
    hit = false;
    if (!cfg.no_cache && fs::exists(file)) {
        try {
            std::ifstream in(file, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), {});
            auto m = plan::deserializeMatrix(bytes);
            if (m.points == static_cast<int>(points.size()) && m.by_tower.size() == towers.size()) {
                hit = true;
                return m;
            }
        } catch (const Error&) {
            // A damaged cache entry is recomputed and overwritten.
        }
    }
    const std::function<void(double)> progress = cfg.progress ? cfg.progress : terminalProgress("matrix", cfg.quiet);
    auto m = plan::computeCoverageMatrix(dem, towers, points, radio, sweep, floor_dBm, cfg.threads, progress);
    if (!cfg.no_cache) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        const fs::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
        std::ofstream o(tmp, std::ios::binary);
        const std::string bytes = plan::serializeMatrix(m);
        o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        o.close();
        if (o) fs::rename(tmp, file, ec);
        else fs::remove(tmp, ec);
    }
    return m;
}

std::string modelSignature(const ModelOptions& mo) {
    std::ostringstream s;
    s << std::setprecision(17) << mo.model << '|' << mo.environment << '|' << mo.k_factor << '|' << mo.itm_epsilon << '|'
      << mo.itm_sigma << '|' << mo.itm_n0 << '|' << mo.itm_climate << '|' << mo.itm_polarization << '|' << mo.itm_mdvar << '|'
      << mo.itm_time << '|' << mo.itm_location << '|' << mo.itm_situation << '|' << mo.itm_delta_h << '|' << mo.p1812_time
      << '|' << mo.p1812_location << '|' << mo.p1812_sigma_l << '|' << mo.p1812_dn << '|' << mo.p1812_n0 << '|'
      << mo.p1812_clutter << '|' << mo.clutter_loss_pct.value_or(-1) << '|' << mo.clutter_type << '|' << mo.clutter_height_m
      << '|' << mo.indoor_pct.value_or(-1) << '|' << mo.indoor_building;
    return s.str();
}

}  // namespace

int runPlan(const PlanConfig& cfg, const std::string& command_line) {
    const auto t_start = std::chrono::steady_clock::now();
    const auto tech = parseTechnology(cfg.tech);
    if (!tech) throw InputError("--tech '" + cfg.tech + "': use 2G, 3G, 4G or 5G");
    if (cfg.cover_by != "every" && cfg.cover_by != "any") throw InputError("--cover-by must be every or any");
    if (!(cfg.radius_km > 0)) throw InputError("--radius-km must be positive");
    if (cfg.k_fold < 1) throw InputError("--k-fold must be >= 1");
    if (!(cfg.time_limit_s > 0)) throw InputError("--time-limit-s must be positive");
    if (cfg.budget && !(*cfg.budget > 0)) throw InputError("--budget must be positive");
    io::parseCogCompression(cfg.compression, "--compression");  // before the plan, not after it
    useThreads(cfg.threads);
    for (double c : {cfg.costs.new_tower, cfg.costs.equipment, cfg.costs.colocation, cfg.costs.equipment_5g})
        if (!(c >= 0)) throw InputError("--cost-* values must be >= 0");
    const auto log = [&](const std::string& s) {
        if (!cfg.quiet) std::cerr << "plan: " << s << "\n";
    };

    io::DemLoadOptions dopt;
    dopt.resolution_m = cfg.resolution_m;
    dopt.bytes_per_cell = 64.0;  // the DEM and, for the plan's rasters, a coverage run's composition (see coverage)
    dopt.grid_fix = "use a coarser --resolution-m or a DEM cropped to the villages (gdal_translate -projwin)";
    const io::Terrain terrain = io::loadDem(cfg.dem, dopt);
    const io::Projector proj(terrain.crs);
    const DemGrid& dem = terrain.grid;

    // Villages on the DEM; the others are listed, not planned.
    std::vector<plan::Village> all_villages = readVillages(cfg.villages);
    std::vector<plan::Village> villages;
    std::vector<std::string> outside;
    for (auto& v : all_villages) {
        v.xy = proj.toXY(v.position);
        if (hasGroundAt(dem, v.xy.x_m, v.xy.y_m)) villages.push_back(v);
        else outside.push_back(v.id);
    }
    if (!outside.empty()) log(std::to_string(outside.size()) + " of " + std::to_string(all_villages.size()) + " villages lie outside the DEM and are left out (listed in plan_summary.json)");
    if (villages.empty()) throw InputError(cfg.villages + ": no village lies on the DEM " + cfg.dem + "; check the files cover the same area");

    // Towers: existing, then candidates (given or generated from the DEM).
    std::vector<plan::Tower> towers;
    if (!cfg.existing.empty()) towers = readTowers(cfg.existing, true, cfg.tower_height_m);
    std::string candidate_source = cfg.candidates;
    if (!cfg.candidates.empty()) {
        for (auto& t : readTowers(cfg.candidates, false, cfg.tower_height_m)) towers.push_back(t);
    } else {
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (const auto& v : villages) x0 = std::min(x0, v.xy.x_m), y0 = std::min(y0, v.xy.y_m), x1 = std::max(x1, v.xy.x_m), y1 = std::max(y1, v.xy.y_m);
        const double pad = 0.5 * cfg.radius_km * 1000.0;
        auto gen = plan::generateCandidates(dem, cfg.candidate_spacing_m, cfg.tower_height_m, x0 - pad, y0 - pad, x1 + pad, y1 + pad);
        for (auto& t : gen) {
            t.position = proj.toLatLon(t.xy);
            towers.push_back(t);
        }
        candidate_source = "generated: highest point of each " + fmt(cfg.candidate_spacing_m, 0) + " m block";
        log(std::to_string(gen.size()) + " candidate towers generated from the DEM");
    }
    for (auto& t : towers) {
        if (t.xy.x_m == 0 && t.xy.y_m == 0) t.xy = proj.toXY(t.position);
        if (!hasGroundAt(dem, t.xy.x_m, t.xy.y_m))
            throw InputError("tower " + t.id + " lies outside the DEM " + cfg.dem + "; remove it or use a larger DEM");
    }

    std::vector<std::string> operators;
    {
        std::stringstream ss(cfg.operators);
        std::string op;
        while (std::getline(ss, op, ','))
            if (!op.empty()) operators.push_back(op);
        if (operators.empty()) {
            std::set<std::string> seen;
            for (const auto& t : towers)
                for (const auto& o : t.operators) seen.insert(o);
            operators.assign(seen.begin(), seen.end());
        }
        if (operators.empty()) operators.push_back("operator");
    }

    std::vector<plan::Zone> zones;
    if (!cfg.zones.empty()) {
        int n = 0;
        for (const auto& f : io::readFeatures(cfg.zones)) {
            ++n;
            plan::Zone z;
            z.id = firstField(f, {"zone_id", "id"});
            if (z.id.empty()) z.id = std::to_string(n);
            z.name = firstField(f, {"name"});
            if (z.name.empty()) z.name = z.id;
            const std::string share = firstField(f, {"target_share", "target"});
            if (!share.empty()) z.target_share = parseNumber(share, f.location, "target_share");
            if (!(z.target_share > 0 && z.target_share <= 1)) throw InputError(f.location + ": target_share must be in (0, 1], e.g. 0.95");
            const std::string thr = firstField(f, {"threshold_dbm"});
            if (!thr.empty()) z.threshold_dBm = parseNumber(thr, f.location, "threshold_dbm");
            if (!f.polygon) throw InputError(f.location + ": industrial zones must be polygons");
            z.cells = io::samplePolygon(f, terrain.crs, cfg.zone_spacing_m);
            zones.push_back(std::move(z));
        }
    }

    engine::SweepOptions sweep;
    sweep.model = cfg.mo.build();
    sweep.radius_m = cfg.radius_km * 1000.0;
    sweep.rx_height_m = cfg.rx_height_m;
    plan::Radio radio;
    radio.tech = *tech;
    radio.freq_MHz = cfg.freq_mhz.value_or(defaultFreq_MHz(*tech));
    radio.eirp_dBm = cfg.eirp_dbm.value_or(60.0);
    const double threshold = cfg.threshold_dbm.value_or(defaultThreshold_dBm(*tech));
    const std::string signature = modelSignature(cfg.mo);

    std::vector<PointXY> village_xy;
    for (const auto& v : villages) village_xy.push_back(v.xy);
    bool hit = false;
    const auto t_matrix = std::chrono::steady_clock::now();
    const plan::CoverageMatrix vm = cachedMatrix(cfg, dem, towers, village_xy, radio, sweep, threshold - 40.0, signature, hit);
    const double matrix_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_matrix).count();
    log(std::string("coverage matrix ") + std::to_string(towers.size()) + " towers x " + std::to_string(villages.size()) +
        " villages: " + (hit ? "from cache" : "computed") + " in " + fmt(matrix_s) + " s");
    plan::CoverageMatrix zm;
    if (!zones.empty()) {
        std::vector<PointXY> cells;
        for (const auto& z : zones) cells.insert(cells.end(), z.cells.begin(), z.cells.end());
        plan::Radio r5 = radio;
        r5.tech = Technology::G5;
        r5.freq_MHz = cfg.zone_5g_freq_mhz;
        r5.eirp_dBm = cfg.zone_5g_eirp_dbm;
        r5.bandwidth_MHz = 0;
        double lowest = 0;
        for (const auto& z : zones) lowest = std::min(lowest, z.threshold_dBm);
        bool zhit = false;
        zm = cachedMatrix(cfg, dem, towers, cells, r5, sweep, lowest - 1.0, signature, zhit);
    }

    plan::PlanOptions po;
    po.operators = operators;
    po.cover_by = cfg.cover_by == "every" ? plan::CoverBy::Every : plan::CoverBy::Any;
    po.k_fold = cfg.k_fold;
    po.threshold_dBm = threshold;
    po.margin_dB = cfg.margin_db;
    po.budget = cfg.budget;
    po.costs = cfg.costs;
    po.time_limit_s = cfg.time_limit_s;
    po.exact = !cfg.heuristic_only;
    po.log = log;
    const plan::PlanResult r = plan::planTowers(villages, towers, vm, zones, zones.empty() ? nullptr : &zm, po);
    if (r.sites.empty() && r.status.rfind("optimal", 0) != 0 && r.status != "feasible") {
        if (!villages.empty() && r.unreachable.size() == villages.size()) {
            throw InputError("no plan: no village is reached at " + fmt(threshold + cfg.margin_db, 1) + " dBm (--threshold-dbm" +
                             (cfg.margin_db != 0.0 ? std::string(" plus --margin-db") : std::string()) + ") by " +
                             (cfg.k_fold > 1 ? std::to_string(cfg.k_fold) + " candidate towers (--k-fold)" : std::string("any candidate tower")) +
                             (cfg.k_fold > 1 ? "; lower --k-fold or --threshold-dbm" : "; lower --threshold-dbm") +
                             ", raise --eirp-dbm or --radius-km, or give more candidates (--candidates, a smaller "
                             "--candidate-spacing-m)");
        }
        throw InputError("no plan: " + r.status);
    }

    io::StagedOutput stage(cfg.out);
    // plan_sites.csv: candidate columns, role, operators.
    {
        std::set<std::string> extra_cols;
        for (const auto& s : r.sites)
            for (const auto& [k, v] : towers[s.tower].extra) extra_cols.insert(k);
        std::ofstream o(stage.path("plan_sites.csv"));
        o << "site_id,lat,lon,antenna_height_m,role,operators,operators_added,has_5g,existing,cost";
        for (const auto& c : extra_cols) o << "," << c;
        o << "\n";
        for (const auto& s : r.sites) {
            const auto& t = towers[s.tower];
            std::string ops, added;
            for (const auto& x : s.operators) ops += (ops.empty() ? "" : ";") + x;
            for (const auto& x : s.added) added += (added.empty() ? "" : ";") + x;
            o << csvEscape(t.id) << "," << fmt(t.position.lat_deg, 6) << "," << fmt(t.position.lon_deg, 6) << "," << fmt(t.height_m, 1)
              << "," << s.role << "," << csvEscape(ops) << "," << csvEscape(added) << "," << (s.has_5g ? 1 : 0) << ","
              << (t.existing ? 1 : 0) << "," << fmt(s.cost, 2);
            for (const auto& c : extra_cols) {
                std::string v;
                for (const auto& [k, val] : t.extra)
                    if (k == c) v = val;
                o << "," << csvEscape(v);
            }
            o << "\n";
        }
    }
    // village_coverage.csv
    {
        std::set<int> unreachable(r.unreachable.begin(), r.unreachable.end());
        std::ofstream o(stage.path("village_coverage.csv"));
        o << "village_id,name,lat,lon,population,covered,best_signal_dbm,best_site,operators,best_achievable_dbm,reachable\n";
        for (size_t v = 0; v < villages.size(); ++v) {
            const auto& vi = villages[v];
            std::string ops;
            for (const auto& x : r.village_operators[v]) ops += (ops.empty() ? "" : ";") + x;
            const bool covered = po.cover_by == plan::CoverBy::Every ? r.village_operators[v].size() == operators.size()
                                                                      : !r.village_operators[v].empty();
            o << csvEscape(vi.id) << "," << csvEscape(vi.name) << "," << fmt(vi.position.lat_deg, 6) << ","
              << fmt(vi.position.lon_deg, 6) << "," << fmt(vi.population, 0) << "," << (covered ? 1 : 0) << ","
              << fmt(r.village_best_dBm[v], 1) << "," << (r.village_best_tower[v] >= 0 ? csvEscape(towers[r.village_best_tower[v]].id) : "")
              << "," << csvEscape(ops) << "," << fmt(r.village_best_any_dBm[v], 1) << "," << (unreachable.count(static_cast<int>(v)) ? 0 : 1)
              << "\n";
        }
    }
    // The plan's coverage rasters, through the coverage command on the chosen sites.
    if (!cfg.no_rasters && !r.sites.empty()) {
        const std::string sectors_csv = stage.path("plan_sectors.csv");
        std::ofstream o(sectors_csv);
        o << "site_id,lat,lon,antenna_height_m,tech,freq_mhz,eirp_dbm,operator,tower_id\n";
        for (const auto& s : r.sites) {
            const auto& t = towers[s.tower];
            for (const auto& op : s.operators)
                o << csvEscape(t.id + "_" + op) << "," << fmt(t.position.lat_deg, 7) << "," << fmt(t.position.lon_deg, 7) << ","
                  << fmt(t.height_m, 1) << "," << toString(radio.tech) << "," << fmt(radio.freq_MHz, 1) << "," << fmt(radio.eirp_dBm, 2)
                  << "," << csvEscape(op) << "," << csvEscape(t.id) << "\n";
            if (s.has_5g)
                o << csvEscape(t.id + "_5G") << "," << fmt(t.position.lat_deg, 7) << "," << fmt(t.position.lon_deg, 7) << ","
                  << fmt(t.height_m, 1) << ",5G," << fmt(cfg.zone_5g_freq_mhz, 1) << "," << fmt(cfg.zone_5g_eirp_dbm, 2) << ","
                  << csvEscape(s.operators.empty() ? std::string("shared") : s.operators.front()) << "," << csvEscape(t.id) << "\n";
        }
        o.close();
        CoverageConfig cc;
        cc.dem = cfg.dem;
        cc.sites = sectors_csv;
        cc.out = stage.path("coverage");
        cc.mo = cfg.mo;
        cc.radius_km = cfg.radius_km;
        cc.resolution_m = cfg.resolution_m;
        cc.rx_height_m = cfg.rx_height_m;
        cc.threads = cfg.threads;
        cc.walk_store = cfg.walk_store;  // the network's walks when `run` computed them
        cc.thresholds[std::string(toString(radio.tech))] = threshold;
        cc.quiet = true;
        cc.compression = cfg.compression;
        std::ostringstream sink;
        auto* old = std::cout.rdbuf(sink.rdbuf());  // the coverage table belongs to `coverage`, not here
        try {
            runCoverage(cc, command_line);
        } catch (...) {
            std::cout.rdbuf(old);
            throw;
        }
        std::cout.rdbuf(old);
    }
    // plan_summary.json
    nlohmann::ordered_json j;
    j["status"] = r.status;
    j["tech"] = std::string(toString(radio.tech));
    j["threshold_dbm"] = threshold;
    j["margin_db"] = cfg.margin_db;
    j["cover_by"] = cfg.cover_by;
    j["k_fold"] = cfg.k_fold;
    j["operators"] = operators;
    j["villages_total"] = villages.size();
    j["villages_covered"] = r.villages_covered;
    j["villages_unreachable"] = r.unreachable.size();
    nlohmann::json unreach = nlohmann::json::array();
    for (int v : r.unreachable)
        unreach.push_back({{"village_id", villages[v].id}, {"name", villages[v].name},
                           {"best_achievable_dbm", std::isnan(r.village_best_any_dBm[v]) ? nlohmann::json(nullptr) : nlohmann::json(r.village_best_any_dBm[v])}});
    j["unreachable"] = unreach;
    j["villages_outside_dem"] = outside;
    j["population_covered"] = r.population_covered;
    j["towers_total"] = r.sites.size();
    j["towers_new"] = r.towers_new;
    j["towers_shared"] = r.towers_shared;
    j["towers_existing"] = r.towers_existing;
    j["cost"] = r.cost;
    j["objective"] = r.objective;
    j["lower_bound"] = r.lower_bound;
    j["gap"] = r.gap;
    j["solver"] = r.solver;
    j["time_s"] = r.time_s;
    j["matrix_time_s"] = matrix_s;
    j["matrix_from_cache"] = hit;
    j["candidates"] = {{"count", towers.size()}, {"source", candidate_source}};
    j["cost_model"] = {{"new_tower", cfg.costs.new_tower}, {"equipment", cfg.costs.equipment},
                       {"colocation", cfg.costs.colocation}, {"equipment_5g", cfg.costs.equipment_5g}};
    if (!r.alone.empty()) {
        nlohmann::ordered_json alone = nlohmann::ordered_json::object();
        for (const auto& a : r.alone) {
            int towers_in_plan = 0;
            for (const auto& s : r.sites)
                if (std::find(s.operators.begin(), s.operators.end(), a.name) != s.operators.end()) ++towers_in_plan;
            alone[a.name] = {{"towers_alone", a.towers}, {"cost_alone", a.cost}, {"alone_optimal", a.optimal},
                             {"towers_used_in_plan", towers_in_plan}};
        }
        j["sharing"] = {{"per_operator", alone},
                        {"towers_alone_total", r.alone_towers},
                        {"cost_alone_total", r.alone_cost},
                        {"towers_saved", r.alone_towers - r.towers_new},
                        {"cost_saved", r.alone_cost - r.cost},
                        {"cost_saved_fraction", r.alone_cost > 0 ? (r.alone_cost - r.cost) / r.alone_cost : 0.0}};
    }
    if (!zones.empty()) {
        nlohmann::json zj = nlohmann::json::array();
        for (size_t z = 0; z < zones.size(); ++z)
            zj.push_back({{"zone", zones[z].name}, {"target_share", zones[z].target_share}, {"threshold_dbm", zones[z].threshold_dBm},
                          {"achieved_share", r.zone_share[z]}, {"cells", zones[z].cells.size()}});
        j["industrial_zones"] = zj;
    }
    j["command"] = command_line;
    {
        std::ofstream o(stage.path("plan_summary.json"));
        o << j.dump(2) << "\n";
    }
    stage.commit();
    const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    std::cout << "phusong plan: " << r.villages_covered << "/" << villages.size() << " villages covered with "
              << r.sites.size() << " towers (" << r.towers_new << " new, " << r.towers_shared << " shared, "
              << r.towers_existing << " existing), cost " << fmt(r.cost, 1) << ", bound " << fmt(r.lower_bound, 1) << ", gap "
              << fmt(100 * r.gap, 2) << " %, " << r.status << "; " << fmt(total_s, 1) << " s -> " << cfg.out << "\n";
    if (!r.alone.empty())
        std::cout << "sharing: operators alone would build " << r.alone_towers << " towers for " << fmt(r.alone_cost, 1)
                  << "; shared plan saves " << fmt(r.alone_cost - r.cost, 1) << "\n";
    for (size_t i = 0; i < r.unreachable.size(); ++i) {
        const int v = r.unreachable[i];
        std::cerr << "plan: village " << villages[v].id << (villages[v].name.empty() ? "" : " (" + villages[v].name + ")") << " is unreachable: ";
        if (cfg.k_fold > 1 && r.unreachable_towers[i] > 0) {
            std::cerr << r.unreachable_towers[i] << " candidate towers reach it at " << fmt(threshold + cfg.margin_db, 1)
                      << " dBm, fewer than --k-fold " << cfg.k_fold << "\n";
        } else {
            std::cerr << "best achievable " << fmt(r.village_best_any_dBm[v], 1) << " dBm < " << fmt(threshold + cfg.margin_db, 1) << " dBm\n";
        }
    }
    return r.unreachable.empty() ? 0 : 3;
}


void addPlan(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<PlanConfig>();
    CLI::App* sub = app.add_subcommand("plan", "Choose shared towers so that every village is covered at the least cost");
    sub->add_option("--dem", cfg->dem, "DEM raster, or a folder of tiles read as one mosaic")->required();
    sub->add_option("--villages", cfg->villages, "Villages: CSV village_id,lat,lon[,population,name], GeoJSON or GeoPackage (polygons reduced to a point inside)")->required();
    sub->add_option("--candidates", cfg->candidates, "Candidate sites CSV (site_id,lat,lon[,antenna_height_m,cost,...]); default: generated from the DEM");
    sub->add_option("--existing", cfg->existing, "Existing sites CSV (site_id or tower_id, lat, lon, operator, ...)");
    sub->add_option("--industrial-zones", cfg->zones, "Industrial zone polygons (GeoJSON/GeoPackage; fields name, target_share, threshold_dbm)");
    sub->add_option("--tech", cfg->tech, "Technology planned for the villages: 2G, 3G, 4G or 5G")->capture_default_str();
    sub->add_option("--operators", cfg->operators, "Comma-separated operators (default: those on the existing towers)");
    sub->add_option("--cover-by", cfg->cover_by, "every: each operator covers each village; any: one operator suffices")->capture_default_str();
    sub->add_option("--k-fold", cfg->k_fold, "Towers (per operator) that must reach each village")->capture_default_str();
    sub->add_option("--threshold-dbm", cfg->threshold_dbm, "Coverage threshold (default: the technology's)");
    sub->add_option("--margin-db", cfg->margin_db, "Required margin above the threshold, dB")->capture_default_str();
    sub->add_option("--budget", cfg->budget, "Maximal covering: maximise covered population within this cost");
    sub->add_option("--freq-mhz", cfg->freq_mhz, "Carrier frequency (default per technology: 900/2100/1800/3500)");
    sub->add_option("--eirp-dbm", cfg->eirp_dbm, "Omni EIRP of planned equipment (default 60 dBm)");
    sub->add_option("--tower-height-m", cfg->tower_height_m, "Antenna height on generated candidates and rows without one")->capture_default_str();
    sub->add_option("--candidate-spacing-m", cfg->candidate_spacing_m, "Generated candidates: one hilltop per block of this size")->capture_default_str();
    sub->add_option("--cost-new-tower", cfg->costs.new_tower, "Cost of a new tower")->capture_default_str();
    sub->add_option("--cost-equipment", cfg->costs.equipment, "Cost of one operator's equipment on a tower")->capture_default_str();
    sub->add_option("--cost-colocation", cfg->costs.colocation, "Extra for an operator on an existing tower it does not own")->capture_default_str();
    sub->add_option("--cost-5g", cfg->costs.equipment_5g, "Cost of 5G equipment on a tower (zone targets)")->capture_default_str();
    sub->add_option("--zone-5g-freq-mhz", cfg->zone_5g_freq_mhz, "5G carrier for zone targets")->capture_default_str();
    sub->add_option("--zone-5g-eirp-dbm", cfg->zone_5g_eirp_dbm, "5G EIRP for zone targets")->capture_default_str();
    sub->add_option("--zone-spacing-m", cfg->zone_spacing_m, "Sample spacing inside zones")->capture_default_str();
    sub->add_option("--radius-km", cfg->radius_km, "Computation radius around each tower")->capture_default_str();
    sub->add_option("--resolution-m", cfg->resolution_m, "Analysis pixel size (0 = the DEM's)")->capture_default_str();
    sub->add_option("--rx-height-m", cfg->rx_height_m, "Receiver above ground")->capture_default_str();
    sub->add_option("--time-limit-s", cfg->time_limit_s, "Optimiser time limit")->capture_default_str();
    sub->add_flag("--heuristic-only", cfg->heuristic_only, "Stop after the heuristics (bound from the LP/Lagrangian)");
    sub->add_option("--cache-dir", cfg->cache_dir, "Coverage-matrix cache (default $XDG_CACHE_HOME/phusong)");
    sub->add_flag("--no-cache", cfg->no_cache, "Always recompute the coverage matrix");
    sub->add_flag("--no-rasters", cfg->no_rasters, "Skip the plan's coverage rasters");
    sub->add_option("--compression", cfg->compression, "The coverage rasters' GeoTIFF compression: fast (DEFLATE level 1) or small (level 6 with the predictor)")
        ->capture_default_str();
    sub->add_option("--threads", cfg->threads, "Threads (0 = all cores)")->capture_default_str();
    sub->add_option("--out", cfg->out, "Output directory")->required();
    sub->add_flag("-q,--quiet", cfg->quiet, "No progress lines");
    cfg->mo.add(sub);
    sub->callback([cfg, &ctx] { ctx.action = [cfg, &ctx] { return runPlan(*cfg, ctx.command_line); }; });
}

}  // namespace phusong::cli
