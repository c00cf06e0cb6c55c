#pragma once
// The phusong subcommands. Each registers its options into a config struct and sets the action
// that main() runs after parsing; errors are exceptions that main() maps to exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "model_options.hpp"
#include "phusong/core/profile.hpp"

namespace phusong::cli {

struct Context {
    std::string command_line;
    std::function<int()> action;  ///< set by the chosen subcommand
};

struct CoverageConfig {
    std::string dem, sites, out;
    ModelOptions mo;
    double radius_km = 20.0;
    double resolution_m = 0.0;
    double rx_height_m = 1.5;
    int threads = 0;
    std::optional<int> epsg;
    std::map<std::string, double> thresholds;  ///< "4G" -> dBm
    bool quiet = false;
    std::string engine = "radial";
    bool pathloss = false;          ///< also write pathloss_<site_id>.tif per sector
    std::string clutter, clutter_table;
    double noise_figure_dB = 7.0;
};

/// Runs a coverage computation and writes its outputs; prints a summary table to stdout.
int runCoverage(const CoverageConfig& cfg, const std::string& command_line);

void addCoverage(CLI::App& app, Context& ctx);
void addPathloss(CLI::App& app, Context& ctx);
void addSynthTerrain(CLI::App& app, Context& ctx);
void addDemo(CLI::App& app, Context& ctx);
void addProfile(CLI::App& app, Context& ctx);
void addViewshed(CLI::App& app, Context& ctx);
void addCalibrate(CLI::App& app, Context& ctx);
void addOptimize(CLI::App& app, Context& ctx);
void addPlan(CLI::App& app, Context& ctx);

/// The terrain profile from --tx to --rx ("LAT,LON") over @p dem, sampled at the DEM's spacing.
/// Throws InputError when a point is malformed or off the DEM.
Profile profileFromDem(const std::string& dem, const std::string& tx, const std::string& rx);

/// Parses "EPSG:N" (or "N"). Throws InputError.
int parseEpsg(const std::string& s);

}  // namespace phusong::cli
