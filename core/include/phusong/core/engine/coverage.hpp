#pragma once
/// @file coverage.hpp
/// The coverage engine: received signal per technology, best server, covered area.

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "phusong/core/grid.hpp"
#include "phusong/core/models/model.hpp"
#include "phusong/core/sector.hpp"
#include "phusong/core/technology.hpp"

namespace phusong::engine {

struct CoverageOptions {
    models::ModelParams model;
    double radius_m = 20000.0;   ///< computation radius around each sector
    double rx_height_m = 1.5;    ///< receiver above ground
    int threads = 0;             ///< 0 = all cores
    double profile_step_m = 0.0; ///< 0 = the DEM's pixel size
    std::map<Technology, double> thresholds_dBm;  ///< missing = defaultThreshold_dBm
    int tile_px = 64;            ///< side of the square work unit
    /// Called with the done fraction from one thread only; must not throw.
    std::function<void(double)> progress;

    double threshold_dBm(Technology t) const {
        const auto it = thresholds_dBm.find(t);
        return it == thresholds_dBm.end() ? defaultThreshold_dBm(t) : it->second;
    }
};

/// Coverage of one technology on the analysis grid.
struct TechnologyCoverage {
    Technology tech = Technology::G4;
    std::vector<int> sectors;        ///< indices into the site table
    Grid<float> signal_dBm;          ///< best-server reference signal; NaN where no sector reaches
    Grid<int32_t> best_server;       ///< site-table row index, -1 where no sector reaches
    double threshold_dBm = 0.0;
    long long covered_pixels = 0;    ///< signal >= threshold
    double covered_km2 = 0.0;
    double covered_fraction = 0.0;   ///< of the DEM's valid area
};

struct CoverageResult {
    std::vector<TechnologyCoverage> layers;  ///< in technology order, only those present
    long long valid_pixels = 0;
    double valid_area_km2 = 0.0;
    uint32_t warnings = 0;  ///< union of model warning flags over all evaluated links
    int threads_used = 1;
};

/// Received reference signal of @p s at a receiver, dBm: EIRP - reference offset - antenna
/// attenuation towards the receiver - path loss.
/// @p profile is scratch space, reused between calls.
double sectorSignal_dBm(const Sector& s, const DemGrid& dem, const models::ModelParams& mp, PointXY rx,
                        double rx_height_m, double step_m, Profile& profile, uint32_t* warnings);

/// Validates sectors against the DEM and model before any work: each sector must stand on a
/// valid DEM cell and its frequency must lie in the model's validity. Throws InputError naming the
/// sector's file and line.
void validateSectors(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt);

/// Computes coverage for every technology present in @p sectors. OpenMP over square tiles; each
/// pixel's sectors are visited in table order and ties keep the lower index, so the output is
/// bit-identical at any thread count.
CoverageResult computeCoverage(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt);

}  // namespace phusong::engine
