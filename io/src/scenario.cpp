#include "phusong/io/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <sstream>

#include "phusong/core/antenna.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/raster_writer.hpp"

namespace phusong::io {

namespace fs = std::filesystem;

ScenarioTech defaultScenarioTech(Technology t) {
    ScenarioTech s;
    s.tech = t;
    s.threshold_dBm = defaultThreshold_dBm(t);
    s.bandwidth_MHz = defaultBandwidth_MHz(t);
    switch (t) {
        case Technology::G2: s.freq_MHz = 947.0, s.eirp_dBm = 58.0, s.electrical_tilt_deg = 2.0; break;
        case Technology::G3: s.freq_MHz = 2140.0, s.eirp_dBm = 59.0, s.electrical_tilt_deg = 3.0, s.v_beamwidth_deg = 8.0; break;
        case Technology::G4: s.freq_MHz = 1845.0, s.eirp_dBm = 61.0, s.electrical_tilt_deg = 4.0, s.v_beamwidth_deg = 8.0; break;
        case Technology::G5: s.freq_MHz = 3550.0, s.eirp_dBm = 74.0, s.electrical_tilt_deg = 6.0, s.v_beamwidth_deg = 12.0; break;
    }
    return s;
}

namespace {

// Walks a YAML tree with the file name and key path at hand, so that every error says where.
class Reader {
public:
    Reader(std::string file) : m_file(std::move(file)) {}

    [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
        std::ostringstream s;
        s << m_file;
        if (n.IsDefined() && n.Mark().line >= 0) s << " line " << (n.Mark().line + 1);
        s << ": " << key << ": " << what;
        throw InputError(s.str());
    }

    void requireMap(const YAML::Node& n, const std::string& key) const {
        if (!n.IsMap()) fail(n, key, "expected a mapping (key: value lines)" + got(n));
    }

    /// Every key of @p n must be one of @p allowed; a near miss is suggested.
    void checkKeys(const YAML::Node& n, const std::string& path, std::initializer_list<const char*> allowed) const {
        requireMap(n, path.empty() ? "(top level)" : path);
        for (const auto& kv : n) {
            const std::string k = kv.first.as<std::string>();
            bool ok = false;
            for (const char* a : allowed) ok = ok || k == a;
            if (ok) continue;
            std::string list;
            for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            const std::string near = closestMatch(k, allowed);
            fail(kv.first, join(path, k),
                 "unknown key" + (near.empty() ? "" : "; did you mean '" + near + "'?") + " (known here: " + list + ")");
        }
    }

    double number(const YAML::Node& n, const std::string& key, double lo, double hi, const char* unit = "") const {
        if (!n.IsScalar()) fail(n, key, std::string("expected a number") + unit + got(n));
        double v = 0.0;
        try {
            size_t used = 0;
            const std::string s = n.Scalar();
            v = std::stod(s, &used);
            if (used != s.size()) throw std::invalid_argument(s);
        } catch (const std::exception&) {
            fail(n, key, std::string("expected a number") + unit + ", got '" + n.Scalar() + "'");
        }
        if (!std::isfinite(v) || v < lo || v > hi) {
            std::ostringstream s;
            s << "expected a number within " << lo << " .. " << hi << unit << ", got " << n.Scalar();
            fail(n, key, s.str());
        }
        return v;
    }

    long long integer(const YAML::Node& n, const std::string& key, long long lo, long long hi) const {
        const double v = number(n, key, static_cast<double>(lo), static_cast<double>(hi));
        if (v != std::floor(v)) fail(n, key, "expected a whole number, got " + n.Scalar());
        return static_cast<long long>(v);
    }

    std::string text(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar()) fail(n, key, "expected text" + got(n));
        return n.Scalar();
    }

    bool boolean(const YAML::Node& n, const std::string& key) const {
        if (n.IsScalar()) {
            const std::string s = n.Scalar();
            if (s == "true" || s == "yes" || s == "on") return true;
            if (s == "false" || s == "no" || s == "off") return false;
        }
        fail(n, key, "expected true or false" + got(n));
    }

    /// [lat, lon] or {lat: .., lon: ..}.
    LatLon latLon(const YAML::Node& n, const std::string& key) const {
        if (n.IsSequence() && n.size() == 2) return {number(n[0], key + "[0] (lat)", -90, 90), number(n[1], key + "[1] (lon)", -180, 180)};
        if (n.IsMap()) {
            checkKeys(n, key, {"lat", "lon"});
            if (!n["lat"] || !n["lon"]) fail(n, key, "give both lat and lon");
            return {number(n["lat"], key + ".lat", -90, 90), number(n["lon"], key + ".lon", -180, 180)};
        }
        fail(n, key, "expected [lat, lon] in degrees" + got(n));
    }

    Technology technology(const YAML::Node& keynode, const std::string& key) const {
        const auto t = parseTechnology(keynode.as<std::string>());
        if (!t) fail(keynode, key, "unknown technology '" + keynode.as<std::string>() + "'; use 2G, 3G, 4G or 5G");
        return *t;
    }

    static std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

private:
    static std::string got(const YAML::Node& n) {
        if (!n.IsDefined() || n.IsNull()) return ", got nothing";
        if (n.IsScalar()) return ", got '" + n.Scalar() + "'";
        if (n.IsSequence()) return ", got a list";
        return ", got a mapping";
    }
    std::string m_file;
};

struct PathResolver {
    fs::path base;
    std::string data_dir;
    /// Resolves @p p relative to the scenario; "" with @p why set when it needs ${data} and none was given.
    std::string resolve(const std::string& p, std::string& why) const {
        std::string s = p;
        const std::string token = "${data}";
        const auto at = s.find(token);
        if (at != std::string::npos) {
            if (data_dir.empty()) {
                why = p + " needs --data-dir";
                return "";
            }
            s.replace(at, token.size(), data_dir);
            return fs::path(s).lexically_normal().string();
        }
        fs::path q(s);
        if (q.is_relative()) q = base / q;
        return q.lexically_normal().string();
    }
};

std::vector<std::string> stringList(const Reader& r, const YAML::Node& n, const std::string& key) {
    std::vector<std::string> out;
    if (n.IsScalar()) out.push_back(r.text(n, key));
    else if (n.IsSequence()) {
        for (size_t i = 0; i < n.size(); ++i) out.push_back(r.text(n[i], key + "[" + std::to_string(i) + "]"));
    } else r.fail(n, key, "expected a file name or a list of them");
    return out;
}

void readTech(const Reader& r, const YAML::Node& n, const std::string& key, ScenarioTech& t) {
    r.checkKeys(n, key, {"freq_mhz", "eirp_dbm", "bandwidth_mhz", "threshold_dbm", "electrical_tilt_deg", "mechanical_tilt_deg", "v_beamwidth_deg",
                         "h_beamwidth_deg", "antenna_model", "polygon_thresholds_dbm", "shadowing_db"});
    if (n["freq_mhz"]) t.freq_MHz = r.number(n["freq_mhz"], key + ".freq_mhz", 20, 100000, " MHz");
    if (n["eirp_dbm"]) t.eirp_dBm = r.number(n["eirp_dbm"], key + ".eirp_dbm", -30, 100, " dBm");
    if (n["bandwidth_mhz"]) {
        t.bandwidth_MHz = r.number(n["bandwidth_mhz"], key + ".bandwidth_mhz", 0.1, 400, " MHz");
        if (!referenceSignalOffset_dB(t.tech, t.bandwidth_MHz))
            r.fail(n["bandwidth_mhz"], key + ".bandwidth_mhz", "not a channel bandwidth of " + std::string(toString(t.tech)) + "; use one of " + validBandwidths(t.tech));
    }
    if (n["threshold_dbm"]) t.threshold_dBm = r.number(n["threshold_dbm"], key + ".threshold_dbm", -160, 0, " dBm");
    if (n["electrical_tilt_deg"]) t.electrical_tilt_deg = r.number(n["electrical_tilt_deg"], key + ".electrical_tilt_deg", -20, 30, " deg");
    if (n["mechanical_tilt_deg"]) t.mechanical_tilt_deg = r.number(n["mechanical_tilt_deg"], key + ".mechanical_tilt_deg", -20, 30, " deg");
    if (n["v_beamwidth_deg"]) t.v_beamwidth_deg = r.number(n["v_beamwidth_deg"], key + ".v_beamwidth_deg", 1, 180, " deg");
    if (n["h_beamwidth_deg"]) t.h_beamwidth_deg = r.number(n["h_beamwidth_deg"], key + ".h_beamwidth_deg", 1, 360, " deg");
    if (const auto m = n["antenna_model"]) {
        t.antenna_model = r.text(m, key + ".antenna_model");
        if (!findAntennaModel(t.antenna_model)) r.fail(m, key + ".antenna_model", "'" + t.antenna_model + "' is unknown; use one of " + antennaModelNames());
        if (n["v_beamwidth_deg"] || n["h_beamwidth_deg"])
            r.fail(m, key + ".antenna_model", "give antenna_model or the beamwidths (h_beamwidth_deg, v_beamwidth_deg), not both");
    }
    if (n["shadowing_db"]) t.shadowing_dB = r.number(n["shadowing_db"], key + ".shadowing_db", 0.1, 30, " dB");
    if (const auto p = n["polygon_thresholds_dbm"]) {
        if (!p.IsSequence() || p.size() == 0) r.fail(p, key + ".polygon_thresholds_dbm", "expected a list of dBm values, e.g. [-110, -100, -90]");
        for (size_t i = 0; i < p.size(); ++i) t.polygon_thresholds_dBm.push_back(r.number(p[i], key + ".polygon_thresholds_dbm", -160, 0, " dBm"));
    }
}

}  // namespace

Scenario loadScenario(const std::string& path, const std::string& data_dir) {
    if (!fs::exists(path)) throw InputError(path + ": no such scenario file; check the path");
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::Exception& e) {
        throw InputError(path + " line " + std::to_string(e.mark.line + 1) + ": not valid YAML (" + e.msg + ")");
    }
    if (!data_dir.empty() && !fs::is_directory(data_dir))
        throw InputError("--data-dir " + data_dir + ": not a folder; point it at the shared data (the folder holding real/)");
    const Reader r(path);
    const PathResolver res{fs::path(path).parent_path(), data_dir};
    Scenario sc;
    sc.path = path;
    r.checkKeys(root, "", {"name", "title", "description", "provenance", "region", "operators", "technologies", "model", "sites",
                           "villages", "industrial_zones", "targets", "plan", "costs", "outputs"});
    if (!root["name"]) r.fail(root, "name", "missing; give the scenario a short name, e.g. name: bac_giang_2024");
    sc.name = r.text(root["name"], "name");
    for (char c : sc.name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            r.fail(root["name"], "name", "use letters, digits, '_' and '-' only (it names files), got '" + sc.name + "'");
    if (root["title"]) sc.title = r.text(root["title"], "title");
    if (root["description"]) sc.description = r.text(root["description"], "description");
    if (const auto p = root["provenance"]) {
        r.requireMap(p, "provenance");
        for (const auto& kv : p) sc.provenance.emplace_back(kv.first.as<std::string>(), r.text(kv.second, "provenance." + kv.first.as<std::string>()));
    }

    // region
    if (!root["region"]) r.fail(root, "region", "missing; give region.terrain (dem or synthetic)");
    {
        const auto reg = root["region"];
        r.checkKeys(reg, "region", {"terrain", "crs", "resolution_m", "boundary"});
        if (const auto b = reg["boundary"]) {
            r.checkKeys(b, "region.boundary", {"file", "where"});
            if (!b["file"]) r.fail(b, "region.boundary.file", "missing; a polygon file (GeoJSON, GeoPackage) with the province outline");
            std::string why;
            sc.boundary.file = res.resolve(r.text(b["file"], "region.boundary.file"), why);
            sc.boundary.file_unavailable = why;
            if (!sc.boundary.file.empty() && !fs::exists(sc.boundary.file))
                r.fail(b["file"], "region.boundary.file", sc.boundary.file + ": no such file; check the path or --data-dir");
            if (const auto w = b["where"]) {
                r.requireMap(w, "region.boundary.where");
                for (const auto& kv : w) sc.boundary.where[kv.first.as<std::string>()] = r.text(kv.second, "region.boundary.where." + kv.first.as<std::string>());
            }
        }
        if (reg["crs"]) {
            std::string c = r.text(reg["crs"], "region.crs");
            if (c.rfind("EPSG:", 0) == 0) c = c.substr(5);
            try {
                sc.epsg = std::stoi(c);
            } catch (const std::exception&) {
                r.fail(reg["crs"], "region.crs", "expected EPSG:N, e.g. EPSG:32648");
            }
        }
        if (reg["resolution_m"]) sc.resolution_m = r.number(reg["resolution_m"], "region.resolution_m", 1, 5000, " m");
        const auto ter = reg["terrain"];
        if (!ter) r.fail(reg, "region.terrain", "missing; give dem: FILE and/or synthetic: {...}");
        r.checkKeys(ter, "region.terrain", {"dem", "stand_in_center", "synthetic"});
        if (ter["dem"]) {
            for (const auto& f : stringList(r, ter["dem"], "region.terrain.dem")) {
                std::string why;
                const std::string p = res.resolve(f, why);
                if (p.empty()) {
                    sc.terrain.dem_unavailable = why;
                    sc.terrain.dem.clear();
                    break;
                }
                if (!fs::exists(p)) r.fail(ter["dem"], "region.terrain.dem", p + ": no such file; check the path (relative to the scenario file) or --data-dir");
                sc.terrain.dem.push_back(p);
            }
        }
        if (ter["stand_in_center"]) sc.terrain.stand_in_center = r.latLon(ter["stand_in_center"], "region.terrain.stand_in_center");
        if (const auto s = ter["synthetic"]) {
            r.checkKeys(s, "region.terrain.synthetic", {"center", "size_km", "resolution_m", "max_relief_m", "seed"});
            SyntheticTerrainSpec st;
            if (s["center"]) st.center = r.latLon(s["center"], "region.terrain.synthetic.center");
            if (s["size_km"]) st.options.size_km = r.number(s["size_km"], "region.terrain.synthetic.size_km", 1, 400, " km");
            if (s["resolution_m"]) st.options.resolution_m = r.number(s["resolution_m"], "region.terrain.synthetic.resolution_m", 5, 1000, " m");
            if (s["max_relief_m"]) st.options.max_relief_m = r.number(s["max_relief_m"], "region.terrain.synthetic.max_relief_m", 0, 8000, " m");
            if (s["seed"]) st.options.seed = static_cast<uint64_t>(r.integer(s["seed"], "region.terrain.synthetic.seed", 0, 1LL << 53));
            sc.terrain.synthetic = st;
        }
        if (sc.terrain.dem.empty() && !sc.terrain.synthetic) {
            if (!sc.terrain.dem_unavailable.empty())
                r.fail(ter, "region.terrain", sc.terrain.dem_unavailable + " and the scenario has no synthetic terrain to fall back on; pass --data-dir");
            r.fail(ter, "region.terrain", "give dem: FILE or synthetic: {center, size_km, ...}");
        }
    }

    // operators
    if (const auto o = root["operators"]) {
        sc.operators = stringList(r, o, "operators");
    } else {
        sc.operators = {"Viettel", "VNPT", "MobiFone"};
    }

    // technologies
    if (const auto t = root["technologies"]) {
        r.requireMap(t, "technologies");
        for (const auto& kv : t) {
            const std::string key = "technologies." + kv.first.as<std::string>();
            const Technology tech = r.technology(kv.first, key);
            ScenarioTech st = defaultScenarioTech(tech);
            if (!kv.second.IsNull()) readTech(r, kv.second, key, st);
            sc.techs[tech] = st;
        }
    }

    // model
    if (const auto m = root["model"]) {
        r.checkKeys(m, "model", {"name", "environment", "radius_km", "rx_height_m", "location_probability"});
        if (m["name"]) sc.model = r.text(m["name"], "model.name");
        if (m["environment"]) sc.environment = r.text(m["environment"], "model.environment");
        if (m["radius_km"]) sc.radius_km = r.number(m["radius_km"], "model.radius_km", 0.1, 200, " km");
        if (m["rx_height_m"]) sc.rx_height_m = r.number(m["rx_height_m"], "model.rx_height_m", 0.1, 100, " m");
        if (m["location_probability"])
            sc.location_probability_pct = r.number(m["location_probability"], "model.location_probability", 50, 99.9, " %");
    }

    // sites
    if (const auto s = root["sites"]) {
        r.checkKeys(s, "sites", {"files", "generate"});
        if (s["files"]) {
            for (const auto& f : stringList(r, s["files"], "sites.files")) {
                std::string why;
                const std::string p = res.resolve(f, why);
                if (p.empty()) r.fail(s["files"], "sites.files", why);
                if (!fs::exists(p)) r.fail(s["files"], "sites.files", p + ": no such file; paths are relative to the scenario file");
                sc.site_files.push_back(p);
            }
        }
        if (const auto g = s["generate"]) {
            r.checkKeys(g, "sites.generate", {"seed", "towers", "bts", "placement", "antenna_height_m", "sectors_per_bts", "min_spacing_m",
                                              "operator_share"});
            SiteGeneratorSpec gs;
            if (g["seed"]) gs.rules.seed = static_cast<uint64_t>(r.integer(g["seed"], "sites.generate.seed", 0, 1LL << 53));
            if (!g["towers"]) r.fail(g, "sites.generate.towers", "missing; how many towers to place");
            gs.rules.towers = static_cast<int>(r.integer(g["towers"], "sites.generate.towers", 1, 200000));
            if (!g["bts"]) r.fail(g, "sites.generate.bts", "missing; base stations per technology, e.g. {2G: 884, 3G: 1242, 4G: 1647, 5G: 2}");
            r.requireMap(g["bts"], "sites.generate.bts");
            for (const auto& kv : g["bts"]) {
                const std::string key = "sites.generate.bts." + kv.first.as<std::string>();
                gs.bts[r.technology(kv.first, key)] = static_cast<int>(r.integer(kv.second, key, 0, 1000000));
            }
            if (const auto p = g["placement"]) {
                r.checkKeys(p, "sites.generate.placement", {"hilltops", "villages", "population"});
                gs.rules.share_hilltops = p["hilltops"] ? r.number(p["hilltops"], "sites.generate.placement.hilltops", 0, 1) : 0.0;
                gs.rules.share_villages = p["villages"] ? r.number(p["villages"], "sites.generate.placement.villages", 0, 1) : 0.0;
                gs.rules.share_population = p["population"] ? r.number(p["population"], "sites.generate.placement.population", 0, 1) : 0.0;
                const double sum = gs.rules.share_hilltops + gs.rules.share_villages + gs.rules.share_population;
                if (std::abs(sum - 1.0) > 1e-6) r.fail(p, "sites.generate.placement", "the shares must add up to 1 (they add up to " + std::to_string(sum) + ")");
            }
            if (g["antenna_height_m"]) gs.antenna_height_m = r.number(g["antenna_height_m"], "sites.generate.antenna_height_m", 2, 300, " m");
            if (g["sectors_per_bts"]) {
                gs.sectors_per_bts = static_cast<int>(r.integer(g["sectors_per_bts"], "sites.generate.sectors_per_bts", 1, 6));
            }
            if (g["min_spacing_m"]) gs.rules.min_spacing_m = r.number(g["min_spacing_m"], "sites.generate.min_spacing_m", 0, 50000, " m");
            if (const auto os = g["operator_share"]) {
                r.requireMap(os, "sites.generate.operator_share");
                for (const auto& kv : os)
                    gs.operator_share[kv.first.as<std::string>()] = r.number(kv.second, "sites.generate.operator_share." + kv.first.as<std::string>(), 0, 1);
            }
            // A generated network's cells are omni (one sector per BTS) or sectors: the model must match.
            for (const auto& [tech, st] : sc.techs) {
                const AntennaModel* am = st.antenna_model.empty() ? nullptr : findAntennaModel(st.antenna_model);
                if (!am || am->omni == (gs.sectors_per_bts == 1)) continue;
                const std::string key = "technologies." + std::string(toString(tech)) + ".antenna_model";
                r.fail(root["technologies"][std::string(toString(tech))]["antenna_model"], key,
                       "'" + st.antenna_model + "' is " + (am->omni ? "omnidirectional" : "a sector antenna") + " but sites.generate.sectors_per_bts is " +
                           std::to_string(gs.sectors_per_bts) + "; pick " + (am->omni ? "a sector model" : "an omni model") +
                           " or change sectors_per_bts");
            }
            sc.generator = gs;
        }
        if (sc.site_files.empty() && !sc.generator) r.fail(s, "sites", "give files: [...] or generate: {...}");
    }

    // villages
    if (const auto v = root["villages"]) {
        r.checkKeys(v, "villages", {"file", "where", "synthetic"});
        if (v["file"]) {
            std::string why;
            sc.villages.file = res.resolve(r.text(v["file"], "villages.file"), why);
            sc.villages.file_unavailable = why;
            if (!sc.villages.file.empty() && !fs::exists(sc.villages.file))
                r.fail(v["file"], "villages.file", sc.villages.file + ": no such file; check the path or --data-dir");
        }
        if (const auto w = v["where"]) {
            r.requireMap(w, "villages.where");
            for (const auto& kv : w) sc.villages.where[kv.first.as<std::string>()] = r.text(kv.second, "villages.where." + kv.first.as<std::string>());
        }
        if (const auto s = v["synthetic"]) {
            r.checkKeys(s, "villages.synthetic", {"count", "seed", "population_min", "population_max"});
            if (!s["count"]) r.fail(s, "villages.synthetic.count", "missing; how many villages to place");
            sc.villages.synthetic_count = static_cast<int>(r.integer(s["count"], "villages.synthetic.count", 1, 100000));
            if (s["seed"]) sc.villages.synthetic_seed = static_cast<uint64_t>(r.integer(s["seed"], "villages.synthetic.seed", 0, 1LL << 53));
            if (s["population_min"]) sc.villages.population_min = r.number(s["population_min"], "villages.synthetic.population_min", 1, 1e7);
            if (s["population_max"]) sc.villages.population_max = r.number(s["population_max"], "villages.synthetic.population_max", 1, 1e7);
            if (sc.villages.population_max < sc.villages.population_min)
                r.fail(s, "villages.synthetic", "population_max must be >= population_min");
        }
        if (sc.villages.file.empty() && sc.villages.synthetic_count == 0) {
            if (!sc.villages.file_unavailable.empty())
                r.fail(v, "villages", sc.villages.file_unavailable + " and there is no synthetic: {count} to fall back on; pass --data-dir");
            r.fail(v, "villages", "give file: FILE or synthetic: {count: N}");
        }
    }

    // industrial zones
    if (const auto zs = root["industrial_zones"]) {
        if (!zs.IsSequence()) r.fail(zs, "industrial_zones", "expected a list of zones (- name: ...)");
        for (size_t i = 0; i < zs.size(); ++i) {
            const std::string key = "industrial_zones[" + std::to_string(i) + "]";
            const auto z = zs[i];
            r.checkKeys(z, key, {"name", "polygon", "center", "size_km", "target_share", "threshold_dbm"});
            ZoneSpec spec;
            spec.name = z["name"] ? r.text(z["name"], key + ".name") : "zone " + std::to_string(i + 1);
            if (z["polygon"]) {
                if (!z["polygon"].IsSequence() || z["polygon"].size() < 3) r.fail(z["polygon"], key + ".polygon", "expected at least three [lat, lon] corners");
                for (size_t k = 0; k < z["polygon"].size(); ++k) spec.polygon.push_back(r.latLon(z["polygon"][k], key + ".polygon[" + std::to_string(k) + "]"));
            } else if (z["center"] && z["size_km"]) {
                const LatLon c = r.latLon(z["center"], key + ".center");
                const auto s = z["size_km"];
                double w = 0, h = 0;
                if (s.IsSequence() && s.size() == 2) {
                    w = r.number(s[0], key + ".size_km[0]", 0.05, 100, " km");
                    h = r.number(s[1], key + ".size_km[1]", 0.05, 100, " km");
                } else {
                    w = h = r.number(s, key + ".size_km", 0.05, 100, " km");
                }
                const double dlat = h / 2.0 / 110.574, dlon = w / 2.0 / (111.320 * std::cos(c.lat_deg * M_PI / 180.0));
                spec.polygon = {{c.lat_deg - dlat, c.lon_deg - dlon}, {c.lat_deg - dlat, c.lon_deg + dlon},
                                {c.lat_deg + dlat, c.lon_deg + dlon}, {c.lat_deg + dlat, c.lon_deg - dlon}};
            } else {
                r.fail(z, key, "give polygon: [[lat, lon], ...] or center: [lat, lon] with size_km: [w, h]");
            }
            if (z["target_share"]) spec.target_share = r.number(z["target_share"], key + ".target_share", 0.01, 1.0);
            if (z["threshold_dbm"]) spec.threshold_dBm = r.number(z["threshold_dbm"], key + ".threshold_dbm", -160, 0, " dBm");
            sc.zones.push_back(std::move(spec));
        }
    }

    // targets
    if (const auto t = root["targets"]) {
        r.checkKeys(t, "targets", {"villages", "industrial_zones_5g"});
        TargetsSpec ts;
        if (const auto v = t["villages"]) {
            r.checkKeys(v, "targets.villages", {"tech", "cover_by"});
            ts.villages = true;
            if (v["tech"]) {
                const auto tech = parseTechnology(r.text(v["tech"], "targets.villages.tech"));
                if (!tech) r.fail(v["tech"], "targets.villages.tech", "use 2G, 3G, 4G or 5G");
                ts.village_tech = *tech;
            }
            if (v["cover_by"]) {
                ts.cover_by = r.text(v["cover_by"], "targets.villages.cover_by");
                if (ts.cover_by != "every" && ts.cover_by != "any") r.fail(v["cover_by"], "targets.villages.cover_by", "use every (each operator) or any (one operator)");
            }
        }
        if (t["industrial_zones_5g"]) ts.zones_5g = r.boolean(t["industrial_zones_5g"], "targets.industrial_zones_5g");
        if (ts.zones_5g && sc.zones.empty()) r.fail(t["industrial_zones_5g"], "targets.industrial_zones_5g", "the scenario has no industrial_zones");
        if (ts.villages && !root["villages"]) r.fail(t["villages"], "targets.villages", "the scenario has no villages");
        sc.targets = ts;
    }

    // plan
    if (const auto p = root["plan"]) {
        r.checkKeys(p, "plan", {"candidate_spacing_m", "time_limit_s", "tower_height_m", "radius_km", "eirp_dbm", "zone_5g_eirp_dbm"});
        if (p["candidate_spacing_m"]) sc.plan.candidate_spacing_m = r.number(p["candidate_spacing_m"], "plan.candidate_spacing_m", 50, 50000, " m");
        if (p["time_limit_s"]) sc.plan.time_limit_s = r.number(p["time_limit_s"], "plan.time_limit_s", 0.1, 86400, " s");
        if (p["tower_height_m"]) sc.plan.tower_height_m = r.number(p["tower_height_m"], "plan.tower_height_m", 2, 300, " m");
        if (p["radius_km"]) sc.plan.radius_km = r.number(p["radius_km"], "plan.radius_km", 0.1, 200, " km");
        if (p["eirp_dbm"]) sc.plan.eirp_dBm = r.number(p["eirp_dbm"], "plan.eirp_dbm", -30, 100, " dBm");
        if (p["zone_5g_eirp_dbm"]) sc.plan.zone_5g_eirp_dBm = r.number(p["zone_5g_eirp_dbm"], "plan.zone_5g_eirp_dbm", -30, 100, " dBm");
    }

    // costs
    if (const auto c = root["costs"]) {
        r.checkKeys(c, "costs", {"new_tower", "equipment", "colocation", "equipment_5g", "unit"});
        if (c["new_tower"]) sc.costs.new_tower = r.number(c["new_tower"], "costs.new_tower", 0, 1e12);
        if (c["equipment"]) sc.costs.equipment = r.number(c["equipment"], "costs.equipment", 0, 1e12);
        if (c["colocation"]) sc.costs.colocation = r.number(c["colocation"], "costs.colocation", 0, 1e12);
        if (c["equipment_5g"]) sc.costs.equipment_5g = r.number(c["equipment_5g"], "costs.equipment_5g", 0, 1e12);
        if (c["unit"]) sc.costs.unit = r.text(c["unit"], "costs.unit");
    }

    // outputs
    if (const auto o = root["outputs"]) {
        r.checkKeys(o, "outputs", {"kmz", "gpkg", "report", "compression"});
        if (o["kmz"]) sc.kmz = r.boolean(o["kmz"], "outputs.kmz");
        if (o["gpkg"]) sc.gpkg = r.boolean(o["gpkg"], "outputs.gpkg");
        if (o["report"]) sc.report = r.boolean(o["report"], "outputs.report");
        if (o["compression"]) {
            sc.compression = r.text(o["compression"], "outputs.compression");
            if (!cogCompressionNamed(sc.compression)) {
                r.fail(o["compression"], "outputs.compression", "'" + sc.compression + "' is unknown; use " + kCogCompressionChoices);
            }
        }
    }

    // Cross-checks.
    if (sc.site_files.empty() && !sc.generator && !sc.targets)
        r.fail(root, "sites", "missing; a scenario needs sites (files or generate) or targets to plan for");
    if (sc.generator) {
        for (const auto& [t, n] : sc.generator->bts) {
            if (n > 0 && !sc.techs.count(t)) sc.techs[t] = defaultScenarioTech(t);
        }
        for (const auto& [op, share] : sc.generator->operator_share) {
            if (std::find(sc.operators.begin(), sc.operators.end(), op) == sc.operators.end())
                r.fail(root["sites"]["generate"]["operator_share"], "sites.generate.operator_share." + op, "not one of operators");
        }
    }
    if (sc.targets && sc.targets->villages && !sc.techs.count(sc.targets->village_tech))
        sc.techs[sc.targets->village_tech] = defaultScenarioTech(sc.targets->village_tech);
    if (sc.targets && sc.targets->zones_5g && !sc.techs.count(Technology::G5)) sc.techs[Technology::G5] = defaultScenarioTech(Technology::G5);
    for (auto& [t, st] : sc.techs)
        if (st.polygon_thresholds_dBm.empty()) st.polygon_thresholds_dBm.push_back(st.threshold_dBm);
    return sc;
}

}  // namespace phusong::io
