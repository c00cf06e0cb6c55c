#pragma once
// Shared by `phusong run` and `phusong compare`: running one scenario into a folder, and the
// HTML report.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "log.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/sector.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/gis.hpp"
#include "phusong/io/scenario.hpp"

namespace phusong::cli {

struct RunOptions {
    std::string scenario, out, data_dir, log_format = "text", cache_dir;
    std::string display_dir;  ///< where the run's folder will be once committed, for messages
    bool quiet = false, no_plan = false, no_report = false;
    int threads = 0;
};

/// Runs @p sc into @p dir (an existing folder, normally a staging folder) and returns the
/// run summary (also written as run_summary.json).
nlohmann::ordered_json runScenario(const io::Scenario& sc, const std::string& dir, const RunOptions& ro, Logger& log, const std::string& cmd);

struct ReportVillage {
    std::string id, name;
    LatLon ll;
    double population = 0;
    std::map<std::string, double> signal;
    std::map<std::string, std::string> server;
    std::map<std::string, bool> covered;
    std::optional<bool> covered_after;
};

struct ReportInput {
    const io::Scenario& sc;
    std::filesystem::path out;
    io::Crs crs;
    size_t villages_total = 0;
    std::vector<ReportVillage> villages;
    const std::vector<Sector>* sectors = nullptr;
    const nlohmann::ordered_json* summary = nullptr;
    const nlohmann::ordered_json* plan_summary = nullptr;
};

/// Writes out/report/: index.html, report.js, report.css, Leaflet, data.js and the overlays.
void writeReport(const ReportInput& in, const std::string& cmd);

/// An overlay's bounds as Leaflet takes them: [[south, west], [north, east]].
nlohmann::ordered_json overlayBounds(const io::WebOverlay& w);

/// Writes @p d as the report's data.js in @p dir.
void writeReportData(const std::filesystem::path& dir, const nlohmann::ordered_json& d);

/// Writes the report's static files (HTML, JS, CSS, Leaflet) into @p dir.
void writeReportAssets(const std::filesystem::path& dir);

}  // namespace phusong::cli
