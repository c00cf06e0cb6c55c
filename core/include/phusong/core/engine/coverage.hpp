#pragma once
/// @file coverage.hpp
/// The coverage engine: received signal per technology, best server, covered area.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "phusong/core/engine/radial.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/core/models/model.hpp"
#include "phusong/core/sector.hpp"
#include "phusong/core/technology.hpp"

namespace phusong::engine {

/// Which engine computes each sector: the radial sweep (default), or the slow reference that
/// extracts a full profile per pixel (kept for tests and for checking the sweep).
enum class EngineKind { Radial, Reference };

struct TechnologyCoverage;

/// One layer's per-pixel composition state, as CoverageOptions::combine sees it.
struct PartialComposition {
    size_t pixels = 0;
    int top_k = 0;                 ///< signals kept per pixel, descending
    float* topk = nullptr;         ///< pixels x top_k dBm (-inf = none); topk[p * top_k] is the best
    int32_t* best_idx = nullptr;   ///< best server per pixel (sector index), -1 = none
    std::vector<int64_t*> power;   ///< per co-channel group (null = unused): summed power units
};

/// The overlap count saturates here: each pixel keeps its strongest kOverlapCountMax signals (for the
/// second-best signal and the overlap), so a pixel with more servers within the margin reads this.
constexpr int kOverlapCountMax = 8;

struct CoverageOptions {
    models::ModelParams model;
    EngineKind engine = EngineKind::Radial;
    double radius_m = 20000.0;   ///< computation radius around each sector
    double rx_height_m = 1.5;    ///< receiver above ground
    int threads = 0;             ///< 0 = all cores
    double profile_step_m = 0.0; ///< reference engine: 0 = where the path crosses the grid lines of its major axis
    std::map<Technology, double> thresholds_dBm;  ///< missing = defaultThreshold_dBm
    double noise_figure_dB = 7.0;      ///< receiver noise figure for SINR
    double overlap_margin_dB = 6.0;    ///< servers within this of the best count as overlapping
    bool per_operator = true;          ///< also compose each operator's sectors on their own
    /// Receiver-side clutter loss per pixel (dB), same geometry as the DEM; null = none.
    const Grid<float>* clutter_loss_dB = nullptr;
    /// Receiver-side clutter that depends on the carrier (clutter heights, P.2108 §3.1): the grid
    /// for a sector's frequency. When set it replaces clutter_loss_dB. Must be thread-safe (it is
    /// called from the workers; a lookup into grids prepared beforehand).
    std::function<const Grid<float>*(double freq_MHz)> clutter_loss_for_freq;
    /// Called with the done fraction from one thread only; must not throw.
    std::function<void(double)> progress;
    /// Called once per sector, in table order, outside parallel regions, with the sector's
    /// window (e.g. to write its path-loss raster). Empty = windows are not kept.
    std::function<void(int sector_index, const SectorWindow&)> on_sector;
    /// Called with each finished layer, outside parallel regions; the layer's rasters are then
    /// dropped from the result (its numbers stay), so only one layer's rasters are held at once.
    /// Empty = every layer keeps its rasters in the result.
    std::function<void(const TechnologyCoverage&)> on_layer;
    /// Scale-out (e.g. MPI ranks): only sectors for which this returns true are computed by this
    /// process; empty = all. Per-sector windows (on_sector) are not available then.
    std::function<bool(int sector_index)> compute_sector;
    /// Scale-out: called once per layer (technology, then operator views in a fixed order, the
    /// same on every process) with this process's partial composition, which it must replace by
    /// the combination over all processes before the layer is finished. Every merge is order
    /// independent (top-k multiset, best value with the lower sector index on ties, integer
    /// power sums), so the combined result is bit-identical to a single process.
    std::function<void(struct PartialComposition&)> combine;
    /// Memory for walks kept between the co-sited sectors of other carriers and technologies
    /// (SharedWalk: Bullington and free space). A class whose walk does not fit is walked again
    /// for each carrier; the rasters are the same either way.
    double walk_cache_MB = 1024.0;
    /// Walks kept for later runs (and taken from earlier ones) over the same grid; null = none.
    /// A class found there walks no ray: its sectors take the kept v at its carrier when their
    /// carriers are not below it.
    std::shared_ptr<WalkStore> walk_store;

    double threshold_dBm(Technology t) const {
        const auto it = thresholds_dBm.find(t);
        return it == thresholds_dBm.end() ? defaultThreshold_dBm(t) : it->second;
    }
};

/// Coverage of one technology on the analysis grid.
struct TechnologyCoverage {
    Technology tech = Technology::G4;
    std::string operator_name;       ///< empty: every operator's sectors; else this operator's only
    std::vector<int> sectors;        ///< indices into the site table
    Grid<float> signal_dBm;          ///< best-server reference signal; NaN where no sector reaches
    Grid<int32_t> best_server;       ///< site-table row index, -1 where no sector reaches
    Grid<float> second_dBm;          ///< second-best server's signal; NaN where fewer than two reach
    Grid<uint8_t> overlap;           ///< servers above threshold within overlap_margin_dB of the best, at most kOverlapCountMax; 0 where uncovered; nodata 255
    Grid<float> sinr_dB;             ///< best server against co-channel sectors (same freq_mhz) plus noise
    Grid<float> throughput_Mbps;     ///< 4G/5G downlink estimate (empty for 2G/3G)
    double threshold_dBm = 0.0;
    long long covered_pixels = 0;    ///< signal >= threshold
    double covered_km2 = 0.0;
    double covered_fraction = 0.0;   ///< of the DEM's valid area
};

struct CoverageResult {
    /// In technology order, only those present; each technology's all-operator layer first, then
    /// one per operator (alphabetical) when the table names operators and per_operator is set.
    std::vector<TechnologyCoverage> layers;
    long long valid_pixels = 0;
    double valid_area_km2 = 0.0;
    uint32_t warnings = 0;  ///< union of model warning flags over all evaluated links
    /// Path-loss evaluations (one per pixel of each path-loss class's window: a three-sector cell
    /// counts once), and per warning bit how many of them raised it.
    long long evaluations = 0;
    std::array<long long, 32> warning_evaluations{};
    int threads_used = 1;
    /// Radial sweeps that walked their rays, and those that took a co-sited carrier's kept walk
    /// (SharedWalk) instead.
    long long walks = 0, walks_reused = 0;
};

/// Validates sectors against the DEM and model before any work: each sector must stand on a
/// valid DEM cell and its frequency must lie in the model's validity. Throws InputError naming the
/// sector's file and line.
void validateSectors(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt);

/// Computes coverage for every technology present in @p sectors. OpenMP over sectors; each
/// sector's window is merged into per-technology accumulators with order-independent operations
/// (max with the lower index on ties, top-k multiset, integer power sums), so the output is
/// bit-identical at any thread count. Memory: the accumulators (one raster set per technology)
/// plus one window per sector in flight, never a raster per sector.
CoverageResult computeCoverage(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt);

/// One server's share of a composed layer (planners' "coverage by transmitter"): where it is the
/// best server, where that is also at or above the layer's threshold, and its signal and SINR
/// there. A cell that reaches much farther than its neighbours (overshooting) shows in
/// max_covered_distance_m.
struct ServerStats {
    int sector = -1;                  ///< row in the site table
    long long best_pixels = 0;        ///< pixels where it is the best server
    long long covered_pixels = 0;     ///< of those, signal >= threshold
    double mean_signal_dBm = 0.0;     ///< mean of the dBm values over its covered pixels (NaN if none)
    double mean_sinr_dB = 0.0;        ///< mean SINR over its covered pixels (NaN if none)
    double max_covered_distance_m = 0.0;  ///< farthest covered pixel centre from the sector's position
};

namespace detail {
/// The composition sums co-channel power as integers of 1e-15 mW (-150 dBm), so that the sum does
/// not depend on the order the sectors finish in: round(10^((dBm + 150) / 10)), capped at 2^62.
int64_t powerUnits(double dBm);
/// powerUnits(signal_dBm[i] + offset_dB) for i < n, 0 where the signal is NaN, in SIMD lanes:
/// the same integers (what the merge of each window runs).
void powerUnitsRow(const float* signal_dBm, int n, double offset_dB, int64_t* units);
}  // namespace detail

/// Thermal noise over a channel of @p bandwidth_MHz with a receiver noise figure @p nf_dB:
/// -174 dBm/Hz (kT at 290 K) + 10 log10(B / Hz) + NF.
double noise_dBm(double bandwidth_MHz, double nf_dB);

/// Downlink throughput estimate at @p sinr_dB over @p bandwidth_MHz: the attenuated Shannon bound
/// of 3GPP TR 36.942 Annex A.2, 0.6 log2(1 + SINR) bit/s/Hz, 0 below -10 dB, capped at 4.4 bit/s/Hz
/// for 4G (A.2's maximum) and 7.4 for 5G (NR's highest MCS, 256-QAM at rate 948/1024: 7.4063
/// bit/s/Hz, 3GPP TS 38.214 Table 5.1.3.1-2). Mbit/s.
double throughput_Mbps(Technology t, double sinr_dB, double bandwidth_MHz);

/// ServerStats of every sector of @p layer (layer.sectors order), from its rasters (before
/// CoverageOptions::on_layer drops them). Sums run in pixel order: the same at any thread count.
std::vector<ServerStats> serverStatistics(const TechnologyCoverage& layer, const std::vector<Sector>& sectors);

/// Location variability (shadow fading). The signal a model predicts is the median over the
/// locations of a small area; the local value varies about it, normally distributed in dB with
/// standard deviation sigma_dB [ITU-R P.1546-6 Annex 5 §12: E(q) = E(median) + Q_i(q/100)
/// sigma_L; the location term of ITU-R P.1812-6 eqs. (64)-(68), which models/p1812.cpp applies]. The probability that a location receives at
/// least @p threshold_dBm when the median is @p signal_dBm: 100 Phi((S - T) / sigma), in percent.
double locationProbability_pct(double signal_dBm, double threshold_dBm, double sigma_dB);

/// The margin above the threshold that the median signal needs for @p probability_pct of
/// locations to reach it: sigma Q_i(1 - p/100) (Q_i: inverse complementary normal; 10.25 dB for
/// sigma 8 dB and 90 %).
double shadowingMargin_dB(double sigma_dB, double probability_pct);

/// A layer's coverage under location variability.
struct LocationCoverage {
    Grid<float> probability_pct;  ///< per pixel: P(best-server signal >= threshold), %; 0 where no sector reaches, NaN off the DEM
    double sigma_dB = 0.0;
    double target_pct = 0.0;
    double margin_dB = 0.0;           ///< shadowingMargin_dB(sigma, target)
    long long covered_pixels = 0;     ///< pixels whose probability reaches target_pct
    long long valid_pixels = 0;       ///< the DEM's valid pixels
    double mean_probability_pct = 0.0;  ///< over the DEM's valid pixels: the expected covered share of the area
};

/// LocationCoverage of @p layer (best server's signal only, no macro-diversity between servers)
/// on the DEM's valid pixels. Sums run in pixel order: the same at any thread count.
LocationCoverage locationCoverage(const TechnologyCoverage& layer, const DemGrid& dem, double sigma_dB, double target_pct);

}  // namespace phusong::engine
