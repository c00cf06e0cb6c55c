#include "phusong/core/engine/coverage.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <type_traits>
#include <utility>

#include "phusong/core/error.hpp"
#include "phusong/core/fast_math.hpp"
#include "phusong/core/models/inverse_normal.hpp"
#include "phusong/core/parallel.hpp"
#include "simd_dispatch.hpp"

namespace phusong::engine {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int kTopK = kOverlapCountMax;  // signals kept per pixel for the overlap count
static_assert(kOverlapCountMax < 255, "the overlap raster is Byte, 255 its nodata");
constexpr int kStripeRows = 16;   // rows per merge lock
// Interference is summed as integers of 1e-15 mW (-150 dBm) so that the sum does not depend on
// the order sectors finish in; -150 dBm is 30+ dB under the noise of any channel we model.
constexpr double kPowerUnitExp_dB = -150.0;

}  // namespace

namespace detail {
// 10^(x/10) = e^(x ln10 / 10): the engine's exp is plain arithmetic, so units stay deterministic.
// Rounded half up, which for x >= 0 is std::llround without its library call (x - trunc x is
// exact). Capped at 2^62 units (+36.6 dBm, received only beside an antenna) to stay defined.
int64_t powerUnits(double dBm) {
    const double x = fast::exp((dBm - kPowerUnitExp_dB) * 0.23025850929940458);
    if (!(x < 0x1p62)) return int64_t{1} << 62;
    const int64_t t = static_cast<int64_t>(x);
    return t + (x - static_cast<double>(t) >= 0.5 ? 1 : 0);
}
}  // namespace detail

namespace {
using detail::powerUnits;

// powerUnits() of a row of signals in SIMD lanes, 0 for NaN (no signal): the same units, bit for
// bit. The merge converts every pixel of every window; done one pixel at a time, with its table
// lookup and conversion to an integer, it cost a tenth of BM_Network (686 -> 590 ms with this pass
// and the merge's row spans). Here:
//  - x = e^(...) as powerUnits() computes it, its argument clamped to [-690, 690] (fast::exp's
//    domain; below, the units are 0 and above, capped, either way; NaN lanes take -690);
//  - x capped at 2^62 as there, then split as x = hi 2^32 + rest (exact: hi 2^32 and the integer
//    or dyadic rest are representable), each part below 2^52;
//  - hi = floor(x / 2^32) by the 2^52 trick (y + 2^52 - 2^52 rounds y to nearest; one less where
//    that went up), rest rounded to nearest by the same trick and up where it was a tie, which is
//    powerUnits()'s trunc plus one from a half; each to int64 by the bits of y + 2^52 (AVX2 has no
//    packed double-to-int64 conversion).
struct PowerRow {
    const float* signal_dBm = nullptr;
    double offset_dB = 0.0;  // added to each signal, as merge() does
    int n = 0;
    int64_t* units = nullptr;
};

[[gnu::always_inline]] inline void powerRowBody(const PowerRow& a) {
    constexpr double k2p52 = 0x1p52, k2p32 = 0x1p32;
    const int64_t k2p52_bits = std::bit_cast<int64_t>(k2p52);
    const float* __restrict src = a.signal_dBm;
    int64_t* __restrict out = a.units;
    for (int c = 0; c < a.n; ++c) {
        const float v = src[c];
        const bool ok = v == v;
        const double arg = ((ok ? static_cast<double>(v) : -1e4) + a.offset_dB - kPowerUnitExp_dB) * 0.23025850929940458;
        const double x0 = fast::exp(std::min(std::max(arg, -690.0), 690.0));
        const double x = x0 < 0x1p62 ? x0 : 0x1p62;
        double hi = (x * (1.0 / k2p32) + k2p52) - k2p52;
        hi -= hi > x * (1.0 / k2p32) ? 1.0 : 0.0;
        const double rest = x - hi * k2p32;
        const double lo = (rest + k2p52) - k2p52;  // nearest, ties to even: the +1 below makes them round up
        const int64_t hi_i = std::bit_cast<int64_t>(hi + k2p52) - k2p52_bits;
        const int64_t lo_i = std::bit_cast<int64_t>(lo + k2p52) - k2p52_bits;
        const int64_t u = (hi_i << 32) + lo_i + (rest - lo >= 0.5 ? 1 : 0);
        out[c] = ok ? u : 0;
    }
}
}  // namespace

void detail::powerUnitsRow(const float* signal_dBm, int n, double offset_dB, int64_t* units) {
    simd::byIsa<PowerRow, powerRowBody>({signal_dBm, offset_dB, n, units});
}

double noise_dBm(double bandwidth_MHz, double nf_dB) { return -174.0 + 10.0 * std::log10(bandwidth_MHz * 1e6) + nf_dB; }

namespace {
// throughput_Mbps() with its efficiency cap @p cap_bps_Hz, for a finite SINR: 10^(x/10) =
// e^(x ln10 / 10) and log2 y = ln y / ln 2 by fast_math.hpp's table methods (relative error
// < 1e-15), without a branch, so that finishLayer's pass runs it in SIMD lanes. The SINR is clamped
// to [-300, 300] dB for fast::exp's domain: below -10 dB the result is 0 anyway, and from 22 dB
// (4G) or 37 dB (5G) the cap holds. The select is a product with 1 or 0 (exact: the rate is finite
// and >= 0), as a table lookup inside one arm of a select would stop the vectorisation.
[[gnu::always_inline]] inline double throughputCapped_Mbps(double cap_bps_Hz, double sinr_dB, double bandwidth_MHz) {
    const double s = std::min(std::max(sinr_dB, -300.0), 300.0);
    const double eff = std::min(0.6 * fast::log(1.0 + fast::exp(s * 0.23025850929940458)) * 1.4426950408889634, cap_bps_Hz);
    return eff * bandwidth_MHz * (sinr_dB >= -10.0 ? 1.0 : 0.0);
}

double capOf(Technology t) { return t == Technology::G5 ? 7.4 : 4.4; }
}  // namespace

double throughput_Mbps(Technology t, double sinr_dB, double bandwidth_MHz) {
    if (!(sinr_dB >= -10.0)) return 0.0;  // NaN too
    return throughputCapped_Mbps(capOf(t), sinr_dB, bandwidth_MHz);
}

void validateSectors(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt) {
    if (!(opt.radius_m > 0.0)) throw InputError("--radius-km must be positive");
    if (!(opt.rx_height_m > 0.0)) throw InputError("--rx-height-m must be positive (metres above ground)");
    for (const Sector& s : sectors) {
        if (!hasGroundAt(dem, s.xy.x_m, s.xy.y_m)) {
            throw InputError(s.location + ": site '" + s.site_id + "' at lat " + std::to_string(s.position.lat_deg) +
                             ", lon " + std::to_string(s.position.lon_deg) +
                             " is outside the DEM; check lat/lon or use a DEM that covers it");
        }
        models::checkFrequency(opt.model, s.freq_MHz, s.location + ": field 'freq_mhz'");
    }
}

namespace {

// The slow reference: a full profile extracted per pixel of the sector's disc.
void referenceWindow(const DemGrid& dem, const Sector& s, const CoverageOptions& opt, int radius_px, double step_m,
                     Profile& profile, SectorWindow& out, uint32_t* warnings, WarningCounts* counts) {
    WarningTally local{};
    if (!placeWindow(dem, s.xy, radius_px, out)) return;
    const GeoTransform& gt = dem.geoTransform();
    const PointXY tx = transmitterPoint(gt, s.xy);  // the site's pixel centre, as the sweep
    const double r2 = opt.radius_m * opt.radius_m;
    const Grid<float>* clutter = opt.clutter_loss_for_freq ? opt.clutter_loss_for_freq(s.freq_MHz) : opt.clutter_loss_dB;
    for (int r = out.row0; r < out.row0 + out.height; ++r) {
        for (int c = out.col0; c < out.col0 + out.width; ++c) {
            if (std::isnan(dem.at(c, r))) continue;
            const PointXY rx{gt.centerX(c), gt.centerY(r)};
            const double dx = rx.x_m - tx.x_m, dy = rx.y_m - tx.y_m;
            const double d2 = dx * dx + dy * dy;
            if (d2 > r2) continue;
            // Samples where the path crosses the grid lines of its major axis, as the sweep's
            // rays do; an explicit profile step samples every step_m instead.
            if (opt.profile_step_m > 0.0) extractProfile(dem, tx, rx, step_m, profile);
            else extractProfileAtCrossings(dem, tx, rx, profile);
            const models::PathLoss pl =
                models::pathLossOverProfile(opt.model, profile, s.antenna_height_m, opt.rx_height_m, s.freq_MHz);
            // The pixel holding the site itself is shorter than a profile step; that is expected, not a warning.
            const uint32_t w = pl.warnings & ~models::kWarnShortPath;
            if (warnings) *warnings |= w;
            tallyWarnings(local, w);
            storePixel(c, r, dx, dy, std::sqrt(d2), profile.h_m.front() + s.antenna_height_m, profile.h_m.back() + opt.rx_height_m,
                       pl.loss_dB, clutter, out);
        }
    }
    if (counts) addTally(*counts, local);
}

// BigVector whose resize() leaves new elements of trivial types unwritten, so that a parallel
// fill is the first touch of their pages (fillParallel).
template <class T>
struct NoInitAllocator : BigBufferAllocator<T> {
    template <class U>
    struct rebind {
        using other = NoInitAllocator<U>;
    };
    NoInitAllocator() noexcept = default;
    template <class U>
    NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
template <class T>
using FillVector = std::vector<T, NoInitAllocator<T>>;

// @p p[0, n) set to @p value by @p threads threads in chunks of whole 2 MiB huge pages
// (big_buffer.hpp aligns buffers to them): two threads faulting in one huge page wait on each
// other, so a buffer of under 4 MiB is one chunk.
template <class T>
void fillChunks(T* p, size_t n, T value, int threads) {
    constexpr size_t kChunk = (size_t{4} << 20) / sizeof(T);
    const long long chunks = static_cast<long long>((n + kChunk - 1) / kChunk);
#pragma omp parallel for num_threads(threads) schedule(static) if (chunks > 1)
    for (long long c = 0; c < chunks; ++c) {
        const size_t b = static_cast<size_t>(c) * kChunk;
        std::fill(p + b, p + std::min(n, b + kChunk), value);
    }
}

// @p v as @p n copies of @p value, filled by @p threads threads in fixed chunks. A fresh buffer's
// pages are then faulted in (zeroed by the kernel) on every thread instead of one, and a buffer
// kept from the previous technology is reused without faults: under virtualisation the faults of
// the composition's ~750 MB per technology (a province of 4.3 Mpx, four views) took 1.7 s.
template <class T>
void fillParallel(FillVector<T>& v, size_t n, T value, int threads) {
    if (n > v.capacity()) {
        FillVector<T>().swap(v);
        v.reserve(n);
    }
    v.resize(n);
    fillChunks(v.data(), n, value, threads);
}

// A 64-bit fingerprint of the DEM's heights (their bits, voids included) and size, for WalkStore
// keys: FNV-1a over 32-bit words.
static uint64_t demFingerprint(const DemGrid& dem) {
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](uint64_t x) { h = (h ^ x) * 1099511628211ULL; };
    mix(static_cast<uint64_t>(dem.width()));
    mix(static_cast<uint64_t>(dem.height()));
    for (const float v : dem.data()) mix(std::bit_cast<uint32_t>(v));
    return h;
}

// Per-technology accumulators over the whole grid. The best and second-best signals are the
// first two entries of the per-pixel top-k list. Kept from one technology to the next (reset()).
struct Accumulators {
    int top_k = kTopK;      // signals kept per pixel: kTopK, or fewer when the view has fewer sectors
    FillVector<float> topk;  // top_k strongest signals per pixel, descending
    FillVector<int32_t> best_idx;
    std::vector<FillVector<int64_t>> power;  // per co-channel group; empty for groups the view does not use
    std::vector<omp_lock_t> locks;
    int width = 0;

    Accumulators(size_t pixels, int w, int h, const std::vector<bool>& used_groups, size_t sectors, int threads) {
        reset(pixels, w, h, used_groups, sectors, threads);
    }
    // @p used_groups: the co-channel groups this view's sectors use; only those get a power raster.
    // @p sectors: how many sectors the view has (a pixel never holds more signals than that).
    void reset(size_t pixels, int w, int h, const std::vector<bool>& used_groups, size_t sectors, int threads) {
        top_k = static_cast<int>(std::clamp<size_t>(sectors, 1, kTopK));
        width = w;
        fillParallel(topk, pixels * static_cast<size_t>(top_k), -std::numeric_limits<float>::infinity(), threads);
        fillParallel(best_idx, pixels, int32_t{-1}, threads);
        power.resize(used_groups.size());
        for (size_t g = 0; g < used_groups.size(); ++g) {
            if (used_groups[g]) fillParallel(power[g], pixels, int64_t{0}, threads);
            else power[g].clear();
        }
        for (auto& l : locks) omp_destroy_lock(&l);
        locks.resize(static_cast<size_t>((h + kStripeRows - 1) / kStripeRows));
        for (auto& l : locks) omp_init_lock(&l);
    }
    ~Accumulators() {
        for (auto& l : locks) omp_destroy_lock(&l);
    }
    Accumulators(const Accumulators&) = delete;
    Accumulators& operator=(const Accumulators&) = delete;
    float best(size_t p) const { return topk[p * static_cast<size_t>(top_k)]; }
    float second(size_t p) const { return top_k > 1 ? topk[p * static_cast<size_t>(top_k) + 1] : -std::numeric_limits<float>::infinity(); }

    // Order-independent merge of one sector's window (its rows [row_begin, row_end) of the grid;
    // all of them by default).
    void merge(const SectorWindow& win, int32_t si, int group, double total_offset_dB, int row_begin = -1, int row_end = -1) {
        FillVector<int64_t>& pw = power[static_cast<size_t>(group)];
        int locked = -1;
        if (row_begin < 0) row_begin = win.row0, row_end = win.row0 + win.height;
        std::vector<int64_t> units(static_cast<size_t>(win.width));
        for (int r = row_begin; r < row_end; ++r) {
            const int stripe = r / kStripeRows;
            if (stripe != locked) {
                if (locked >= 0) omp_unset_lock(&locks[static_cast<size_t>(locked)]);
                omp_set_lock(&locks[static_cast<size_t>(stripe)]);
                locked = stripe;
            }
            const float* src = win.signal_dBm.data() + static_cast<size_t>(r - win.row0) * win.width;
            // The row's span from its first to its last signal (the disc's chord of the square).
            int c0, c1;
            simd::valueSpan(src, win.width, c0, c1);
            if (c0 == c1) continue;
            detail::powerUnitsRow(src + c0, c1 - c0, total_offset_dB, units.data());
            {
                int64_t* __restrict dst = pw.data() + static_cast<size_t>(r) * width + win.col0 + c0;
                const int64_t* __restrict add = units.data();
                for (int c = 0; c < c1 - c0; ++c) dst[c] += add[c];  // 0 where there is no signal
            }
            for (int c = c0; c < c1; ++c) {
                const float v = src[c];
                if (std::isnan(v)) continue;
                const size_t p = static_cast<size_t>(r) * width + (win.col0 + c);
                float* top = topk.data() + p * static_cast<size_t>(top_k);
                // Below the k-th signal (so k signals are in, the best among them): nothing to do,
                // and the best server is not read (most pixels of a dense network).
                if (v < top[top_k - 1]) continue;
                if (best_idx[p] < 0 || v > top[0] || (v == top[0] && si < best_idx[p])) best_idx[p] = si;
                if (v > top[top_k - 1]) {
                    int k = top_k - 1;
                    while (k > 0 && top[k - 1] < v) {
                        top[k] = top[k - 1];
                        --k;
                    }
                    top[k] = v;
                }
            }
        }
        if (locked >= 0) omp_unset_lock(&locks[static_cast<size_t>(locked)]);
    }
};

// The rasters of a layer the caller has streamed (CoverageOptions::on_layer), kept for the next
// layer: a province's layer is ~90 MB of fresh pages otherwise, each zeroed by the kernel (6 % of
// bench_province's time).
struct SpareLayer {
    Grid<float> signal, second, sinr, throughput;
    Grid<int32_t> best;
    Grid<uint8_t> overlap;
};

// A w x h grid of @p fill: @p spare's buffer when it has that size (fillChunks), else a new grid.
template <class T>
Grid<T> reuseGrid(Grid<T>& spare, int w, int h, const GeoTransform& gt, T fill, T nodata, int threads) {
    const size_t n = static_cast<size_t>(w) * static_cast<size_t>(h);
    if (spare.data().size() != n || spare.width() != w || spare.height() != h) return Grid<T>(w, h, gt, fill, nodata);
    Grid<T> g = std::move(spare);
    spare = Grid<T>();
    g.setNodata(nodata);
    fillChunks(g.data().data(), n, fill, threads);
    return g;
}

constexpr size_t kSinrChunk = 1024;  // pixels per chunk of finishLayer(): its arrays stay in L1

// One chunk's inputs to the SINR: the best server's channel power (dBm) and the interference plus
// noise over its channel (mW), its bandwidth, and whether the pixel has a server.
struct SinrChunk {
    double total_dBm[kSinrChunk];
    double i_plus_n_mW[kSinrChunk];
    double bandwidth_MHz[kSinrChunk];
    double has[kSinrChunk];  // 1 or 0 (not a byte: a byte array may alias the rasters, which stops vectorisation)
};

struct SinrPass {
    const SinrChunk* chunk = nullptr;
    size_t n = 0;
    double cap_bps_Hz = 0.0;
    float* sinr_dB = nullptr;          // the chunk's pixels of the layer's raster
    float* throughput_Mbps = nullptr;  // null for 2G and 3G
};

// SINR = S - 10 log10(I + N) [dB] and the throughput estimate, for every pixel of a chunk; NaN
// where there is no server, as the rasters are filled.
[[gnu::always_inline]] inline void sinrPassBody(const SinrPass& a) {
    const SinrChunk& c = *a.chunk;
    const size_t n = a.n;
    const double cap = a.cap_bps_Hz;
    float* __restrict sinr_out = a.sinr_dB;
    float* __restrict thr_out = a.throughput_Mbps;
    // Pixels without a server get NaN by adding it (x + 0 = x exactly: neither value is -0), not
    // by a select, for the same reason as in throughputCapped_Mbps().
    constexpr double kNaNd = std::numeric_limits<double>::quiet_NaN();
    if (!thr_out) {
        for (size_t j = 0; j < n; ++j) {
            const double sinr = c.total_dBm[j] - 10.0 * fast::log10(c.i_plus_n_mW[j]);
            sinr_out[j] = static_cast<float>(sinr + (c.has[j] != 0.0 ? 0.0 : kNaNd));
        }
        return;
    }
    for (size_t j = 0; j < n; ++j) {
        const double sinr = c.total_dBm[j] - 10.0 * fast::log10(c.i_plus_n_mW[j]);
        const double thr = throughputCapped_Mbps(cap, sinr, c.bandwidth_MHz[j]);
        const double none = c.has[j] != 0.0 ? 0.0 : kNaNd;
        sinr_out[j] = static_cast<float>(sinr + none);
        thr_out[j] = static_cast<float>(thr + none);
    }
}

// Turns a view's accumulators into its rasters: best and second signal, best server, overlap,
// SINR against the best server's co-channel group, throughput. The rasters reuse @p spare's.
void finishLayer(const Accumulators& acc, const DemGrid& dem, const std::vector<Sector>& sectors,
                 const std::vector<int>& group_of_sector, const CoverageOptions& opt, int threads, SpareLayer& spare,
                 TechnologyCoverage& layer) {
    const GeoTransform& gt = dem.geoTransform();
    const int w = dem.width(), h = dem.height();
    const size_t pixels = static_cast<size_t>(w) * h;
    const Technology t = layer.tech;
    const bool has_throughput = t == Technology::G4 || t == Technology::G5;
    layer.signal_dBm = reuseGrid(spare.signal, w, h, gt, kNaN, kNaN, threads);
    layer.second_dBm = reuseGrid(spare.second, w, h, gt, kNaN, kNaN, threads);
    layer.sinr_dB = reuseGrid(spare.sinr, w, h, gt, kNaN, kNaN, threads);
    layer.best_server = reuseGrid(spare.best, w, h, gt, int32_t{-1}, int32_t{-1}, threads);
    layer.overlap = reuseGrid(spare.overlap, w, h, gt, uint8_t{0}, uint8_t{255}, threads);  // a count of 0..kOverlapCountMax
    if (has_throughput) layer.throughput_Mbps = reuseGrid(spare.throughput, w, h, gt, kNaN, kNaN, threads);
    // What the loop reads of each sector, in small arrays (a Sector is hundreds of bytes).
    std::vector<double> noise_mW(sectors.size(), 0.0), offset_dB(sectors.size(), 0.0), bandwidth_MHz(sectors.size(), 0.0);
    for (int si : layer.sectors) {
        const Sector& s = sectors[static_cast<size_t>(si)];
        const size_t i = static_cast<size_t>(si);
        bandwidth_MHz[i] = s.bandwidth_MHz > 0.0 ? s.bandwidth_MHz : defaultBandwidth_MHz(t);
        noise_mW[i] = std::pow(10.0, noise_dBm(bandwidth_MHz[i], opt.noise_figure_dB) / 10.0);
        offset_dB[i] = s.reference_offset_dB;
    }
    const double cap = capOf(t);
    // Chunks of pixels: first the bookkeeping per pixel (best server, second, overlap, and the
    // interference in power units), then the SINR and throughput of the whole chunk in one pass
    // without branches (SinrPass), which vectorises.
    const long long n_chunks = static_cast<long long>((pixels + kSinrChunk - 1) / kSinrChunk);
    long long covered = 0;
#pragma omp parallel num_threads(threads) reduction(+ : covered)
    {
        SinrChunk chunk;
#pragma omp for schedule(static)
        for (long long ci = 0; ci < n_chunks; ++ci) {
            const size_t p0 = static_cast<size_t>(ci) * kSinrChunk, n = std::min(kSinrChunk, pixels - p0);
            for (size_t j = 0; j < n; ++j) {
                const size_t p = p0 + j;
                const int32_t bi = acc.best_idx[p];
                if (bi < 0) {
                    chunk.total_dBm[j] = 0.0, chunk.i_plus_n_mW[j] = 1.0, chunk.bandwidth_MHz[j] = 0.0, chunk.has[j] = 0.0;
                    continue;
                }
                const float best = acc.best(p);
                layer.signal_dBm.data()[p] = best;
                layer.best_server.data()[p] = bi;
                if (std::isfinite(acc.second(p))) layer.second_dBm.data()[p] = acc.second(p);
                if (best >= layer.threshold_dBm) {
                    ++covered;
                    const float floor_dBm = std::max(static_cast<float>(best - opt.overlap_margin_dB), static_cast<float>(layer.threshold_dBm));
                    int count = 0;
                    for (int k = 0; k < acc.top_k; ++k) count += acc.topk[p * static_cast<size_t>(acc.top_k) + k] >= floor_dBm ? 1 : 0;
                    layer.overlap.data()[p] = static_cast<uint8_t>(count);
                }
                const size_t b = static_cast<size_t>(bi);
                const double total_dBm = best + offset_dB[b];
                const int64_t own = powerUnits(total_dBm);
                const int64_t others = std::max<int64_t>(0, acc.power[static_cast<size_t>(group_of_sector[b])][p] - own);
                const double i_mW = static_cast<double>(others) * std::pow(10.0, kPowerUnitExp_dB / 10.0);
                chunk.total_dBm[j] = total_dBm;
                chunk.i_plus_n_mW[j] = i_mW + noise_mW[b];
                chunk.bandwidth_MHz[j] = bandwidth_MHz[b];
                chunk.has[j] = 1.0;
            }
            simd::byIsa<SinrPass, sinrPassBody>({.chunk = &chunk,
                                                 .n = n,
                                                 .cap_bps_Hz = cap,
                                                 .sinr_dB = layer.sinr_dB.data().data() + p0,
                                                 .throughput_Mbps = has_throughput ? layer.throughput_Mbps.data().data() + p0 : nullptr});
        }
    }
    layer.covered_pixels = covered;
}

}  // namespace

CoverageResult computeCoverage(const DemGrid& dem, const std::vector<Sector>& sectors, const CoverageOptions& opt) {
    validateSectors(dem, sectors, opt);
    const GeoTransform& gt = dem.geoTransform();
    const int w = dem.width(), h = dem.height();
    const size_t pixels = static_cast<size_t>(w) * h;
    const double step_m = opt.profile_step_m > 0.0 ? opt.profile_step_m : std::min(gt.pixel_width_m, gt.pixel_height_m);
    const double pixel_km2 = gt.pixel_width_m * gt.pixel_height_m / 1e6;
    const int radius_px = windowRadius_px(dem, opt.radius_m);
    const int threads = resolveThreads(opt.threads);
    RadialPlans plans(radius_px, gt.pixel_width_m, gt.pixel_height_m, threads);
    SweepOptions sw;
    sw.model = opt.model;
    sw.radius_m = opt.radius_m;
    sw.rx_height_m = opt.rx_height_m;
    sw.clutter_loss_dB = opt.clutter_loss_dB;
    WarningCounts warning_counts{};
    sw.warning_counts = &warning_counts;

    CoverageResult result;
    result.threads_used = threads;
    uint32_t warnings = 0;
    std::atomic<long long> done{0};
    long long total = 0;
    for (size_t i = 0; i < sectors.size(); ++i) total += !opt.compute_sector || opt.compute_sector(static_cast<int>(i)) ? 1 : 0;
    total = std::max(total, 1LL);
    if (opt.compute_sector && opt.on_sector) throw Error("per-sector windows (--pathloss) are not available when sectors are split over processes");

    for (const float v : dem.data()) result.valid_pixels += std::isnan(v) ? 0 : 1;
    result.valid_area_km2 = result.valid_pixels * pixel_km2;

    const std::vector<int> loss_group = pathLossGroups(sectors);
    // Walks shared by the co-sited sectors of other carriers and technologies (SharedWalk), kept
    // until the last technology that uses them, within walk_cache_MB.
    std::vector<double> walk_ref_MHz;
    const std::vector<int> walk_class = opt.engine == EngineKind::Radial ? walkShareClasses(sectors, opt.model, walk_ref_MHz)
                                                                         : std::vector<int>(sectors.size(), -1);
    auto techPosition = [](Technology t) {
        return static_cast<int>(std::find(kAllTechnologies.begin(), kAllTechnologies.end(), t) - kAllTechnologies.begin());
    };
    std::vector<int> walk_last_tech(walk_ref_MHz.size(), -1);
    for (size_t i = 0; i < sectors.size(); ++i) {
        const int c = walk_class[i];
        if (c >= 0) walk_last_tech[static_cast<size_t>(c)] = std::max(walk_last_tech[static_cast<size_t>(c)], techPosition(sectors[i].tech));
    }
    // A class's first sweep walks; the class's other sweeps wait for it (on other threads) and
    // take its walk, so each class walks once whatever the thread count (within the budget).
    struct {
        std::mutex mutex;
        std::condition_variable done;
        std::map<int, std::shared_ptr<const SharedWalk>> walks;
        std::set<int> walking;  // classes a thread is walking now
        size_t bytes = 0;
    } kept;
    const size_t kept_budget = static_cast<size_t>(std::max(0.0, opt.walk_cache_MB) * 1048576.0);
    // Walks of an earlier run over the same grid (opt.walk_store): taken for the classes whose
    // carriers are all at or above the kept one's (v scales up from it), and not counted here.
    std::vector<WalkStore::Key> walk_key(walk_ref_MHz.size());
    std::vector<bool> from_store(walk_ref_MHz.size(), false);
    if (opt.walk_store && !walk_ref_MHz.empty()) {
        const uint64_t fp = demFingerprint(dem);
        std::vector<double> lowest(walk_ref_MHz.size(), std::numeric_limits<double>::infinity());
        std::vector<int> first(walk_ref_MHz.size(), -1);
        for (size_t i = 0; i < sectors.size(); ++i) {
            const int c = walk_class[i];
            if (c < 0) continue;
            lowest[static_cast<size_t>(c)] = std::min(lowest[static_cast<size_t>(c)], sectors[i].freq_MHz);
            if (first[static_cast<size_t>(c)] < 0) first[static_cast<size_t>(c)] = static_cast<int>(i);
        }
        for (size_t c = 0; c < walk_ref_MHz.size(); ++c) {
            const Sector& s = sectors[static_cast<size_t>(first[c])];
            const models::ModelKind kind = models::kindAt(opt.model.kind, s.freq_MHz);
            const GeoTransform& g = dem.geoTransform();
            walk_key[c] = {fp,
                           std::bit_cast<uint64_t>(s.xy.x_m),
                           std::bit_cast<uint64_t>(s.xy.y_m),
                           std::bit_cast<uint64_t>(s.antenna_height_m),
                           static_cast<uint64_t>(kind),
                           std::bit_cast<uint64_t>(opt.model.k_factor),
                           std::bit_cast<uint64_t>(opt.rx_height_m),
                           std::bit_cast<uint64_t>(opt.radius_m),
                           std::bit_cast<uint64_t>(g.origin_x_m),
                           std::bit_cast<uint64_t>(g.origin_y_m),
                           std::bit_cast<uint64_t>(g.pixel_width_m),
                           std::bit_cast<uint64_t>(g.pixel_height_m),
                           static_cast<uint64_t>(dem.width()),
                           static_cast<uint64_t>(dem.height())};
            if (const auto e = opt.walk_store->find(walk_key[c]); e && e->f_ref_MHz <= lowest[c]) {
                walk_ref_MHz[c] = e->f_ref_MHz;
                kept.walks.emplace(static_cast<int>(c), e->walk);
                from_store[c] = true;
            }
        }
    }
    std::atomic<long long> walks{0}, walks_reused{0};
    std::vector<std::unique_ptr<Accumulators>> acc;  // one per view, kept across technologies
    SpareLayer spare;  // the last streamed layer's rasters
    for (Technology t : kAllTechnologies) {
        std::vector<int> tech_sectors;
        for (size_t i = 0; i < sectors.size(); ++i) {
            if (sectors[i].tech == t) tech_sectors.push_back(static_cast<int>(i));
        }
        if (tech_sectors.empty()) continue;

        // Views: every sector of the technology, then one per operator named in the table.
        std::map<std::string, int> view_of_operator;
        if (opt.per_operator) {
            for (int si : tech_sectors) {
                const std::string& op = sectors[static_cast<size_t>(si)].operator_name;
                if (!op.empty()) view_of_operator.emplace(op, 0);
            }
            int v = 1;
            for (auto& [op, idx] : view_of_operator) idx = v++;
        }
        const size_t views = 1 + view_of_operator.size();
        std::vector<int> view_of(tech_sectors.size(), -1);
        for (size_t j = 0; j < tech_sectors.size(); ++j) {
            const auto it = view_of_operator.find(sectors[static_cast<size_t>(tech_sectors[j])].operator_name);
            if (it != view_of_operator.end()) view_of[j] = it->second;
        }

        // Co-channel groups: sectors on the same carrier frequency (to the kHz) interfere.
        std::map<long long, int> group_of_freq;
        std::vector<int> group(tech_sectors.size());
        for (size_t j = 0; j < tech_sectors.size(); ++j) {
            const long long key = std::llround(sectors[static_cast<size_t>(tech_sectors[j])].freq_MHz * 1000.0);
            group[j] = group_of_freq.emplace(key, static_cast<int>(group_of_freq.size())).first->second;
        }
        // The previous technology's accumulators are reused (same grid): no fresh pages to fault in.
        if (acc.size() > views) acc.resize(views);
        for (size_t v = 0; v < views; ++v) {
            std::vector<bool> used(group_of_freq.size(), false);
            size_t in_view = 0;
            for (size_t j = 0; j < tech_sectors.size(); ++j) {
                if (v == 0 || view_of[j] == static_cast<int>(v)) used[static_cast<size_t>(group[j])] = true, ++in_view;
            }
            if (v < acc.size()) acc[v]->reset(pixels, w, h, used, in_view, threads);
            else acc.push_back(std::make_unique<Accumulators>(pixels, w, h, used, in_view, threads));
        }

        // Sectors with the same path loss (one site, antenna height and carrier: the sectors of
        // a three-sector cell) are swept once; each then applies its own antenna to the shared
        // window. Groups in order of their first sector.
        std::vector<std::vector<size_t>> groups;  // indices into tech_sectors
        {
            std::map<int, size_t> slot;  // path-loss class -> index in groups
            for (size_t j = 0; j < tech_sectors.size(); ++j) {
                const auto [it, added] = slot.emplace(loss_group[static_cast<size_t>(tech_sectors[j])], groups.size());
                if (added) groups.emplace_back();
                groups[it->second].push_back(j);
            }
        }

        // Batches bound the windows held at once (about 4 per thread with on_sector: whole
        // groups, one window per sector); each batch runs in parallel, callbacks after it.
        const size_t n = tech_sectors.size();
        const size_t n_groups = groups.size();
        const size_t max_windows = static_cast<size_t>(std::max(4, 4 * threads));
        std::vector<SectorWindow> windows;  // with on_sector: one per sector of the batch's groups
        std::vector<size_t> first_window(n_groups + 1, 0);
        for (size_t g = 0; g < n_groups; ++g) first_window[g + 1] = first_window[g] + groups[g].size();
        for (size_t b0 = 0, b1 = 0; b0 < n_groups; b0 = b1) {
            b1 = b0 + 1;
            if (opt.on_sector) {
                while (b1 < n_groups && first_window[b1 + 1] - first_window[b0] <= max_windows) ++b1;
                windows.resize(first_window[b1] - first_window[b0]);
            } else {
                b1 = n_groups;
            }
            // Fewer path-loss classes than threads (one site, say): the classes one after the
            // other, each sweep's rays split over the threads.
            const int outer_threads = static_cast<long long>(b1 - b0) < threads ? 1 : threads;
            const int inner_threads = outer_threads == 1 ? threads : 1;
            // A model's InputError or an allocation failure in a sweep leaves the region through
            // errors (the lowest group's, as one thread would report it).
            ParallelErrors errors;
            // The groups, by the threads of the region this is called in (an orphaned omp for);
            // @p warn: that thread's warnings.
            auto sweepGroups = [&](uint32_t& warn) {
                auto scratch = makeSweepScratch();
                Profile profile;
                SectorWindow local;
#pragma omp for schedule(dynamic, 1)
                for (long long gi = static_cast<long long>(b0); gi < static_cast<long long>(b1); ++gi) errors.run(gi, [&] {
                    const std::vector<size_t>& members = groups[static_cast<size_t>(gi)];
                    std::vector<size_t> todo;
                    for (size_t ju : members) {
                        if (!opt.compute_sector || opt.compute_sector(tech_sectors[ju])) todo.push_back(ju);
                    }
                    if (todo.empty()) return;
                    const Sector& s0 = sectors[static_cast<size_t>(tech_sectors[todo[0]])];
                    SectorWindow* base = opt.on_sector ? &windows[first_window[static_cast<size_t>(gi)] - first_window[b0]] : &local;
                    if (opt.engine == EngineKind::Radial) {
                        SweepOptions so = sw;
                        so.threads = inner_threads;
                        if (opt.progress && outer_threads == 1) {
                            // One sweep at a time: the bar moves with its blocks of rays.
                            const double before = static_cast<double>(done.load()), n_here = static_cast<double>(todo.size());
                            so.progress = [&opt, before, n_here, total](double f) { opt.progress((before + f * n_here) / total); };
                        }
                        if (opt.clutter_loss_for_freq) so.clutter_loss_dB = opt.clutter_loss_for_freq(s0.freq_MHz);
                        const int wc = walk_class[static_cast<size_t>(tech_sectors[todo[0]])];
                        std::shared_ptr<const SharedWalk> walk_in;
                        SharedWalk walk_out;
                        // Releases this thread's claim on its class however the sweep ends (an
                        // InputError leaves through errors), waking the sweeps that wait for it.
                        struct Claim {
                            decltype(kept)* k = nullptr;
                            int c = -1;
                            ~Claim() {
                                if (c < 0) return;
                                {
                                    std::lock_guard<std::mutex> lock(k->mutex);
                                    k->walking.erase(c);
                                }
                                k->done.notify_all();
                            }
                        } claim;
                        if (wc >= 0 && walk_ref_MHz[static_cast<size_t>(wc)] > 0.0) {
                            so.walk_ref_MHz = walk_ref_MHz[static_cast<size_t>(wc)];
                            std::unique_lock<std::mutex> lock(kept.mutex);
                            kept.done.wait(lock, [&] { return !kept.walking.count(wc); });
                            const auto it = kept.walks.find(wc);
                            if (it != kept.walks.end()) {
                                walk_in = it->second;
                                so.walk_in = walk_in.get();
                            } else {
                                kept.walking.insert(wc);
                                claim.k = &kept;  // set in place: a temporary's destructor would release it
                                claim.c = wc;
                                so.walk_out = &walk_out;
                            }
                        }
                        sweepLoss(dem, s0, so, plans, *base, *scratch, &warn);
                        ++(walk_in ? walks_reused : walks);
                        if (walk_out.filled) {
                            // Kept for the class's other sweeps when it fits (else they walk
                            // again, with the same values), and for later runs when a store is
                            // given.
                            auto walk = std::make_shared<const SharedWalk>(std::move(walk_out));
                            if (opt.walk_store) opt.walk_store->put(walk_key[static_cast<size_t>(wc)], {walk, so.walk_ref_MHz});
                            std::lock_guard<std::mutex> lock(kept.mutex);
                            if (!kept.walks.count(wc) && kept.bytes + walk->bytes() <= kept_budget) {
                                kept.bytes += walk->bytes();
                                kept.walks.emplace(wc, std::move(walk));
                            }
                        }
                    } else {
                        referenceWindow(dem, s0, opt, radius_px, step_m, profile, *base, &warn, &warning_counts);
                    }
                    for (size_t k = 0; k < todo.size(); ++k) {
                        const size_t ju = todo[k];
                        const int si = tech_sectors[ju];
                        const Sector& s = sectors[static_cast<size_t>(si)];
                        SectorWindow* win = base;
                        if (opt.on_sector && k > 0) {
                            // Each sector keeps its own window for the callback (todo is all of
                            // members here: on_sector excludes compute_sector).
                            win = base + k;
                            *win = *base;
                        }
                        applyAntenna(s, *win, inner_threads);
                        // Alone on the threads: the window's rows in stripes, one thread each.
                        const int stripes = inner_threads > 1 ? (win->height + kStripeRows - 1) / kStripeRows : 1;
#pragma omp parallel for num_threads(inner_threads) schedule(dynamic, 1) if (stripes > 1)
                        for (int k = 0; k < stripes; ++k) {
                            const int r0 = stripes > 1 ? win->row0 + k * kStripeRows : -1;
                            const int r1 = stripes > 1 ? std::min(win->row0 + win->height, r0 + kStripeRows) : -1;
                            acc[0]->merge(*win, si, group[ju], s.reference_offset_dB, r0, r1);
                            if (view_of[ju] > 0) acc[static_cast<size_t>(view_of[ju])]->merge(*win, si, group[ju], s.reference_offset_dB, r0, r1);
                        }
                    }
                    const long long d = done += static_cast<long long>(todo.size());
                    if (opt.progress && omp_get_thread_num() == 0) opt.progress(static_cast<double>(d) / total);
                });
            };
            if (outer_threads > 1) {
#pragma omp parallel num_threads(outer_threads) reduction(| : warnings)
                sweepGroups(warnings);
            } else {
                // Not even a team of one: libgomp starts fresh threads for every parallel region
                // nested in another, and the sweep's rays, the antenna pass and the merge below
                // each open one.
                sweepGroups(warnings);
            }
            errors.rethrow();
            if (opt.on_sector) {
                for (size_t gi = b0; gi < b1; ++gi) {
                    const std::vector<size_t>& members = groups[gi];
                    for (size_t k = 0; k < members.size(); ++k) opt.on_sector(tech_sectors[members[k]], windows[first_window[gi] - first_window[b0] + k]);
                }
            }
        }

        // The kept walks no later technology reads.
        for (auto it = kept.walks.begin(); it != kept.walks.end();) {
            if (walk_last_tech[static_cast<size_t>(it->first)] <= techPosition(t)) {
                if (!from_store[static_cast<size_t>(it->first)]) kept.bytes -= it->second->bytes();
                it = kept.walks.erase(it);
            } else {
                ++it;
            }
        }

        if (opt.combine) {
            for (size_t v = 0; v < views; ++v) {
                PartialComposition pc;
                pc.pixels = pixels;
                pc.top_k = acc[v]->top_k;
                pc.topk = acc[v]->topk.data();
                pc.best_idx = acc[v]->best_idx.data();
                for (auto& pw : acc[v]->power) pc.power.push_back(pw.empty() ? nullptr : pw.data());
                opt.combine(pc);
            }
        }
        std::vector<int> group_of_sector(sectors.size(), 0);
        for (size_t j = 0; j < n; ++j) group_of_sector[static_cast<size_t>(tech_sectors[j])] = group[j];
        std::vector<std::string> view_names(views);
        for (const auto& [op, idx] : view_of_operator) view_names[static_cast<size_t>(idx)] = op;
        for (size_t v = 0; v < views; ++v) {
            TechnologyCoverage layer;
            layer.tech = t;
            layer.operator_name = view_names[v];
            for (size_t j = 0; j < n; ++j) {
                if (v == 0 || view_of[j] == static_cast<int>(v)) layer.sectors.push_back(tech_sectors[j]);
            }
            layer.threshold_dBm = opt.threshold_dBm(t);
            finishLayer(*acc[v], dem, sectors, group_of_sector, opt, threads, spare, layer);
            layer.covered_km2 = layer.covered_pixels * pixel_km2;
            layer.covered_fraction = result.valid_pixels > 0 ? static_cast<double>(layer.covered_pixels) / result.valid_pixels : 0.0;
            if (opt.on_layer) {
                // Streamed: the caller has written what it needs; keep the numbers, and the
                // rasters' buffers for the next layer.
                opt.on_layer(layer);
                spare.signal = std::exchange(layer.signal_dBm, {});
                spare.second = std::exchange(layer.second_dBm, {});
                spare.sinr = std::exchange(layer.sinr_dB, {});
                if (!layer.throughput_Mbps.data().empty()) spare.throughput = std::exchange(layer.throughput_Mbps, {});
                spare.best = std::exchange(layer.best_server, {});
                spare.overlap = std::exchange(layer.overlap, {});
            }
            result.layers.push_back(std::move(layer));
        }
    }
    result.warnings = warnings;
    result.evaluations = warning_counts[32];
    result.walks = walks;
    result.walks_reused = walks_reused;
    for (size_t b = 0; b < result.warning_evaluations.size(); ++b) result.warning_evaluations[b] = warning_counts[b];

    if (opt.progress) opt.progress(1.0);
    return result;
}

std::vector<ServerStats> serverStatistics(const TechnologyCoverage& layer, const std::vector<Sector>& sectors) {
    std::vector<ServerStats> out(layer.sectors.size());
    std::vector<size_t> of_sector(sectors.size(), out.size());  // sector row -> slot, out.size() = not in the layer
    for (size_t j = 0; j < layer.sectors.size(); ++j) {
        const int si = layer.sectors[j];
        out[j].sector = si;
        if (si >= 0 && static_cast<size_t>(si) < sectors.size()) of_sector[static_cast<size_t>(si)] = j;
    }
    std::vector<double> sig_sum(out.size(), 0.0), sinr_sum(out.size(), 0.0);
    std::vector<double> max_d2(out.size(), 0.0);
    const GeoTransform& gt = layer.best_server.geoTransform();
    for (int r = 0; r < layer.best_server.height(); ++r) {
        for (int c = 0; c < layer.best_server.width(); ++c) {
            const int32_t b = layer.best_server.at(c, r);
            if (b < 0 || static_cast<size_t>(b) >= sectors.size()) continue;
            const size_t j = of_sector[static_cast<size_t>(b)];
            if (j == out.size()) continue;
            ++out[j].best_pixels;
            const float v = layer.signal_dBm.at(c, r);
            if (!(v >= layer.threshold_dBm)) continue;
            ++out[j].covered_pixels;
            sig_sum[j] += v;
            sinr_sum[j] += layer.sinr_dB.at(c, r);
            const PointXY& xy = sectors[static_cast<size_t>(b)].xy;
            const double dx = gt.centerX(c) - xy.x_m, dy = gt.centerY(r) - xy.y_m;
            max_d2[j] = std::max(max_d2[j], dx * dx + dy * dy);
        }
    }
    for (size_t j = 0; j < out.size(); ++j) {
        const double n = static_cast<double>(out[j].covered_pixels);
        out[j].mean_signal_dBm = n > 0 ? sig_sum[j] / n : std::numeric_limits<double>::quiet_NaN();
        out[j].mean_sinr_dB = n > 0 ? sinr_sum[j] / n : std::numeric_limits<double>::quiet_NaN();
        out[j].max_covered_distance_m = std::sqrt(max_d2[j]);
    }
    return out;
}

double locationProbability_pct(double signal_dBm, double threshold_dBm, double sigma_dB) {
    if (std::isnan(signal_dBm)) return 0.0;
    if (!(sigma_dB > 0.0)) return signal_dBm >= threshold_dBm ? 100.0 : 0.0;
    // Phi(x) = erfc(-x / sqrt 2) / 2 [Abramowitz & Stegun 26.2.29].
    return 50.0 * std::erfc((threshold_dBm - signal_dBm) / (sigma_dB * 1.4142135623730951));
}

double shadowingMargin_dB(double sigma_dB, double probability_pct) {
    if (!(sigma_dB >= 0.0)) throw InputError("shadowing: the standard deviation must be >= 0 dB");
    if (!(probability_pct > 0.0 && probability_pct < 100.0)) {
        throw InputError("location probability " + std::to_string(probability_pct) + " %: must lie strictly between 0 and 100");
    }
    return sigma_dB * models::inverseComplementaryNormal(1.0 - probability_pct / 100.0);
}

LocationCoverage locationCoverage(const TechnologyCoverage& layer, const DemGrid& dem, double sigma_dB, double target_pct) {
    if (dem.width() != layer.signal_dBm.width() || dem.height() != layer.signal_dBm.height()) {
        throw Error("locationCoverage: the layer and the DEM differ in size");
    }
    LocationCoverage out;
    out.sigma_dB = sigma_dB;
    out.target_pct = target_pct;
    out.margin_dB = shadowingMargin_dB(sigma_dB, target_pct);
    out.probability_pct = Grid<float>(dem.width(), dem.height(), dem.geoTransform(), kNaN, kNaN);
    const BigVector<float>& sig = layer.signal_dBm.data();
    const BigVector<float>& z = dem.data();
    BigVector<float>& prob = out.probability_pct.data();
    double sum = 0.0;
    long long& valid = out.valid_pixels;
    for (size_t p = 0; p < z.size(); ++p) {
        if (std::isnan(z[p])) continue;
        const double pct = locationProbability_pct(sig[p], layer.threshold_dBm, sigma_dB);
        prob[p] = static_cast<float>(pct);
        sum += pct;
        ++valid;
        // At or above the target exactly where the median clears the threshold by the margin.
        out.covered_pixels += sig[p] >= layer.threshold_dBm + out.margin_dB ? 1 : 0;
    }
    out.mean_probability_pct = valid ? sum / static_cast<double>(valid) : 0.0;
    return out;
}

}  // namespace phusong::engine
