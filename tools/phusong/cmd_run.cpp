// `phusong run SCENARIO.yaml --out DIR`: the provincial planner's whole day in one command.
// Materialises the scenario's inputs (terrain, villages, zones, sites), computes coverage, plans
// shared towers when the scenario has targets, writes the GIS outputs (QGIS styles, KMZ, coverage
// polygons, villages) and the HTML report. `phusong compare A B --out DIR` shows what changed.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_util.hpp"
#include "commands.hpp"
#include "log.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/network_gen.hpp"
#include "phusong/core/synth_terrain.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/gis.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/io/scenario.hpp"
#include "phusong/io/sites.hpp"
#include "phusong/io/vector.hpp"
#include "report_assets.hpp"
#include "run.hpp"

namespace phusong::cli {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

int utmEpsg(LatLon c) { return (c.lat_deg >= 0 ? 32600 : 32700) + static_cast<int>(std::floor((c.lon_deg + 180.0) / 6.0)) + 1; }

void writeText(const std::string& path, const std::string& text) {
    std::ofstream o(path, std::ios::binary);
    o << text;
    if (!o) throw Error(path + ": cannot write");
}

// Captures std::cout while a sub-step prints its own table, so `run` decides what is shown.
class CaptureStdout {
public:
    CaptureStdout() : m_old(std::cout.rdbuf(m_sink.rdbuf())) {}
    ~CaptureStdout() { std::cout.rdbuf(m_old); }
    std::string text() const { return m_sink.str(); }

private:
    std::ostringstream m_sink;
    std::streambuf* m_old;
};

struct VillageRow {
    std::string id, name;
    LatLon ll;
    double population = 1.0;
};

struct Materialised {
    std::string dem, sites, villages, zones;
    io::Crs crs;
    DemGrid grid;
    std::vector<VillageRow> villages_rows;
    int towers = 0;
    std::map<std::string, int> bts_per_tech, sectors_per_tech;
    std::vector<std::pair<std::string, std::string>> notes;  ///< what was real, synthetic, unavailable
};

// The features of @p file that match every field = value of @p where (InputError naming the key).
std::vector<io::Feature> selectFeatures(const std::string& scenario, const std::string& key, const std::string& file,
                                        const std::map<std::string, std::string>& where) {
    const auto feats = io::readFeatures(file);
    for (const auto& [k, v] : where) {
        const bool known = std::any_of(feats.begin(), feats.end(), [&](const io::Feature& f) { return f.fields.count(lowerCase(k)) > 0; });
        if (!known) throw InputError(scenario + ": " + key + ".where." + k + ": " + file + " has no field '" + k + "'");
    }
    std::vector<io::Feature> out;
    for (const auto& f : feats) {
        bool keep = true;
        for (const auto& [k, v] : where) {
            const auto it = f.fields.find(lowerCase(k));
            keep = keep && it != f.fields.end() && it->second == v;
        }
        if (keep) out.push_back(f);
    }
    if (out.empty()) {
        std::string w;
        for (const auto& [k, v] : where) w += (w.empty() ? "" : ", ") + k + " = " + v;
        throw InputError(scenario + ": " + key + ": no feature of " + file + " has " + w + "; check the values");
    }
    return out;
}

// --- terrain -------------------------------------------------------------------------------
void materialiseTerrain(const io::Scenario& sc, const fs::path& inputs, Materialised& m, Logger& log, const std::string& cmd) {
    m.dem = (inputs / "dem.tif").string();
    std::vector<io::Feature> boundary;
    if (!sc.boundary.file.empty()) boundary = selectFeatures(sc.path, "region.boundary", sc.boundary.file, sc.boundary.where);
    auto applyBoundary = [&](DemGrid& grid, const io::Crs& crs) {
        std::vector<std::string> wkt;
        for (const auto& f : boundary) wkt.push_back(f.wkt_wgs84);
        const long long kept = io::maskOutside(grid, crs, wkt);
        const double km2 = kept * grid.geoTransform().pixel_width_m * grid.geoTransform().pixel_height_m / 1e6;
        m.notes.emplace_back("boundary", "real: " + std::to_string(boundary.size()) + " outline(s) from " + fs::path(sc.boundary.file).filename().string() +
                                             ", " + fmt(km2, 0) + " km² inside");
        if (kept == 0) throw InputError(sc.path + ": region.boundary does not overlap the terrain; check region.terrain");
    };
    if (sc.boundary.file.empty() && !sc.boundary.file_unavailable.empty())
        m.notes.emplace_back("boundary", "none: the outline " + sc.boundary.file_unavailable + "; the whole terrain square is the region");
    if (!sc.terrain.dem.empty()) {
        io::DemLoadOptions o;
        o.epsg = sc.epsg;
        o.resolution_m = sc.resolution_m;
        if (!boundary.empty() && !sc.terrain.stand_in_center) {
            // Terrain outside the outline is masked anyway: read only the DEM around it (plus
            // 2 km, as synthetic terrain gets), so that a national mosaic stays on disk.
            for (const auto& f : boundary) o.around.insert(o.around.end(), {f.bbox_min, f.bbox_max});
            o.around_m = 2000.0;
            o.around_label = sc.path + ": region.boundary";
        }
        o.bytes_per_cell = 64.0;  // the terrain and a coverage run's composition (see coverage)
        o.grid_fix = "set a coarser region.resolution_m in " + sc.path;
        io::Terrain t = io::loadDem(sc.terrain.dem, o);
        std::string note = "real: " + t.source;
        if (sc.terrain.stand_in_center) {
            const io::Projector p(t.crs);
            const GeoTransform& g = t.grid.geoTransform();
            const PointXY target = p.toXY(*sc.terrain.stand_in_center);
            const double cx = g.origin_x_m + 0.5 * t.grid.width() * g.pixel_width_m, cy = g.origin_y_m - 0.5 * t.grid.height() * g.pixel_height_m;
            GeoTransform shifted = g;
            shifted.origin_x_m += std::round((target.x_m - cx) / g.pixel_width_m) * g.pixel_width_m;
            shifted.origin_y_m += std::round((target.y_m - cy) / g.pixel_height_m) * g.pixel_height_m;
            DemGrid moved(t.grid.width(), t.grid.height(), shifted, 0.0f, t.grid.nodata());
            moved.data() = t.grid.data();
            t.grid = std::move(moved);
            note += " (stand-in: relocated so that its centre lies at " + fmt(sc.terrain.stand_in_center->lat_deg, 4) + " N " +
                    fmt(sc.terrain.stand_in_center->lon_deg, 4) + " E)";
        }
        if (!boundary.empty()) applyBoundary(t.grid, t.crs);
        io::writeCog(m.dem, t.grid, t.crs, {"elevation above mean sea level; " + note, "m", io::provenance(cmd)});
        m.crs = t.crs;
        m.grid = std::move(t.grid);
        m.notes.emplace_back("terrain", note);
    } else {
        auto s = *sc.terrain.synthetic;
        if (!boundary.empty()) {
            // A square around the outline (plus 2 km), so the whole province lies on the terrain.
            double la0 = 90, la1 = -90, lo0 = 180, lo1 = -180;
            for (const auto& f : boundary) {
                la0 = std::min(la0, f.bbox_min.lat_deg), la1 = std::max(la1, f.bbox_max.lat_deg);
                lo0 = std::min(lo0, f.bbox_min.lon_deg), lo1 = std::max(lo1, f.bbox_max.lon_deg);
            }
            s.center = {0.5 * (la0 + la1), 0.5 * (lo0 + lo1)};
            const double h_km = (la1 - la0) * 110.574, w_km = (lo1 - lo0) * 111.320 * std::cos(s.center.lat_deg * M_PI / 180.0);
            s.options.size_km = std::ceil(std::max(h_km, w_km) + 4.0);
        }
        SynthTerrainOptions& o = s.options;
        if (sc.resolution_m > 0) o.resolution_m = sc.resolution_m;
        o.epsg = sc.epsg.value_or(utmEpsg(s.center));
        m.crs = io::Crs::fromEpsg(o.epsg);
        const PointXY c = io::Projector(m.crs).toXY(s.center);
        o.center_x_m = c.x_m;
        o.center_y_m = c.y_m;
        const long long side = synthTerrainSide_px(o);
        io::checkGridFits(side, side, o.resolution_m, 64.0, sc.path + ": the synthetic terrain",
                          "set a coarser region.resolution_m or region.terrain.synthetic.resolution_m");
        m.grid = synthesizeTerrain(o);
        if (!boundary.empty()) applyBoundary(m.grid, m.crs);
        std::string note = "synthetic: " + fmt(o.size_km, 0) + " km square centred at " + fmt(s.center.lat_deg, 3) + " N " +
                           fmt(s.center.lon_deg, 3) + " E, relief " + fmt(o.max_relief_m, 0) + " m, seed " + std::to_string(o.seed);
        if (!sc.terrain.dem_unavailable.empty()) note += " (the real DEM " + sc.terrain.dem_unavailable + ")";
        io::writeCog(m.dem, m.grid, m.crs, {"elevation above mean sea level; " + note, "m", io::provenance(cmd)});
        m.notes.emplace_back("terrain", note);
    }
    log.info("terrain", m.notes.back().second + ": " + std::to_string(m.grid.width()) + " x " + std::to_string(m.grid.height()) + " px at " +
                            fmt(m.grid.geoTransform().pixel_width_m, 0) + " m, EPSG:" + std::to_string(m.crs.epsg));
}

// --- villages ------------------------------------------------------------------------------
void materialiseVillages(const io::Scenario& sc, const fs::path& inputs, Materialised& m, Logger& log) {
    if (sc.villages.file.empty() && sc.villages.synthetic_count == 0) return;
    const io::Projector proj(m.crs);
    if (!sc.villages.file.empty()) {
        const auto feats = selectFeatures(sc.path, "villages", sc.villages.file, sc.villages.where);
        int off = 0, n = 0;
        for (const auto& f : feats) {
            ++n;
            VillageRow r;
            r.id = firstField(f, {"village_id", "ma1", "ma", "id"});
            if (r.id.empty()) r.id = "V" + std::to_string(n);
            r.name = firstField(f, {"name", "tenhc", "name_ascii"});
            const std::string pop = firstField(f, {"population", "dansonguoi"});
            r.population = pop.empty() ? 1.0 : parseNumber(pop, f.location, "population");
            r.ll = f.point;
            const PointXY xy = proj.toXY(r.ll);
            if (!hasGroundAt(m.grid, xy.x_m, xy.y_m)) {
                ++off;
                continue;
            }
            m.villages_rows.push_back(r);
        }
        if (m.villages_rows.empty())
            throw InputError(sc.path + ": villages: none of the " + std::to_string(n) + " features of " + sc.villages.file +
                             " selected by villages.where lies on the terrain; check region.terrain and villages.where");
        std::string where;
        for (const auto& [k, v] : sc.villages.where) where += (where.empty() ? " where " : ", ") + k + " = " + v;
        m.notes.emplace_back("villages", "real: " + std::to_string(m.villages_rows.size()) + " commune polygons (representative points) from " +
                                             fs::path(sc.villages.file).filename().string() + where +
                                             (off ? " (" + std::to_string(off) + " off the terrain left out)" : ""));
    } else {
        const auto gen = gen::generateVillages(m.grid, sc.villages.synthetic_count, sc.villages.synthetic_seed, sc.villages.population_min,
                                               sc.villages.population_max);
        for (size_t i = 0; i < gen.size(); ++i) {
            std::ostringstream id;
            id << "V" << std::setw(4) << std::setfill('0') << (i + 1);
            m.villages_rows.push_back({id.str(), "Village " + id.str().substr(1), proj.toLatLon(gen[i].xy), gen[i].population});
        }
        std::string note = "synthetic: " + std::to_string(gen.size()) + " villages in low, flat ground (seed " +
                           std::to_string(sc.villages.synthetic_seed) + ")";
        if (!sc.villages.file_unavailable.empty()) note += "; the real communes " + sc.villages.file_unavailable;
        m.notes.emplace_back("villages", note);
    }
    m.villages = (inputs / "villages.csv").string();
    std::ofstream o(m.villages);
    o << "village_id,lat,lon,population,name\n" << std::setprecision(10);
    for (const auto& v : m.villages_rows)
        o << csvEscape(v.id) << "," << v.ll.lat_deg << "," << v.ll.lon_deg << "," << v.population << "," << csvEscape(v.name) << "\n";
    if (!o) throw Error(m.villages + ": cannot write");
    log.info("villages", m.notes.back().second);
}

// --- industrial zones ------------------------------------------------------------------------
void materialiseZones(const io::Scenario& sc, const fs::path& inputs, Materialised& m) {
    if (sc.zones.empty()) return;
    nlohmann::json fc = {{"type", "FeatureCollection"}, {"features", nlohmann::json::array()}};
    for (const auto& z : sc.zones) {
        nlohmann::json ring = nlohmann::json::array();
        for (const auto& p : z.polygon) ring.push_back({p.lon_deg, p.lat_deg});
        ring.push_back({z.polygon.front().lon_deg, z.polygon.front().lat_deg});
        fc["features"].push_back({{"type", "Feature"},
                                  {"properties", {{"name", z.name}, {"target_share", z.target_share}, {"threshold_dbm", z.threshold_dBm}}},
                                  {"geometry", {{"type", "Polygon"}, {"coordinates", {ring}}}}});
    }
    m.zones = (inputs / "industrial_zones.geojson").string();
    writeText(m.zones, fc.dump(1) + "\n");
}

// --- sites ---------------------------------------------------------------------------------
void materialiseSites(const io::Scenario& sc, const fs::path& inputs, Materialised& m, Logger& log) {
    std::vector<std::string> columns;
    std::vector<std::map<std::string, std::string>> rows;
    auto addColumn = [&](const std::string& c) {
        if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    };
    for (const auto& f : sc.site_files) {
        const Table t = io::readTable(f);
        parseSectors(t);  // validates every row, naming the file and line
        for (const auto& c : t.columns) addColumn(c);
        for (const auto& r : t.rows) rows.push_back(r.fields);
        m.notes.emplace_back("sites", "given: " + std::to_string(t.rows.size()) + " sectors from " + f);
    }
    if (sc.generator) {
        const auto& g = *sc.generator;
        const io::Projector proj(m.crs);
        std::vector<PointXY> vxy;
        std::vector<double> pop;
        for (const auto& v : m.villages_rows) vxy.push_back(proj.toXY(v.ll)), pop.push_back(v.population);
        const auto towers = gen::placeTowers(m.grid, vxy, pop, g.rules);
        std::vector<std::pair<std::string, double>> shares;
        for (const auto& op : sc.operators)
            shares.emplace_back(op, g.operator_share.empty() ? 1.0 : (g.operator_share.count(op) ? g.operator_share.at(op) : 0.0));
        std::vector<PointXY> hotspots;
        for (const auto& z : sc.zones) {
            double la = 0, lo = 0;
            for (const auto& p : z.polygon) la += p.lat_deg, lo += p.lon_deg;
            hotspots.push_back(proj.toXY({la / z.polygon.size(), lo / z.polygon.size()}));
        }
        const auto bts = gen::assignBaseStations(towers, g.bts, shares, hotspots, g.rules.seed);
        for (const char* c : {"site_id", "lat", "lon", "antenna_height_m", "tech", "freq_mhz", "eirp_dbm", "azimuth_deg", "electrical_tilt_deg",
                              "h_beamwidth_deg", "v_beamwidth_deg", "bandwidth_mhz", "operator", "tower_id", "placement"})
            addColumn(c);
        // The antenna_model column only when a technology names a model.
        if (std::any_of(sc.techs.begin(), sc.techs.end(), [](const auto& t) { return !t.second.antenna_model.empty(); })) addColumn("antenna_model");
        // And mechanical_tilt_deg only when a technology turns its antennas.
        if (std::any_of(sc.techs.begin(), sc.techs.end(), [](const auto& t) { return t.second.mechanical_tilt_deg != 0.0; })) addColumn("mechanical_tilt_deg");
        std::map<std::string, int> per_rule;
        for (const auto& t : towers) ++per_rule[t.rule];
        for (const auto& b : bts) {
            const auto& t = towers[static_cast<size_t>(b.tower)];
            const io::ScenarioTech& st = sc.techs.at(b.tech);
            const LatLon ll = proj.toLatLon(t.xy);
            std::ostringstream tid;
            tid << "T" << std::setw(5) << std::setfill('0') << (b.tower + 1);
            // Co-located operators point their sectors differently; each BTS its own start azimuth.
            const double az0 = std::fmod(37.0 * b.tower + 20.0 * static_cast<int>(b.tech) + 7.0 * b.operator_name.size(), 120.0);
            for (int s = 0; s < g.sectors_per_bts; ++s) {
                std::map<std::string, std::string> r;
                r["site_id"] = tid.str() + "_" + std::string(toString(b.tech)) + "_" + b.operator_name + (g.sectors_per_bts > 1 ? "_" + std::to_string(s + 1) : "");
                r["lat"] = fmt(ll.lat_deg, 7);
                r["lon"] = fmt(ll.lon_deg, 7);
                r["antenna_height_m"] = fmt(g.antenna_height_m, 1);
                r["tech"] = std::string(toString(b.tech));
                r["freq_mhz"] = fmt(st.freq_MHz, 1);
                r["eirp_dbm"] = fmt(st.eirp_dBm, 1);
                r["azimuth_deg"] = g.sectors_per_bts > 1 ? fmt(std::fmod(az0 + 360.0 * s / g.sectors_per_bts, 360.0), 0) : "";
                r["electrical_tilt_deg"] = fmt(st.electrical_tilt_deg, 1);
                // A named antenna model carries its own beamwidths (and caps); EIRP stays the scenario's.
                r["h_beamwidth_deg"] = g.sectors_per_bts > 1 && st.antenna_model.empty() ? fmt(st.h_beamwidth_deg, 0) : "";
                r["v_beamwidth_deg"] = st.antenna_model.empty() ? fmt(st.v_beamwidth_deg, 0) : "";
                if (!st.antenna_model.empty()) r["antenna_model"] = st.antenna_model;
                if (st.mechanical_tilt_deg != 0.0) r["mechanical_tilt_deg"] = fmt(st.mechanical_tilt_deg, 1);
                r["bandwidth_mhz"] = fmt(st.bandwidth_MHz, 1);
                r["operator"] = b.operator_name;
                r["tower_id"] = tid.str();
                r["placement"] = t.rule;
                rows.push_back(std::move(r));
            }
        }
        std::string rules_text;
        for (const auto& [rule, n] : per_rule) rules_text += (rules_text.empty() ? "" : ", ") + std::to_string(n) + " " + rule;
        std::string bts_text;
        for (const auto& [t, n] : g.bts) bts_text += (bts_text.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(toString(t));
        m.notes.emplace_back("sites", "synthetic: " + std::to_string(towers.size()) + " towers (" + rules_text + ") carrying " +
                                          std::to_string(bts.size()) + " BTS (" + bts_text + "), " +
                                          (g.sectors_per_bts == 1 ? "one omni cell each" : std::to_string(g.sectors_per_bts) + " sectors each") +
                                          ", seed " + std::to_string(g.rules.seed));
        if (static_cast<int>(towers.size()) < g.rules.towers)
            log.warn("sites", "only " + std::to_string(towers.size()) + " of " + std::to_string(g.rules.towers) + " towers fit on the terrain");
    }
    if (rows.empty()) return;
    std::set<std::string> tower_ids;
    for (const auto& r : rows) {
        const auto tid = r.count("tower_id") && !r.at("tower_id").empty() ? r.at("tower_id") : r.at("site_id") + "@" + r.at("lat") + "," + r.at("lon");
        tower_ids.insert(tid);
        const std::string tech = r.count("tech") ? r.at("tech") : "";
        ++m.sectors_per_tech[tech];
    }
    m.towers = static_cast<int>(tower_ids.size());
    std::set<std::string> bts_keys;
    for (const auto& r : rows) {
        const std::string key = (r.count("tower_id") ? r.at("tower_id") : r.at("site_id")) + "|" + (r.count("tech") ? r.at("tech") : "") + "|" +
                                (r.count("operator") ? r.at("operator") : "");
        if (bts_keys.insert(key).second) ++m.bts_per_tech[r.count("tech") ? r.at("tech") : ""];
    }
    m.sites = (inputs / "sites.csv").string();
    std::ofstream o(m.sites);
    for (size_t c = 0; c < columns.size(); ++c) o << (c ? "," : "") << columns[c];
    o << "\n";
    for (const auto& r : rows) {
        for (size_t c = 0; c < columns.size(); ++c) {
            const auto it = r.find(columns[c]);
            o << (c ? "," : "") << (it == r.end() ? "" : csvEscape(it->second));
        }
        o << "\n";
    }
    if (!o) throw Error(m.sites + ": cannot write");
    log.info("sites", m.notes.back().second);
}

// KMZ and polygons for the rasters of one coverage folder (their QGIS styles are written by
// `coverage` itself, with the thresholds it was given).
void gisOutputs(const io::Scenario& sc, const fs::path& cov_dir, const std::string& label, bool kmz, bool gpkg, Logger& log) {
    if (!fs::is_directory(cov_dir)) return;
    std::vector<fs::path> files;
    int styled = 0;
    for (const auto& e : fs::directory_iterator(cov_dir)) {
        if (e.path().extension() == ".tif") files.push_back(e.path());
        if (e.path().extension() == ".qml") ++styled;
    }
    std::sort(files.begin(), files.end());
    auto thr = [&](Technology t) { return sc.techs.count(t) ? sc.techs.at(t).threshold_dBm : defaultThreshold_dBm(t); };
    for (const auto& f : files) {
        // Whole-network signal layers (not per operator): KMZ and polygons.
        const std::string stem = f.stem().string();
        const std::optional<Technology> t = io::rasterTechnology(stem, "signal_");
        if (!t || stem.size() != std::string("signal_").size() + 2) continue;
        const io::ColorRamp ramp = io::signalRamp(*t, thr(*t));
        if (kmz) io::writeKmz((cov_dir / (stem + ".kmz")).string(), f.string(), ramp, sc.name + " " + stem);
        if (gpkg) {
            const auto& thresholds = sc.techs.count(*t) ? sc.techs.at(*t).polygon_thresholds_dBm : std::vector<double>{thr(*t)};
            io::writeCoveragePolygons((cov_dir / "coverage_polygons.gpkg").string(), "coverage_" + std::string(toString(*t)), f.string(), *t, thresholds);
        }
    }
    log.info("outputs", label + ": " + std::to_string(styled) + " QGIS styles" + (kmz ? ", KMZ overlays" : "") +
                            (gpkg ? ", coverage polygons (coverage_polygons.gpkg)" : ""));
}

}  // namespace

// ------------------------------------------------------------------------------------------------
ojson runScenario(const io::Scenario& sc, const std::string& dir, const RunOptions& ro, Logger& log, const std::string& cmd) {
    const fs::path out(dir);
    // Sub-steps print paths inside the staging folder; show where the files will be.
    const auto shown = [&](std::string text) {
        const std::string stage_dir = fs::path(dir).lexically_normal().string();
        std::string base = stage_dir;
        while (!base.empty() && base.back() == '/') base.pop_back();
        const std::string final_dir = ro.display_dir.empty() ? base : ro.display_dir;
        for (size_t at = 0; !base.empty() && (at = text.find(base, at)) != std::string::npos; at += final_dir.size()) text.replace(at, base.size(), final_dir);
        return text;
    };
    const fs::path inputs = out / "inputs";
    fs::create_directories(inputs);
    ojson summary;
    summary["phusong_version"] = PHUSONG_VERSION;
    summary["scenario"] = {{"name", sc.name}, {"title", sc.title}, {"file", sc.path}, {"data_dir", ro.data_dir}};
    ojson timings = ojson::object();
    auto stamp = [&, t = log.elapsed_s()](const char* stage) mutable {
        const double now = log.elapsed_s();
        timings[stage] = std::round((now - t) * 100.0) / 100.0;
        t = now;
    };

    Materialised m;
    materialiseTerrain(sc, inputs, m, log, cmd);
    materialiseVillages(sc, inputs, m, log);
    materialiseZones(sc, inputs, m);
    materialiseSites(sc, inputs, m, log);
    stamp("inputs");
    {
        ojson prov = ojson::array();
        for (const auto& [k, v] : sc.provenance) prov.push_back({{"part", k}, {"source", v}});
        for (const auto& [k, v] : m.notes) prov.push_back({{"part", k + " (this run)"}, {"source", v}});
        summary["provenance"] = prov;
    }
    summary["terrain"] = {{"file", "inputs/dem.tif"}, {"crs", "EPSG:" + std::to_string(m.crs.epsg)},
                          {"resolution_m", m.grid.geoTransform().pixel_width_m}, {"width", m.grid.width()}, {"height", m.grid.height()}};
    summary["sites"] = {{"file", m.sites.empty() ? "" : "inputs/sites.csv"}, {"towers", m.towers}, {"bts_per_tech", m.bts_per_tech},
                        {"sectors_per_tech", m.sectors_per_tech}};

    // The network's walks, kept for the coverage of the plan's towers (the same towers and heights
    // walk no ray twice); dropped after the plan.
    auto walk_store = std::make_shared<engine::WalkStore>(1024.0);
    // Coverage of the scenario's network.
    std::vector<Sector> sectors;
    if (!m.sites.empty()) {
        CoverageConfig cc;
        cc.dem = m.dem;
        cc.sites = m.sites;
        cc.out = (out / "coverage").string();
        cc.mo.model = sc.model;
        cc.mo.environment = sc.environment;
        cc.radius_km = sc.radius_km;
        cc.rx_height_m = sc.rx_height_m;
        cc.threads = ro.threads;
        cc.quiet = true;
        cc.compression = sc.compression;
        cc.progress = log.progress("coverage");
        for (const auto& [t, st] : sc.techs) {
            cc.thresholds[std::string(toString(t))] = st.threshold_dBm;
            if (st.shadowing_dB) cc.shadowing_dB[std::string(toString(t))] = *st.shadowing_dB;
        }
        cc.location_probability_pct = sc.location_probability_pct;
        cc.walk_store = walk_store;
        // -q and JSON logs do not show coverage's table; its warnings they show, as warnings.
        if (log.json() || log.quiet()) cc.on_warning = [&](const std::string& w) { log.warn("coverage", shown(w)); };
        std::string table;
        {
            CaptureStdout cap;
            runCoverage(cc, cmd);
            table = cap.text();
        }
        if (const auto at = table.find("  outputs: "); at != std::string::npos) table.erase(at);  // the staging path means nothing here
        if (!log.json() && !log.quiet()) std::cerr << shown(table);
        sectors = io::readSectors(m.sites);
        stamp("coverage");
    }
    ojson techs = ojson::array();
    const ojson cov = m.sites.empty() ? ojson::object() : readJsonFile((out / "coverage" / "summary.json").string());

    // Village coverage per technology, from the rasters at each village point.
    std::vector<LatLon> vpts;
    for (const auto& v : m.villages_rows) vpts.push_back(v.ll);
    std::map<std::string, std::vector<double>> vsig;
    std::map<std::string, std::vector<std::string>> vserver;
    for (const auto& [t, st] : sc.techs) {
        const std::string ts(toString(t));
        const fs::path sig = out / "coverage" / ("signal_" + ts + ".tif");
        ojson e;
        e["tech"] = ts;
        e["measure"] = std::string(signalMeasure(t));
        e["threshold_dbm"] = st.threshold_dBm;
        if (cov.contains("technologies") && cov["technologies"].contains(ts)) {
            const auto& c = cov["technologies"][ts];
            e["sectors"] = c["sectors"];
            e["covered_km2"] = c["covered_km2"];
            e["covered_pct"] = c["covered_pct"];
            e["mean_sinr_db"] = c["mean_sinr_db_covered"];
            if (c.contains("location_probability")) e["location_probability"] = c["location_probability"];
        } else {
            e["sectors"] = 0;
            e["covered_km2"] = 0.0;
            e["covered_pct"] = 0.0;
            e["mean_sinr_db"] = nullptr;
        }
        int covered = 0;
        if (fs::exists(sig) && !vpts.empty()) {
            vsig[ts] = io::sampleRaster(sig.string(), vpts);
            const auto idx = io::sampleRaster((out / "coverage" / ("best_server_" + ts + ".tif")).string(), vpts);
            auto& names = vserver[ts];
            for (size_t i = 0; i < vpts.size(); ++i) {
                covered += vsig[ts][i] >= st.threshold_dBm ? 1 : 0;
                const double k = idx[i];
                names.push_back(!std::isnan(k) && k >= 0 && k < static_cast<double>(sectors.size()) ? sectors[static_cast<size_t>(k)].site_id : "");
            }
        }
        e["villages_covered"] = covered;
        e["villages_total"] = vpts.size();
        techs.push_back(e);
    }
    summary["technologies"] = techs;
    summary["villages_total"] = vpts.size();

    // The plan, when the scenario has targets.
    ojson plan_summary;
    std::map<std::string, bool> covered_after;
    if (sc.targets && !ro.no_plan) {
        const auto& tg = *sc.targets;
        PlanConfig pc;
        pc.dem = m.dem;
        pc.villages = m.villages;
        pc.existing = m.sites;
        if (tg.zones_5g) pc.zones = m.zones;
        pc.out = (out / "plan").string();
        pc.tech = std::string(toString(tg.village_tech));
        pc.cover_by = tg.cover_by;
        for (const auto& op : sc.operators) pc.operators += (pc.operators.empty() ? "" : ",") + op;
        pc.mo.model = sc.model;
        pc.mo.environment = sc.environment;
        pc.radius_km = sc.plan.radius_km;
        pc.rx_height_m = sc.rx_height_m;
        pc.tower_height_m = sc.plan.tower_height_m;
        pc.candidate_spacing_m = sc.plan.candidate_spacing_m;
        const io::ScenarioTech& vt = sc.techs.at(tg.village_tech);
        pc.threshold_dbm = vt.threshold_dBm;
        pc.freq_mhz = vt.freq_MHz;
        pc.eirp_dbm = sc.plan.eirp_dBm.value_or(vt.eirp_dBm);
        if (sc.techs.count(Technology::G5)) pc.zone_5g_freq_mhz = sc.techs.at(Technology::G5).freq_MHz;
        pc.zone_5g_eirp_dbm = sc.plan.zone_5g_eirp_dBm;
        pc.costs = {sc.costs.new_tower, sc.costs.equipment, sc.costs.colocation, sc.costs.equipment_5g};
        pc.time_limit_s = sc.plan.time_limit_s;
        pc.cache_dir = ro.cache_dir;
        pc.compression = sc.compression;
        pc.threads = ro.threads;
        pc.walk_store = walk_store;
        pc.quiet = log.quiet() || log.json();
        pc.progress = log.progress("matrix");
        if (m.villages.empty()) throw InputError(sc.path + ": targets.villages needs villages");
        log.info("plan", "planning " + pc.tech + " for " + std::to_string(m.villages_rows.size()) + " villages (cover by " + pc.cover_by + ")" +
                             (tg.zones_5g ? " and 5G in " + std::to_string(sc.zones.size()) + " industrial zones" : ""));
        int rc = 0;
        std::string text;
        {
            CaptureStdout cap;
            rc = runPlan(pc, cmd);
            text = cap.text();
        }
        if (!log.json() && !log.quiet()) std::cerr << shown(text);
        const ojson ps = readJsonFile((out / "plan" / "plan_summary.json").string());
        plan_summary = ps;
        if (rc == 3) log.warn("plan", std::to_string(ps["villages_unreachable"].get<int>()) + " villages cannot be reached by any candidate (listed in plan/plan_summary.json)");
        const Table vc = readCsvFile((out / "plan" / "village_coverage.csv").string());
        for (const auto& r : vc.rows) covered_after[r.get("village_id")] = r.get("covered") == "1";
        log.info("plan", std::to_string(ps["towers_new"].get<int>()) + " new towers, " + std::to_string(ps["towers_shared"].get<int>()) +
                             " shared, cost " + fmt(ps["cost"].get<double>(), 1) + " " + sc.costs.unit + ", gap " + fmt(100.0 * ps["gap"].get<double>(), 2) + " %");
        summary["plan"] = {{"folder", "plan"}, {"status", ps["status"]}, {"villages_covered", ps["villages_covered"]}, {"villages_total", ps["villages_total"]},
                           {"towers_new", ps["towers_new"]}, {"towers_shared", ps["towers_shared"]}, {"towers_existing", ps["towers_existing"]},
                           {"cost", ps["cost"]}, {"cost_unit", sc.costs.unit}, {"lower_bound", ps["lower_bound"]}, {"gap", ps["gap"]},
                           {"exit_code", rc}};
        stamp("plan");
    }
    walk_store.reset();

    // Villages with their coverage and serving site: CSV and GeoPackage.
    if (!m.villages_rows.empty()) {
        io::PointLayer pl;
        pl.name = "villages";
        pl.columns = {{"village_id", 's'}, {"name", 's'}, {"population", 'r'}};
        for (const auto& [t, st] : sc.techs) {
            const std::string ts = lowerCase(std::string(toString(t)));
            if (!vsig.count(std::string(toString(t)))) continue;
            pl.columns.push_back({"signal_" + ts + "_dbm", 'r'});
            pl.columns.push_back({"covered_" + ts, 'i'});
            pl.columns.push_back({"server_" + ts, 's'});
        }
        if (!covered_after.empty()) pl.columns.push_back({"covered_after_plan", 'i'});
        for (size_t i = 0; i < m.villages_rows.size(); ++i) {
            const auto& v = m.villages_rows[i];
            std::vector<std::string> vals{v.id, v.name, fmt(v.population, 0)};
            for (const auto& [t, st] : sc.techs) {
                const std::string ts(toString(t));
                if (!vsig.count(ts)) continue;
                const double s = vsig[ts][i];
                vals.push_back(fmt(s, 1));
                vals.push_back(s >= st.threshold_dBm ? "1" : "0");
                vals.push_back(vserver[ts][i]);
            }
            if (!covered_after.empty()) vals.push_back(covered_after.count(v.id) ? (covered_after[v.id] ? "1" : "0") : "");
            pl.points.push_back(v.ll);
            pl.values.push_back(vals);
        }
        std::ofstream o((out / "villages.csv").string());
        o << "lat,lon";
        for (const auto& c : pl.columns) o << "," << c.name;
        o << "\n" << std::setprecision(10);
        for (size_t i = 0; i < pl.points.size(); ++i) {
            o << pl.points[i].lat_deg << "," << pl.points[i].lon_deg;
            for (const auto& val : pl.values[i]) o << "," << csvEscape(val);
            o << "\n";
        }
        if (!o) throw Error((out / "villages.csv").string() + ": cannot write");
        o.close();
        if (sc.gpkg) {
            io::writePointLayer((out / "villages.gpkg").string(), pl);
            if (!sc.zones.empty()) {
                io::PolygonLayer zl;
                zl.name = "industrial_zones";
                zl.columns = {{"name", 's'}, {"target_share", 'r'}, {"threshold_dbm", 'r'}};
                for (const auto& z : sc.zones) zl.rings.push_back(z.polygon), zl.values.push_back({z.name, fmt(z.target_share, 3), fmt(z.threshold_dBm, 1)});
                io::writePolygonLayer((out / "villages.gpkg").string(), zl);
            }
        }
    }
    gisOutputs(sc, out / "coverage", "coverage/", sc.kmz, sc.gpkg, log);
    gisOutputs(sc, out / "plan" / "coverage", "plan/coverage/", false, false, log);
    stamp("gis");

    // The report.
    if (sc.report && !ro.no_report) {
        ReportInput ri{sc, out, m.crs, m.villages_rows.size(), {}, nullptr, nullptr, nullptr};
        for (size_t i = 0; i < m.villages_rows.size(); ++i) {
            const auto& v = m.villages_rows[i];
            ReportVillage rv{v.id, v.name, v.ll, v.population, {}, {}, {}, std::nullopt};
            for (const auto& [ts, sig] : vsig) {
                rv.signal[ts] = sig[i];
                rv.server[ts] = vserver[ts][i];
                rv.covered[ts] = sig[i] >= sc.techs.at(*parseTechnology(ts)).threshold_dBm;
            }
            if (covered_after.count(v.id)) rv.covered_after = covered_after[v.id];
            ri.villages.push_back(std::move(rv));
        }
        ri.sectors = &sectors;
        ri.summary = &summary;
        ri.plan_summary = plan_summary.is_null() ? nullptr : &plan_summary;
        writeReport(ri, cmd);
        log.info("report", "report/index.html written");
        stamp("report");
    }
    summary["timings_s"] = timings;
    summary["command"] = cmd;
    writeText((out / "run_summary.json").string(), summary.dump(2) + "\n");
    return summary;
}

namespace {
int runRun(const RunOptions& ro, const std::string& cmd) {
    Logger log(ro.log_format, ro.quiet);
    useThreads(ro.threads);
    const io::Scenario sc = io::loadScenario(ro.scenario, ro.data_dir);
    log.info("run", "scenario " + sc.name + (sc.title.empty() ? "" : " (" + sc.title + ")") + " -> " + ro.out);
    io::StagedOutput stage(ro.out);
    RunOptions shown = ro;
    shown.display_dir = ro.out;
    const ojson s = runScenario(sc, stage.path(""), shown, log, cmd);
    stage.commit();
    // The closing table goes to stdout (even with --quiet): what the planner reads first.
    std::cout << "phusong run: " << sc.name << " -> " << ro.out << " (" << fmt(log.elapsed_s(), 1) << " s)\n";
    std::cout << "  tech  sectors  threshold  covered km²  covered %  villages covered\n";
    for (const auto& t : s["technologies"]) {
        std::cout << "  " << std::left << std::setw(6) << t["tech"].get<std::string>() << std::right << std::setw(7) << t["sectors"].get<int>()
                  << std::setw(7) << fmt(t["threshold_dbm"].get<double>(), 0) << " dBm" << std::setw(13) << fmt(t["covered_km2"].get<double>(), 1)
                  << std::setw(11) << fmt(t["covered_pct"].get<double>(), 1) << std::setw(10) << t["villages_covered"].get<int>() << " / "
                  << t["villages_total"].get<int>() << "\n";
    }
    if (s.contains("plan")) {
        const auto& p = s["plan"];
        std::cout << "  plan: " << p["villages_covered"].get<int>() << "/" << p["villages_total"].get<int>() << " villages, "
                  << p["towers_new"].get<int>() << " new towers, " << p["towers_shared"].get<int>() << " shared, cost "
                  << fmt(p["cost"].get<double>(), 1) << " " << p["cost_unit"].get<std::string>() << ", gap " << fmt(100.0 * p["gap"].get<double>(), 2) << " %\n";
    }
    if (sc.report && !ro.no_report) std::cout << "  open: " << (fs::path(ro.out) / "report" / "index.html").string() << "\n";
    return 0;
}
}  // namespace

void addRun(CLI::App& app, Context& ctx) {
    auto ro = std::make_shared<RunOptions>();
    CLI::App* sub = app.add_subcommand("run", "Run a scenario: coverage, the plan (when it has targets), GIS outputs and the HTML report");
    sub->add_option("scenario", ro->scenario, "Scenario YAML file (see scenarios/)")->required();
    sub->add_option("--out", ro->out, "Output directory")->required();
    sub->add_option("--data-dir", ro->data_dir, "Folder that ${data} stands for in the scenario (the shared data holding real/)");
    sub->add_option("--threads", ro->threads, "Worker threads (0 = all cores)")->capture_default_str();
    sub->add_option("--cache-dir", ro->cache_dir, "Coverage-matrix cache for the planner (default $XDG_CACHE_HOME/phusong)");
    sub->add_flag("--no-plan", ro->no_plan, "Skip the plan even when the scenario has targets");
    sub->add_flag("--no-report", ro->no_report, "Skip the HTML report");
    sub->add_flag("-q,--quiet", ro->quiet, "No progress or step lines (warnings, errors and the closing table remain)");
    sub->add_option("--log-format", ro->log_format, "text (lines on stderr) or json (one JSON object per line on stderr)")->capture_default_str();
    sub->callback([ro, &ctx] { ctx.action = [ro, &ctx] { return runRun(*ro, ctx.command_line); }; });
}

}  // namespace phusong::cli
