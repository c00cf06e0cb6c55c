// The HTML report of `phusong run`: a self-contained folder (no CDN) with the map's overlays as
// Web Mercator PNGs, a hillshade for context, the data as data.js, and the embedded static files.

#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "cli_util.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/gis.hpp"
#include "report_assets.hpp"
#include "run.hpp"

namespace phusong::cli {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

void writeReportAssets(const fs::path& dir) {
    for (const auto& a : reportAssets()) {
        const fs::path p = dir / a.name;
        fs::create_directories(p.parent_path());
        std::ofstream o(p, std::ios::binary);
        o.write(a.bytes.data(), static_cast<std::streamsize>(a.bytes.size()));
        if (!o) throw Error(p.string() + ": cannot write");
    }
}

namespace {

}  // namespace

nlohmann::ordered_json overlayBounds(const io::WebOverlay& w) {
    return ojson::array({ojson::array({w.south, w.west}), ojson::array({w.north, w.east})});
}

void writeReport(const ReportInput& in, const std::string& cmd) {
    const io::Scenario& sc = in.sc;
    const fs::path dir = in.out / "report";
    fs::create_directories(dir / "overlays");
    writeReportAssets(dir);
    const ojson& summary = *in.summary;

    ojson d;
    d["mode"] = "run";
    d["title"] = sc.title.empty() ? sc.name : sc.title;
    d["subtitle"] = sc.description;
    d["version"] = PHUSONG_VERSION;
    d["command"] = cmd;

    // Terrain and coverage overlays.
    const io::WebOverlay hs = io::writeHillshadeOverlay((dir / "overlays" / "terrain.png").string(), (in.out / "inputs" / "dem.tif").string());
    d["hillshade"] = {{"png", "overlays/terrain.png"}, {"bounds", overlayBounds(hs)}};
    d["bounds"] = overlayBounds(hs);
    const std::string village_tech = sc.targets ? std::string(toString(sc.targets->village_tech)) : "";
    ojson overlays = ojson::array();
    bool any_default = false;
    auto addOverlay = [&](const fs::path& tif, const std::string& id, const std::string& label, Technology t, bool is_default) {
        if (!fs::exists(tif)) return;
        const double thr = sc.techs.count(t) ? sc.techs.at(t).threshold_dBm : defaultThreshold_dBm(t);
        const io::ColorRamp ramp = io::signalRamp(t, thr);
        const io::WebOverlay w = io::writeWebOverlay((dir / "overlays" / (id + ".png")).string(), tif.string(), ramp);
        io::writeLegendPng((dir / "overlays" / (id + "_legend.png")).string(), ramp);
        overlays.push_back({{"id", id}, {"tech", std::string(toString(t))}, {"label", label}, {"png", "overlays/" + id + ".png"},
                            {"legend", "overlays/" + id + "_legend.png"}, {"bounds", overlayBounds(w)}, {"default", is_default}});
        any_default = any_default || is_default;
    };
    for (const auto& [t, st] : sc.techs) {
        const std::string ts(toString(t));
        const bool def = village_tech.empty() ? !any_default : ts == village_tech;
        addOverlay(in.out / "coverage" / ("signal_" + ts + ".tif"), "signal_" + ts, ts + " " + std::string(signalMeasure(t)) + " (network)", t, def);
    }
    for (const auto& [t, st] : sc.techs) {
        const std::string ts(toString(t));
        addOverlay(in.out / "plan" / "coverage" / ("signal_" + ts + ".tif"), "plan_signal_" + ts, ts + " " + std::string(signalMeasure(t)) + " (planned towers)", t,
                   !any_default);
    }
    d["overlays"] = overlays;

    // Towers of the network (sectors grouped by tower).
    ojson sites = ojson::array();
    if (in.sectors) {
        std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> ops_techs;
        std::map<std::string, LatLon> where;
        std::vector<std::string> order;
        for (const auto& s : *in.sectors) {
            const std::string id = s.tower_id.empty() ? s.site_id : s.tower_id;
            if (!where.count(id)) order.push_back(id), where[id] = s.position;
            if (!s.operator_name.empty()) ops_techs[id].first.insert(s.operator_name);
            ops_techs[id].second.insert(std::string(toString(s.tech)));
        }
        for (const auto& id : order) {
            std::string ops, techs;
            for (const auto& o : ops_techs[id].first) ops += (ops.empty() ? "" : ", ") + o;
            for (const auto& t : ops_techs[id].second) techs += (techs.empty() ? "" : " ") + t;
            sites.push_back({{"id", id}, {"lat", where[id].lat_deg}, {"lon", where[id].lon_deg}, {"operators", ops}, {"techs", techs}});
        }
    }
    d["sites"] = sites;

    ojson villages = ojson::array();
    for (const auto& v : in.villages) {
        ojson j = {{"id", v.id}, {"name", v.name}, {"lat", v.ll.lat_deg}, {"lon", v.ll.lon_deg}, {"population", v.population}};
        ojson sig = ojson::object(), srv = ojson::object(), cov = ojson::object();
        for (const auto& [k, x] : v.signal) sig[k] = std::isnan(x) ? ojson(nullptr) : ojson(std::round(x * 10.0) / 10.0);
        for (const auto& [k, x] : v.server) srv[k] = x;
        for (const auto& [k, x] : v.covered) cov[k] = x;
        j["signal"] = sig;
        j["server"] = srv;
        j["covered"] = cov;
        j["covered_after"] = v.covered_after ? ojson(*v.covered_after) : ojson(nullptr);
        villages.push_back(j);
    }
    d["villages"] = villages;
    d["village_tech"] = village_tech.empty() ? (sc.techs.empty() ? "" : std::string(toString(sc.techs.rbegin()->first))) : village_tech;

    // Industrial zones with the plan's achieved share.
    ojson zones = ojson::array();
    for (size_t z = 0; z < sc.zones.size(); ++z) {
        ojson ring = ojson::array();
        for (const auto& p : sc.zones[z].polygon) ring.push_back({p.lat_deg, p.lon_deg});
        ojson achieved = nullptr;
        if (in.plan_summary && in.plan_summary->contains("industrial_zones") && z < (*in.plan_summary)["industrial_zones"].size())
            achieved = (*in.plan_summary)["industrial_zones"][z]["achieved_share"];
        zones.push_back({{"name", sc.zones[z].name}, {"ring", ring}, {"target_share", sc.zones[z].target_share},
                         {"threshold_dbm", sc.zones[z].threshold_dBm}, {"achieved_share", achieved}});
    }
    d["zones"] = zones;

    // Headline cards, tables and charts.
    ojson head = ojson::array();
    const auto& techs = summary["technologies"];
    if (summary.contains("sites") && summary["sites"]["towers"].get<int>() > 0) {
        int bts = 0;
        for (const auto& [k, v] : summary["sites"]["bts_per_tech"].items()) bts += v.get<int>();
        head.push_back({{"label", "towers"}, {"value", summary["sites"]["towers"]}});
        head.push_back({{"label", "BTS"}, {"value", bts}});
    }
    head.push_back({{"label", "villages"}, {"value", summary["villages_total"]}});
    for (const auto& t : techs)
        if (t["villages_total"].get<int>() > 0 && t["sectors"].get<int>() > 0)
            head.push_back({{"label", t["tech"].get<std::string>() + " villages covered"},
                            {"value", fmt(100.0 * t["villages_covered"].get<int>() / t["villages_total"].get<int>(), 1) + " %"}});
    ojson tables = ojson::array();
    d["technologies"] = techs;
    if (in.plan_summary) {
        const ojson& p = *in.plan_summary;
        head.push_back({{"label", "planned new towers"}, {"value", p["towers_new"]}});
        head.push_back({{"label", "plan cost (" + sc.costs.unit + ")"}, {"value", fmt(p["cost"].get<double>(), 0)}});
        head.push_back({{"label", "optimality gap"}, {"value", fmt(100.0 * p["gap"].get<double>(), 2) + " %"}});
        // Before/after: villages covered by the network, then with the plan.
        const std::string vt = p["tech"].get<std::string>();
        int before = 0;
        for (const auto& t : techs)
            if (t["tech"] == vt) before = t["villages_covered"].get<int>();
        d["before_after"] = ojson::array({{{"label", vt + " villages"}, {"before", before}, {"after", p["villages_covered"]}}});
        d["before_after_title"] = "Villages reached at the " + vt + " threshold: today's network and with the plan";
        d["before_name"] = "network today";
        d["after_name"] = "with the plan";
        // Plan towers: new and shared ones, and existing towers that gain operators.
        ojson towers = ojson::array();
        const fs::path ps = in.out / "plan" / "plan_sites.csv";
        if (fs::exists(ps)) {
            const Table t = readCsvFile(ps.string());
            for (const auto& r : t.rows) {
                if (r.get("role") == "existing" && r.get("operators_added").empty()) continue;
                towers.push_back({{"id", r.get("site_id")}, {"lat", std::stod(r.get("lat"))}, {"lon", std::stod(r.get("lon"))}, {"role", r.get("role")},
                                  {"operators", r.get("operators")}, {"has_5g", r.get("has_5g") == "1"}});
            }
        }
        d["plan"] = {{"towers", towers}};
        ojson rows = ojson::array();
        auto row = [&](const std::string& k, const std::string& v) { rows.push_back({k, v}); };
        row("status", p["status"].get<std::string>());
        row("villages covered", std::to_string(p["villages_covered"].get<int>()) + " / " + std::to_string(p["villages_total"].get<int>()));
        row("towers: new / shared / existing", std::to_string(p["towers_new"].get<int>()) + " / " + std::to_string(p["towers_shared"].get<int>()) + " / " +
                                                  std::to_string(p["towers_existing"].get<int>()));
        row("cost (" + sc.costs.unit + ")", fmt(p["cost"].get<double>(), 1));
        row("lower bound", fmt(p["lower_bound"].get<double>(), 1));
        row("gap", fmt(100.0 * p["gap"].get<double>(), 2) + " %");
        row("solver", p["solver"].get<std::string>());
        tables.push_back({{"caption", "Plan"}, {"head", {"", "value"}}, {"rows", rows}});
        if (p.contains("sharing")) {
            const auto& s = p["sharing"];
            ojson per = ojson::array();
            ojson srows = ojson::array();
            for (const auto& [name, o] : s["per_operator"].items()) {
                per.push_back({{"name", name}, {"towers_alone", o["towers_alone"]}, {"cost_alone", o["cost_alone"]}});
                srows.push_back({name, std::to_string(o["towers_alone"].get<int>()), fmt(o["cost_alone"].get<double>(), 1),
                                 std::to_string(o["towers_used_in_plan"].get<int>())});
            }
            srows.push_back({"shared plan", std::to_string(p["towers_new"].get<int>()) + " new", fmt(p["cost"].get<double>(), 1), ""});
            srows.push_back({"saved", std::to_string(s["towers_saved"].get<int>()) + " towers", fmt(s["cost_saved"].get<double>(), 1) + " (" +
                                          fmt(100.0 * s["cost_saved_fraction"].get<double>(), 1) + " %)", ""});
            d["sharing"] = {{"per_operator", per}, {"cost_alone_total", s["cost_alone_total"]}, {"cost_shared", p["cost"]}, {"unit", sc.costs.unit}};
            tables.push_back({{"caption", "Sharing: each operator alone vs the shared plan"},
                              {"head", {"operator", "towers alone", "cost alone", "towers used in plan"}}, {"rows", srows}});
        }
        if (p.contains("unreachable") && !p["unreachable"].empty()) {
            ojson urows = ojson::array();
            for (const auto& u : p["unreachable"])
                urows.push_back({u["village_id"].get<std::string>(), u["name"].get<std::string>(),
                                 u["best_achievable_dbm"].is_null() ? "none within range" : fmt(u["best_achievable_dbm"].get<double>(), 1)});
            tables.push_back({{"caption", "Villages no candidate can reach"}, {"head", {"village", "name", "best achievable dBm"}}, {"rows", urows}});
        }
        if (p.contains("industrial_zones")) {
            ojson zrows = ojson::array();
            for (const auto& z : p["industrial_zones"])
                zrows.push_back({z["zone"].get<std::string>(), fmt(100.0 * z["target_share"].get<double>(), 0) + " %",
                                 fmt(100.0 * z["achieved_share"].get<double>(), 1) + " %", fmt(z["threshold_dbm"].get<double>(), 0)});
            tables.push_back({{"caption", "Industrial zones: 5G targets"}, {"head", {"zone", "target", "planned", "threshold dBm"}}, {"rows", zrows}});
        }
    }
    d["headline"] = head;
    d["tables"] = tables;
    ojson prov = ojson::array();
    for (const auto& p : summary["provenance"]) prov.push_back({p["part"], p["source"]});
    d["provenance"] = prov;

    writeReportData(dir, d);
}

void writeReportData(const fs::path& dir, const nlohmann::ordered_json& d) {
    std::ofstream o(dir / "data.js", std::ios::binary);
    o << "// Written by phusong " << PHUSONG_VERSION << "; the report's data.\nwindow.PHUSONG = " << d.dump() << ";\n";
    if (!o) throw Error((dir / "data.js").string() + ": cannot write");
}

}  // namespace phusong::cli
