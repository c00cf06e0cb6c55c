#pragma once
// The phusong subcommands. Each registers its options into a config struct and sets the action
// that main() runs after parsing; errors are exceptions that main() maps to exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "model_options.hpp"
#include "phusong/core/engine/coverage.hpp"
#include "phusong/core/plan/planner.hpp"
#include "phusong/core/profile.hpp"

namespace phusong::cli {

/// Processes sharing one coverage computation (the MPI build sets it; one process otherwise).
struct ScaleOut {
    int rank = 0, size = 1;
    /// Combines a layer's partial composition over all processes (every process gets the result).
    std::function<void(engine::PartialComposition&)> combine;
    /// Sums @p counts and ORs @p flags over all processes (every process gets the result): the
    /// model warnings each process's sweeps raised.
    std::function<void(std::vector<long long>& counts, uint32_t& flags)> combine_warnings;
    /// Commands that may run under several processes.
    bool allowed(const std::string& command) const { return size == 1 || command == "coverage"; }
};
ScaleOut& scaleOut();

/// Parses the command line and runs the chosen command; returns the exit code.
int runCli(int argc, char** argv);

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
    /// The analysis grid: "dem" (the whole DEM) or "sites" (the part within the radius of the
    /// sectors: the CLI's default). Scenario runs, the demo and the plan keep the whole DEM.
    std::string extent = "dem";
    /// Which composed rasters to write (--outputs): signal, best_server, second_signal, overlap,
    /// sinr, throughput; empty = all of them. servers_<tech>.csv and summary.json always.
    std::vector<std::string> outputs;
    /// --compression: the COGs' DEFLATE setting, "fast" (level 1) or "small" (level 6, predictor).
    std::string compression = "fast";
    std::string clutter, clutter_table;
    double noise_figure_dB = 7.0;
    double walk_cache_MB = 1024.0;  ///< --walk-cache-mb: walks kept for co-sited carriers
    /// Walks kept across runs over the same grid (run: the network's, for the plan's towers).
    std::shared_ptr<engine::WalkStore> walk_store;
    /// Location variability: standard deviation of shadow fading per technology ("4G" -> dB;
    /// "" applies to every technology not named); none = median coverage only.
    std::map<std::string, double> shadowing_dB;
    double location_probability_pct = 90.0;  ///< the share of locations a covered pixel must reach
    std::function<void(double)> progress;  ///< overrides the terminal progress bar when set
    /// Receives each warning of the closing table (the inputs', then the model's with its counts)
    /// besides the table: for callers that do not show the table (`run -q`, JSON logs).
    std::function<void(const std::string&)> on_warning;
};

/// `phusong plan` options (also filled from scenarios by `phusong run`).
struct PlanConfig {
    std::string dem, villages, candidates, existing, zones, out, tech = "4G", cover_by = "every", operators;
    /// Walks of an earlier coverage run over the same grid, for the plan's coverage rasters.
    std::shared_ptr<engine::WalkStore> walk_store;
    ModelOptions mo;
    double radius_km = 10.0, resolution_m = 0.0, rx_height_m = 1.5, tower_height_m = 30.0;
    double candidate_spacing_m = 2000.0;
    std::optional<double> threshold_dbm, freq_mhz, eirp_dbm, budget;
    double margin_db = 0.0;
    int k_fold = 1;
    plan::CostModel costs;
    double time_limit_s = 60.0;
    double zone_5g_freq_mhz = 3500.0, zone_5g_eirp_dbm = 65.0, zone_spacing_m = 100.0;
    std::string cache_dir;
    bool no_cache = false, no_rasters = false, quiet = false, heuristic_only = false;
    std::string compression = "fast";  ///< --compression of the plan's coverage rasters
    int threads = 0;
    std::function<void(double)> progress;  ///< coverage-matrix progress (overrides the terminal bar)
};

/// Runs the planner and writes its outputs; 0, or 3 when some villages cannot be reached.
int runPlan(const PlanConfig& cfg, const std::string& command_line);

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
void addRun(CLI::App& app, Context& ctx);
void addCompare(CLI::App& app, Context& ctx);
void addAntennas(CLI::App& app, Context& ctx);

/// The terrain profile from --tx to --rx ("LAT,LON") over @p dem, sampled at the DEM's spacing.
/// Throws InputError when a point is malformed or off the DEM.
Profile profileFromDem(const std::string& dem, const std::string& tx, const std::string& rx);

/// Parses "EPSG:N" (or "N"). Throws InputError.
int parseEpsg(const std::string& s);

}  // namespace phusong::cli
