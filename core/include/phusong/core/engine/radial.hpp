#pragma once
/// @file radial.hpp
/// The radial-sweep propagation engine: one terrain profile per radial, shared by every pixel
/// along it.
///
/// Each sector's window (a disc of the computation radius) is covered by radials from the
/// sector's pixel to every cell on the border of the enclosing square, stepping one pixel along
/// the major axis (the "R2" sweep of Franklin & Ray, "Higher isn't necessarily better: visibility
/// algorithms and experiments", 1994). Every pixel of the window is owned by exactly one radial,
/// the one passing closest to its centre, so the sweep fills the window without gaps at any
/// radius and evaluates each pixel once.
///
/// Along a radial the engine keeps, as the receiver moves outward:
/// - the transmitter horizon (running maximum of the elevation slope),
/// - the upper convex hull of the intermediate terrain in the frame where rays are straight
///   (heights reduced by d^2 / 2a_e), from which the receiver's horizon is a tangent found by
///   binary search [Andrew's monotone chain],
/// so Bullington's construction [ITU-R P.526-15 §4.5.1, eqs. (47)-(52)] costs O(log hull) per
/// pixel, not O(profile). Models without an incremental form here (Deygout, whose secondary edges
/// need the whole sub-profile; ITM; P.1812; delta-Bullington) are evaluated on the radial's profile
/// prefix, which the sweep already holds: no profile is re-extracted per pixel.

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "phusong/core/big_buffer.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/core/models/model.hpp"
#include "phusong/core/sector.hpp"

namespace phusong::engine {

/// Offsets from the centre pixel, inclusive: the part of the window a RadialPlan covers (all of it
/// by default).
struct RadialPlanClip {
    int dx0 = std::numeric_limits<int>::min(), dy0 = std::numeric_limits<int>::min();
    int dx1 = std::numeric_limits<int>::max(), dy1 = std::numeric_limits<int>::max();
};

/// Radials and pixel ownership for windows of one size and pixel shape; shared by all sectors.
class RadialPlan {
public:
    using Clip = RadialPlanClip;
    /// @p oversample rays per border cell: 2 puts every pixel within a quarter pixel of its ray.
    /// @p threads share the pixels' ownership; the plan is the same at any count. With @p clip
    /// (a rectangle holding the centre: the DEM around one observer), only its pixels get owners
    /// and owned steps, each the one it has in the whole plan; the rays are the same.
    RadialPlan(int radius_px, double pixel_width_m, double pixel_height_m, int oversample = 2, int threads = 1, Clip clip = {});
    RadialPlan(const RadialPlan&) = delete;  // the rays' spans point into this plan's storage
    RadialPlan& operator=(const RadialPlan&) = delete;

    struct Ray {
        double end_dx = 0, end_dy = 0;  ///< border point, offset from the centre pixel, pixels
        bool x_major = true;
        double step_m = 0.0;         ///< spacing of samples along the ray
        double minor_per_step = 0.0; ///< minor-axis pixels per major-axis step
        std::span<const int> owned;  ///< steps (1..radius_px) whose pixel this ray owns, ascending, within the disc (in the plan's storage)
    };
    int radius_px() const { return m_radius; }
    int oversample() const { return m_oversample; }
    const std::vector<Ray>& rays() const { return m_rays; }
    /// Offset (dx, dy) of step k along @p ray, and the fractional minor-axis coordinate.
    static void stepOffset(const Ray& ray, int k, int& dx, int& dy, double& minor_exact);
    /// The ray that owns the pixel at offset (dx, dy) from the centre, -1 for the centre itself and
    /// pixels no ray owns (beyond the disc or the clip).
    int ownerOf(int dx, int dy) const {
        if (dx < m_clip.dx0 || dy < m_clip.dy0 || dx > m_clip.dx1 || dy > m_clip.dy1) return -1;
        return m_owner[static_cast<size_t>(dy - m_clip.dy0) * static_cast<size_t>(m_clip.dx1 - m_clip.dx0 + 1) +
                       static_cast<size_t>(dx - m_clip.dx0)];
    }

private:
    int m_radius;
    int m_oversample;
    Clip m_clip;  // within [-n, n] on both axes
    std::vector<Ray> m_rays;
    BigVector<int> m_owner;  // the clip's pixels, row-major from (dx0, dy0); raster-sized, on huge pages
    BigVector<int> m_owned;  // every ray's owned steps, ray after ray (Ray::owned)
};

/// The plans of one window size and pixel shape, built on first use for each ray density.
/// Thread-safe; shared by every sector of a run.
class RadialPlans {
public:
    /// @p threads build each plan (see RadialPlan).
    RadialPlans(int radius_px, double pixel_width_m, double pixel_height_m, int threads = 1);
    ~RadialPlans();
    RadialPlans(const RadialPlans&) = delete;
    RadialPlans& operator=(const RadialPlans&) = delete;
    int radius_px() const { return m_radius; }
    const RadialPlan& get(int oversample);

private:
    int m_radius;
    double m_pw, m_ph;
    int m_threads;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// The radius in pixels of the sweep windows for @p radius_m over @p dem: radius_m over the
/// smaller pixel side, rounded up, but no more than the DEM's diagonal in those pixels. From a
/// site on the DEM that window already reaches every pixel, and a larger one would only cost time
/// and memory (a 1,000 km radius over a 10 km DEM); the disc is still cut at radius_m.
int windowRadius_px(const DemGrid& dem, double radius_m);

/// Rays per border cell for @p kind on pixels of @p pixel_m. A pixel's ray passes up to
/// pixel / (2 x this) beside its centre, and the terrain models feel that: on steep SRTM slopes a
/// quarter-pixel shift moves ITM's horizons and Deygout's edges by several dB. Bullington gets
/// pixel / 15 m (at least 3: 3 at 30 m, 4 at 60 m, 6 at 90 m); ITM, Deygout and the models evaluated on the
/// whole profile (whose cost per pixel dwarfs the walk) twice that; models that use the terrain
/// for line of sight only, or not at all, 2.
int raysPerBorderCell(models::ModelKind kind, double pixel_m);

/// One sector's result over its window: the square of side 2 radius_px + 1 around its pixel,
/// clipped to the grid. NaN outside the disc, outside the DEM or where the sweep did not reach.
struct SectorWindow {
    int center_col = 0, center_row = 0;  ///< the sector's pixel
    int col0 = 0, row0 = 0, width = 0, height = 0;
    BigVector<float> loss_dB;    ///< path loss including terminal and clutter losses
    BigVector<float> signal_dBm; ///< EIRP - reference offset - antenna attenuation - loss
    /// Direction of each pixel from the transmitter antenna (0 where the loss is NaN): bearing
    /// clockwise from grid north, elevation above the horizon to the receiver antenna. Shared by
    /// the sectors of one site, antenna height and carrier; applyAntenna() reads them.
    BigVector<float> bearing_deg, elevation_deg;
};

/// The widest instruction set the sweep's vectorised pass uses on this CPU: "avx512f", "avx2" or
/// "baseline" (x86-64's SSE2). Every level gives the same bits; the environment variable
/// PHUSONG_SIMD=avx2 or =baseline caps it (tests compare the levels).
std::string simdLevel();

/// The pixel holding @p site (may lie off the grid).
void sitePixel(const GeoTransform& gt, PointXY site, int& col, int& row);

/// Places @p out around @p site's pixel (clipped to the grid) and fills it with NaN. Returns
/// false when nothing of it lies on the grid.
bool placeWindow(const DemGrid& dem, PointXY site, int radius_px, SectorWindow& out);

/// Stores pixel (@p px, @p py)'s path loss, plus the receiver clutter loss from @p clutter_dB
/// when given, and its direction from the transmitter: bearing from (@p dx_m, @p dy_m) (grid
/// east and north of the transmitter point), elevation from @p hts_m to @p hrs_m (antennas, m
/// above sea level) over the horizontal distance @p dist_m = hypot(dx_m, dy_m), which the
/// caller has.
void storePixel(int px, int py, double dx_m, double dy_m, double dist_m, double hts_m, double hrs_m, double loss_dB,
                const Grid<float>* clutter_dB, SectorWindow& out);

/// The received signal of sector @p s over @p win's path loss and directions: EIRP - reference
/// offset - antenna attenuation - loss (NaN where the loss is). Sectors that share a site,
/// antenna height and carrier (pathLossGroups()) share one window and differ only here.
/// @p threads: for a window handled alone (each pixel on its own: the same bits at any count).
void applyAntenna(const Sector& s, SectorWindow& win, int threads = 1);

/// For each sector, the ordinal of its path-loss class, numbered in order of each class's first
/// sector. Sectors of one class have the same path loss to every pixel: same position, antenna
/// height and carrier frequency (the sweep reads nothing else of a sector). Coverage sweeps each
/// class once; scale-out splits the sectors by class so that no path loss is swept twice.
std::vector<int> pathLossGroups(const std::vector<Sector>& sectors);

/// Per warning bit (0-31), how many path-loss evaluations raised it; index 32: how many
/// evaluations there were. Sums, so the same at any thread count.
using WarningCounts = std::array<std::atomic<long long>, 33>;
/// One thread's counts in the same layout, added to a WarningCounts once its work is done.
using WarningTally = std::array<long long, 33>;

/// Counts one path-loss evaluation in @p tally, and each warning bit of @p w it raised.
inline void tallyWarnings(WarningTally& tally, uint32_t w) {
    ++tally[32];
    for (; w != 0; w &= w - 1) ++tally[static_cast<size_t>(std::countr_zero(w))];
}

/// Adds @p tally to @p counts.
inline void addTally(WarningCounts& counts, const WarningTally& tally) {
    for (size_t b = 0; b < tally.size(); ++b) {
        if (tally[b] != 0) counts[b] += tally[b];
    }
}

/// One sweep's walk kept for the sectors on other carriers at the same site and antenna height.
/// Bullington's knife-edge parameter is v = H sqrt(0.002 D / (lambda d1 d2)) [P.526-15 eq. (26)]
/// on the tangent point (eq. (49)) or on the clear path's highest point (eq. (47)): the geometry
/// (H, d1, d2, which point) does not depend on the wavelength, so v at f is v at f_ref times
/// sqrt(f / f_ref) and the rays are walked once for every carrier. Free space keeps no v (-inf).
///
/// Kept in runs over the window in raster order: NaN (no value: beyond the radius, voids), -inf
/// (no diffraction loss at any carrier of the class: v <= -0.78 at the lowest carrier stays so at
/// the others, J(v) = 0 [P.526-15 eq. (31)]) and stored floats; a window is mostly the first two.
struct SharedWalk {
    bool filled = false;
    size_t pixels = 0;              ///< window pixels
    std::vector<uint32_t> runs;     ///< kind (top 2 bits: 0 NaN, 1 -inf, 2 values) and length
    std::vector<float> values;      ///< the stored runs' v at walk_ref_MHz, in order
    std::vector<size_t> direct;     ///< window pixels the sweep evaluated itself (the site's): per carrier
    long long evaluations = 0;      ///< pixels with a v, for the warning tally
    size_t bytes() const { return runs.size() * sizeof(uint32_t) + values.size() * sizeof(float) + direct.size() * sizeof(size_t); }
    /// Keeps @p n values of @p v (each already a float, -inf for no loss, NaN for none).
    void keep(const double* v, size_t n);
    /// Writes the kept values back into @p v (pixels of them).
    void restore(double* v) const;
};

struct SweepOptions {
    models::ModelParams model;
    double radius_m = 20000.0;
    double rx_height_m = 1.5;
    const Grid<float>* clutter_loss_dB = nullptr;  ///< receiver clutter per pixel, DEM geometry; null = none
    /// Threads for this one sector's rays (blocks of rays; the result does not depend on it). For
    /// runs with fewer sectors than threads; inside a parallel region it runs on one.
    int threads = 1;
    /// Called on the calling thread with the share of this sweep's rays done (0..1), when set.
    std::function<void(double)> progress;
    /// When set, only these DEM pixels (row * width + col) need values: the sweep walks only the
    /// rays that own them (for ITM, whose delta_h reuse spans neighbouring rays, the blocks of rays
    /// holding them) and evaluates the model only there. Each value is bit-identical to the full
    /// sweep's; the rest of the window may stay NaN. For a planner that reads a few points (the
    /// villages) of each candidate tower's window.
    const std::vector<size_t>* only_pixels = nullptr;
    /// When set, the sweep adds its evaluations and the warnings they raised here.
    WarningCounts* warning_counts = nullptr;
    /// Co-sited sectors on other carriers (walkShareClasses()): when > 0, Bullington's v is found
    /// at this frequency (the class's lowest carrier), rounded to float, and scaled to the
    /// sector's carrier by sqrt(f / walk_ref_MHz) (see SharedWalk). Ignored by other models and
    /// with only_pixels.
    double walk_ref_MHz = 0.0;
    /// With walk_ref_MHz: a filled walk of this class to start from instead of walking the rays,
    /// or an empty one that the sweep fills with its walk for the class's other carriers.
    const SharedWalk* walk_in = nullptr;
    SharedWalk* walk_out = nullptr;
};

/// Walks kept beyond one coverage run, for a later run over the same DEM grid with sectors at the
/// same sites and antenna heights: `phusong run` hands its network's walks to the coverage of the
/// plan's towers. Keyed by everything a walk reads (the DEM's content and grid, the site, antenna
/// and receiver heights, radius, model and k-factor); each entry keeps the carrier its v is at.
/// Thread-safe; holds at most its budget.
class WalkStore {
public:
    using Key = std::array<uint64_t, 14>;
    struct Entry {
        std::shared_ptr<const SharedWalk> walk;
        double f_ref_MHz = 0.0;
    };
    explicit WalkStore(double budget_MB) : m_budget(static_cast<size_t>(budget_MB > 0.0 ? budget_MB * 1048576.0 : 0.0)) {}
    std::optional<Entry> find(const Key& k) const {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_walks.find(k);
        return it == m_walks.end() ? std::nullopt : std::optional<Entry>(it->second);
    }
    /// Keeps @p e under @p k unless the key is taken or the budget would be passed.
    void put(const Key& k, Entry e) {
        std::lock_guard<std::mutex> lock(m_mutex);
        const size_t b = e.walk->bytes();
        if (m_walks.count(k) || m_bytes + b > m_budget) return;
        m_bytes += b;
        m_walks.emplace(k, std::move(e));
    }
    size_t size() const {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_walks.size();
    }

private:
    mutable std::mutex m_mutex;
    std::map<Key, Entry> m_walks;
    size_t m_bytes = 0, m_budget;
};

/// Whether sectors on @p model at @p f_MHz can share their walk with co-sited sectors on other
/// carriers (Bullington and free space on the radial engine, without terminal losses).
bool walkShareable(const models::ModelParams& model, double f_MHz);

/// For each sector, its walk-sharing class: sectors at one position and antenna height that
/// walkShareable() admits, numbered in order of each class's first sector (-1: not shareable).
/// @p ref_MHz gets each class's lowest carrier, 0 for a class whose sectors all share one
/// technology and carrier (one path-loss class: nothing to share).
std::vector<int> walkShareClasses(const std::vector<Sector>& sectors, const models::ModelParams& model,
                                  std::vector<double>& ref_MHz);

/// Scratch reused between sectors by one thread.
struct SweepScratch;
std::unique_ptr<SweepScratch, void (*)(SweepScratch*)> makeSweepScratch();

/// Sweeps one sector. @p plans must have been built for ceil(radius / pixel) pixels and the DEM's
/// pixel size. Thread-safe for distinct @p out and @p scratch.
///
/// The transmitter stands at the centre of the DEM pixel that holds the site (as gdal_viewshed
/// places its observer): profiles, distances and antenna angles are taken from there, so every
/// radial is a straight line through DEM samples. The reference engine does the same.
/// Equivalent to sweepLoss() then applyAntenna().
void sweepSector(const DemGrid& dem, const Sector& s, const SweepOptions& opt, RadialPlans& plans, SectorWindow& out,
                 SweepScratch& scratch, uint32_t* warnings);

/// The path-loss half of sweepSector(): fills @p out's window, loss and directions, and leaves
/// signal_dBm to applyAntenna().
void sweepLoss(const DemGrid& dem, const Sector& s, const SweepOptions& opt, RadialPlans& plans, SectorWindow& out,
               SweepScratch& scratch, uint32_t* warnings);

/// The point the engines put a site's transmitter at: the centre of the DEM pixel holding @p site.
PointXY transmitterPoint(const GeoTransform& gt, PointXY site);

/// Line of sight from @p tx_height_m above the ground of @p site's pixel (at its centre, as in the
/// coverage sweep) to a receiver @p rx_height_m
/// above every pixel within @p radius_m, over an earth of radius k_factor * a: the receiver is
/// visible when it is on or above the transmitter's horizon ray, the running maximum of the
/// elevation slope along the radial (the same sweep and terrain sampling as the coverage engine).
/// Returns 1 visible, 0 hidden, 255 (the grid's nodata) outside the disc or the DEM.
/// @p threads (0: all) share the rays; every pixel belongs to one ray, so the result is the same.
Grid<uint8_t> viewshed(const DemGrid& dem, PointXY site, double tx_height_m, double rx_height_m, double radius_m,
                       double k_factor, int threads = 1);

/// Whether @p kind has an incremental (O(log n) per pixel) form in the sweep.
bool hasIncrementalForm(models::ModelKind kind);

}  // namespace phusong::engine
