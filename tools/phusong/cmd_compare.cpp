// `phusong compare A B --out DIR`: what changed between two scenarios (or two finished runs):
// coverage per technology, villages gained and lost, towers and base stations added, and where
// coverage was gained or lost (change_<tech>.tif when both runs share a grid), with a report.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli_util.hpp"
#include "commands.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/gis.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/io/scenario.hpp"
#include "run.hpp"

namespace phusong::cli {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

struct CompareOptions {
    RunOptions run;
    std::string a, b;
};

struct Side {
    std::string label;  ///< "A" or "B"
    fs::path dir;       ///< the run folder
    ojson summary;
};

// A scenario file is run into @p into/<label>_<name>; a folder holding run_summary.json is used as it is.
Side prepare(const std::string& what, const std::string& label, const fs::path& stage, const CompareOptions& co, Logger& log, const std::string& cmd) {
    Side s;
    s.label = label;
    if (fs::is_directory(what)) {
        if (!fs::exists(fs::path(what) / "run_summary.json"))
            throw InputError(what + ": not a finished run (no run_summary.json); give a scenario .yaml or a folder written by phusong run");
        s.dir = what;
        s.summary = readJsonFile((s.dir / "run_summary.json").string());
        log.info("compare", label + " = finished run " + what);
        return s;
    }
    const io::Scenario sc = io::loadScenario(what, co.run.data_dir);
    s.dir = stage / (label + "_" + sc.name);
    fs::create_directories(s.dir);
    log.info("compare", label + " = scenario " + sc.name + " (" + what + ")");
    RunOptions ro = co.run;
    ro.display_dir = (fs::path(co.run.out) / s.dir.filename()).string();
    s.summary = runScenario(sc, s.dir.string(), ro, log, cmd);
    return s;
}

struct TowerSet {
    std::map<std::string, std::pair<double, double>> towers;  ///< tower id -> lat, lon
    std::map<std::string, int> bts;                           ///< tech -> BTS
};

TowerSet towersOf(const Side& s) {
    TowerSet t;
    const fs::path f = s.dir / "inputs" / "sites.csv";
    if (!fs::exists(f)) return t;
    const Table tab = readCsvFile(f.string());
    std::set<std::string> bts;
    for (const auto& r : tab.rows) {
        const std::string id = r.get("tower_id").empty() ? r.get("site_id") : r.get("tower_id");
        t.towers[id] = {parseNumber(r.get("lat"), r.location, "lat"), parseNumber(r.get("lon"), r.location, "lon")};
        if (bts.insert(id + "|" + r.get("tech") + "|" + r.get("operator")).second) ++t.bts[r.get("tech")];
    }
    return t;
}

int runCompare(const CompareOptions& co, const std::string& cmd) {
    Logger log(co.run.log_format, co.run.quiet);
    io::StagedOutput stage(co.run.out);
    const fs::path dir = stage.path("");
    const Side A = prepare(co.a, "A", dir, co, log, cmd);
    const Side B = prepare(co.b, "B", dir, co, log, cmd);

    ojson out;
    out["a"] = {{"scenario", A.summary["scenario"]["name"]}, {"title", A.summary["scenario"]["title"]}, {"run", io::displayPath(A.dir.string())}};
    out["b"] = {{"scenario", B.summary["scenario"]["name"]}, {"title", B.summary["scenario"]["title"]}, {"run", io::displayPath(B.dir.string())}};
    std::ofstream csv(dir / "compare.csv");
    csv << "metric,a,b,change\n";
    auto row = [&](const std::string& metric, double a, double b, int prec) {
        csv << csvEscape(metric) << "," << fmt(a, prec) << "," << fmt(b, prec) << "," << fmt(b - a, prec) << "\n";
    };

    // Towers and base stations.
    const TowerSet ta = towersOf(A), tb = towersOf(B);
    auto near = [](const TowerSet& s, std::pair<double, double> p) {
        for (const auto& [id, q] : s.towers)
            if (std::abs(q.first - p.first) < 1e-5 && std::abs(q.second - p.second) < 1e-5) return true;  // about 1 m
        return false;
    };
    int added = 0, removed = 0;
    for (const auto& [id, p] : tb.towers) added += near(ta, p) ? 0 : 1;
    for (const auto& [id, p] : ta.towers) removed += near(tb, p) ? 0 : 1;
    out["towers"] = {{"a", ta.towers.size()}, {"b", tb.towers.size()}, {"added", added}, {"removed", removed}};
    row("towers", static_cast<double>(ta.towers.size()), static_cast<double>(tb.towers.size()), 0);
    row("towers added (new positions)", 0, added, 0);
    std::set<std::string> tech_names;
    for (const auto& [k, v] : ta.bts) tech_names.insert(k);
    for (const auto& [k, v] : tb.bts) tech_names.insert(k);
    ojson bts = ojson::object();
    for (const auto& t : tech_names) {
        const int a = ta.bts.count(t) ? ta.bts.at(t) : 0, b = tb.bts.count(t) ? tb.bts.at(t) : 0;
        bts[t] = {{"a", a}, {"b", b}, {"change", b - a}};
        row("BTS " + t, a, b, 0);
    }
    out["bts"] = bts;

    // Coverage and villages per technology.
    auto techEntry = [](const ojson& s, const std::string& t) -> ojson {
        for (const auto& e : s["technologies"])
            if (e["tech"] == t) return e;
        return nullptr;
    };
    std::set<std::string> techs;
    for (const auto& e : A.summary["technologies"]) techs.insert(e["tech"].get<std::string>());
    for (const auto& e : B.summary["technologies"]) techs.insert(e["tech"].get<std::string>());
    // Villages by id: covered in each run.
    auto villages = [](const Side& s) {
        std::map<std::string, Record> m;
        const fs::path f = s.dir / "villages.csv";
        if (fs::exists(f))
            for (auto& r : readCsvFile(f.string()).rows) m[r.get("village_id")] = r;
        return m;
    };
    const auto va = villages(A), vb = villages(B);
    ojson tech_rows = ojson::array();
    std::ofstream gained_csv(dir / "villages_changed.csv");
    gained_csv << "tech,change,village_id,name,lat,lon,signal_a_dbm,signal_b_dbm\n";
    ojson report_tables = ojson::array();
    ojson before_after = ojson::array();
    ojson overlays = ojson::array();
    fs::create_directories(dir / "report" / "overlays");
    std::optional<io::WebOverlay> extent;
    for (const auto& t : techs) {
        const ojson ea = techEntry(A.summary, t), eb = techEntry(B.summary, t);
        auto get = [](const ojson& e, const char* k) { return e.is_null() || e[k].is_null() ? 0.0 : e[k].get<double>(); };
        const std::string lt = [&] {
            std::string s = t;
            for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return s;
        }();
        int gained = 0, lost = 0;
        for (const auto& [id, rb] : vb) {
            const auto it = va.find(id);
            if (it == va.end() || !rb.has("covered_" + lt)) continue;
            const bool cb = rb.get("covered_" + lt) == "1", ca = it->second.get("covered_" + lt) == "1";
            if (cb != ca) {
                (cb ? gained : lost) += 1;
                gained_csv << t << "," << (cb ? "gained" : "lost") << "," << csvEscape(id) << "," << csvEscape(rb.get("name")) << "," << rb.get("lat") << ","
                           << rb.get("lon") << "," << it->second.get("signal_" + lt + "_dbm") << "," << rb.get("signal_" + lt + "_dbm") << "\n";
            }
        }
        ojson e = {{"tech", t},
                   {"a_covered_km2", get(ea, "covered_km2")}, {"b_covered_km2", get(eb, "covered_km2")},
                   {"a_covered_pct", get(ea, "covered_pct")}, {"b_covered_pct", get(eb, "covered_pct")},
                   {"a_villages_covered", get(ea, "villages_covered")}, {"b_villages_covered", get(eb, "villages_covered")},
                   {"villages_total", get(eb, "villages_total")}, {"villages_gained", gained}, {"villages_lost", lost}};
        row(t + " covered km2", e["a_covered_km2"].get<double>(), e["b_covered_km2"].get<double>(), 1);
        row(t + " covered %", e["a_covered_pct"].get<double>(), e["b_covered_pct"].get<double>(), 2);
        row(t + " villages covered", e["a_villages_covered"].get<double>(), e["b_villages_covered"].get<double>(), 0);
        before_after.push_back({{"label", t + " area %"}, {"before", e["a_covered_pct"]}, {"after", e["b_covered_pct"]}});

        // Where coverage changed, when both runs share a grid.
        const fs::path ra = A.dir / "coverage" / ("signal_" + t + ".tif"), rb = B.dir / "coverage" / ("signal_" + t + ".tif");
        if (fs::exists(ra) && fs::exists(rb)) {
            const auto ga = io::readFloatRaster(ra.string()), gb = io::readFloatRaster(rb.string());
            const GeoTransform &x = ga.grid.geoTransform(), &y = gb.grid.geoTransform();
            const double thr = eb.is_null() ? defaultThreshold_dBm(*parseTechnology(t)) : eb["threshold_dbm"].get<double>();
            if (ga.grid.width() == gb.grid.width() && ga.grid.height() == gb.grid.height() && x.origin_x_m == y.origin_x_m &&
                x.origin_y_m == y.origin_y_m && x.pixel_width_m == y.pixel_width_m && ga.crs.epsg == gb.crs.epsg) {
                Grid<uint8_t> ch(gb.grid.width(), gb.grid.height(), y, 0, 255);
                long long n_gain = 0, n_lost = 0;
                for (size_t i = 0; i < ch.data().size(); ++i) {
                    const float a = ga.grid.data()[i], b = gb.grid.data()[i];
                    const bool ca = a >= thr, cb = b >= thr;
                    ch.data()[i] = static_cast<uint8_t>(ca && cb ? 2 : cb ? 3 : ca ? 1 : 0);
                    n_gain += (!ca && cb), n_lost += (ca && !cb);
                }
                const double px_km2 = y.pixel_width_m * y.pixel_height_m / 1e6;
                e["gained_km2"] = n_gain * px_km2;
                e["lost_km2"] = n_lost * px_km2;
                const std::string file = "change_" + t + ".tif";
                io::writeCog((dir / file).string(), ch, gb.crs,
                             {t + " coverage change at " + fmt(thr, 0) + " dBm: 0 neither, 1 lost, 2 kept, 3 gained (A -> B)", "", io::provenance(cmd)});
                io::ColorRamp ramp;
                ramp.title = t + " coverage change (A to B)";
                ramp.classes = {{0.5, 0, 0, 0, 0, "not covered"}, {1.5, 214, 40, 40, 255, "lost"}, {2.5, 110, 160, 215, 255, "kept"},
                                {std::numeric_limits<double>::infinity(), 30, 150, 60, 255, "gained"}};
                io::writeQml((dir / file).string(), ramp);
                const io::WebOverlay w = io::writeWebOverlay((dir / "report" / "overlays" / ("change_" + t + ".png")).string(), (dir / file).string(), ramp);
                io::writeLegendPng((dir / "report" / "overlays" / ("change_" + t + "_legend.png")).string(), ramp);
                overlays.push_back({{"id", "change_" + t}, {"tech", t}, {"label", t + " coverage change"}, {"png", "overlays/change_" + t + ".png"},
                                    {"legend", "overlays/change_" + t + "_legend.png"}, {"bounds", overlayBounds(w)}, {"default", false}});
                if (!extent) extent = w;
                row(t + " km2 gained", 0, e["gained_km2"].get<double>(), 1);
            } else {
                log.warn("compare", t + ": the two runs have different grids; no change raster (compare the villages instead)");
            }
        }
        tech_rows.push_back(e);
    }
    out["technologies"] = tech_rows;
    gained_csv.close();
    csv.close();
    {
        std::ofstream j(dir / "compare.json");
        j << out.dump(2) << "\n";
    }

    // The comparison report.
    writeReportAssets(dir / "report");
    ojson d;
    d["mode"] = "compare";
    d["title"] = "Comparison: " + A.summary["scenario"]["name"].get<std::string>() + " vs " + B.summary["scenario"]["name"].get<std::string>();
    d["subtitle"] = "A = " + A.summary["scenario"]["title"].get<std::string>() + "; B = " + B.summary["scenario"]["title"].get<std::string>();
    d["version"] = PHUSONG_VERSION;
    d["command"] = cmd;
    const fs::path dem = B.dir / "inputs" / "dem.tif";
    if (fs::exists(dem)) {
        const io::WebOverlay hs = io::writeHillshadeOverlay((dir / "report" / "overlays" / "terrain.png").string(), dem.string());
        d["hillshade"] = {{"png", "overlays/terrain.png"}, {"bounds", overlayBounds(hs)}};
        d["bounds"] = overlayBounds(hs);
    }
    // Show first the technology that gained the most area.
    std::string best_tech;
    double best_gain = -1.0;
    for (const auto& e : tech_rows)
        if (e.contains("gained_km2") && e["gained_km2"].get<double>() > best_gain) best_gain = e["gained_km2"].get<double>(), best_tech = e["tech"];
    for (auto& o : overlays) o["default"] = o["tech"] == best_tech;
    d["overlays"] = overlays;
    ojson added_sites = ojson::array();
    for (const auto& [id, p] : tb.towers)
        if (!near(ta, p)) added_sites.push_back({{"id", id}, {"lat", p.first}, {"lon", p.second}, {"role", "new"}, {"operators", ""}, {"has_5g", false}});
    d["plan"] = {{"towers", added_sites}, {"label", "Towers added in B (" + std::to_string(added) + ")"}};
    d["headline"] = ojson::array({{{"label", "towers A"}, {"value", ta.towers.size()}}, {{"label", "towers B"}, {"value", tb.towers.size()}},
                                 {{"label", "towers added"}, {"value", added}}});
    d["before_after"] = before_after;
    d["before_after_title"] = "Area covered per technology (%): A and B";
    d["before_name"] = "A " + A.summary["scenario"]["name"].get<std::string>();
    d["after_name"] = "B " + B.summary["scenario"]["name"].get<std::string>();
    d["before_after_unit"] = "%";
    ojson rows = ojson::array();
    for (const auto& e : tech_rows)
        rows.push_back({e["tech"], fmt(e["a_covered_km2"].get<double>(), 1), fmt(e["b_covered_km2"].get<double>(), 1),
                        fmt(e["a_villages_covered"].get<double>(), 0), fmt(e["b_villages_covered"].get<double>(), 0),
                        std::to_string(e["villages_gained"].get<int>()), std::to_string(e["villages_lost"].get<int>())});
    report_tables.push_back({{"caption", "Per technology"}, {"head", {"tech", "A km²", "B km²", "A villages", "B villages", "gained", "lost"}}, {"rows", rows}});
    ojson brow = ojson::array();
    for (const auto& [t, v] : bts.items()) brow.push_back({t, std::to_string(v["a"].get<int>()), std::to_string(v["b"].get<int>()), std::to_string(v["change"].get<int>())});
    report_tables.push_back({{"caption", "Base stations"}, {"head", {"tech", "A", "B", "change"}}, {"rows", brow}});
    d["tables"] = report_tables;
    ojson vill = ojson::array();
    const std::string vt = !best_tech.empty() ? best_tech : A.summary["technologies"].empty() ? "" : A.summary["technologies"].back()["tech"].get<std::string>();
    std::string lvt = vt;
    for (auto& c : lvt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [id, r] : vb) {
        const bool cb = r.get("covered_" + lvt) == "1";
        vill.push_back({{"id", id}, {"name", r.get("name")}, {"lat", std::stod(r.get("lat"))}, {"lon", std::stod(r.get("lon"))},
                        {"population", r.get("population").empty() ? 0.0 : std::stod(r.get("population"))}, {"covered", {{vt, cb}}}, {"covered_after", nullptr}});
    }
    d["villages"] = vill;
    d["village_tech"] = vt;
    d["technologies"] = ojson::array();
    d["provenance"] = ojson::array({{"A", io::displayPath(A.dir.string())}, {"B", io::displayPath(B.dir.string())}});
    if (!d.contains("bounds") && extent) d["bounds"] = overlayBounds(*extent);
    writeReportData(dir / "report", d);
    stage.commit();

    std::cout << "phusong compare: " << out["a"]["scenario"].get<std::string>() << " -> " << out["b"]["scenario"].get<std::string>() << " ("
              << co.run.out << ")\n";
    std::cout << "  towers " << ta.towers.size() << " -> " << tb.towers.size() << " (" << added << " added, " << removed << " removed)\n";
    for (const auto& [t, v] : bts.items()) std::cout << "  BTS " << t << ": " << v["a"].get<int>() << " -> " << v["b"].get<int>() << "\n";
    for (const auto& e : tech_rows)
        std::cout << "  " << e["tech"].get<std::string>() << ": covered " << fmt(e["a_covered_pct"].get<double>(), 1) << " % -> "
                  << fmt(e["b_covered_pct"].get<double>(), 1) << " %, villages " << fmt(e["a_villages_covered"].get<double>(), 0) << " -> "
                  << fmt(e["b_villages_covered"].get<double>(), 0) << " (+" << e["villages_gained"].get<int>() << ", -" << e["villages_lost"].get<int>() << ")\n";
    return 0;
}
}  // namespace

void addCompare(CLI::App& app, Context& ctx) {
    auto co = std::make_shared<CompareOptions>();
    CLI::App* sub = app.add_subcommand("compare", "What changed between two scenarios (or two finished runs): coverage, villages, towers");
    sub->add_option("a", co->a, "Scenario A (.yaml) or a folder written by phusong run")->required();
    sub->add_option("b", co->b, "Scenario B (.yaml) or a folder written by phusong run")->required();
    sub->add_option("--out", co->run.out, "Output directory")->required();
    sub->add_option("--data-dir", co->run.data_dir, "Folder that ${data} stands for in the scenarios");
    sub->add_option("--threads", co->run.threads, "Worker threads (0 = all cores)")->capture_default_str();
    sub->add_option("--cache-dir", co->run.cache_dir, "Coverage-matrix cache for the planner");
    sub->add_flag("--no-plan", co->run.no_plan, "Skip the plans of scenarios run here");
    sub->add_flag("-q,--quiet", co->run.quiet, "No progress or step lines");
    sub->add_option("--log-format", co->run.log_format, "text or json")->capture_default_str();
    sub->callback([co, &ctx] { ctx.action = [co, &ctx] { return runCompare(*co, ctx.command_line); }; });
}

}  // namespace phusong::cli
