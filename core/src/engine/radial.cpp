#include "phusong/core/engine/radial.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <omp.h>

#include "phusong/core/fast_math.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/models/knife_edge.hpp"
#include "phusong/core/parallel.hpp"
#include "simd_dispatch.hpp"

namespace phusong::engine {

namespace {
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaNd = std::numeric_limits<double>::quiet_NaN();

// floor() for |x| < 2^31 without libm (baseline x86-64 has no rounding instruction).
inline int floorInt(double x) {
    const int i = static_cast<int>(x);
    return x < i ? i - 1 : i;
}

// The ray plan's family of a ray or of a pixel's side of its ring: x-major to the right (0) and
// left (1), y-major down (2) and up (3); @p dx, @p dy give the direction.
inline int familyOf(bool x_major, double dx, double dy) { return x_major ? (dx > 0 ? 0 : 1) : (dy > 0 ? 2 : 3); }

// The direction of a ray's steps along its major axis: +1 or -1.
inline int majorSign(const RadialPlan::Ray& ray) { return ray.x_major ? (ray.end_dx > 0 ? 1 : -1) : (ray.end_dy > 0 ? 1 : -1); }
}  // namespace

std::string simdLevel() {
    const char* cap_env = std::getenv("PHUSONG_SIMD");
    const std::string cap = cap_env ? cap_env : "";
    __builtin_cpu_init();
    if (cap != "baseline" && cap != "avx2" && __builtin_cpu_supports("avx512f")) return "avx512f";
    if (cap != "baseline" && __builtin_cpu_supports("avx2")) return "avx2";
    return "baseline";
}

RadialPlan::RadialPlan(int radius_px, double pw, double ph, int oversample, int threads, Clip clip)
    : m_radius(std::max(1, radius_px)), m_oversample(std::max(1, oversample)) {
    const int n = m_radius;
    const int q = m_oversample;
    m_clip = {std::clamp(clip.dx0, -n, 0), std::clamp(clip.dy0, -n, 0), std::clamp(clip.dx1, 0, n), std::clamp(clip.dy1, 0, n)};
    const int cx0 = m_clip.dx0, cy0 = m_clip.dy0, cx1 = m_clip.dx1, cy1 = m_clip.dy1;
    const int cw = cx1 - cx0 + 1, ch = cy1 - cy0 + 1;
    // Border points every 1/q cell, clockwise from the top-left corner; the order fixes ownership ties.
    std::vector<std::pair<double, double>> ends;
    for (int i = -n * q; i <= n * q; ++i) ends.emplace_back(static_cast<double>(i) / q, -n);
    for (int i = -n * q + 1; i <= n * q; ++i) ends.emplace_back(n, static_cast<double>(i) / q);
    for (int i = n * q - 1; i >= -n * q; --i) ends.emplace_back(static_cast<double>(i) / q, n);
    for (int i = n * q - 1; i > -n * q; --i) ends.emplace_back(-n, static_cast<double>(i) / q);
    m_rays.reserve(ends.size());
    // The rays of each family (x-major to the right / left, y-major down / up), by the border
    // point's minor coordinate in 1/q cells, i in [-n q, n q].
    const int nq = n * q;
    std::array<std::vector<int>, 4> family;
    for (auto& f : family) f.assign(static_cast<size_t>(2 * nq + 1), -1);
    std::vector<uint8_t> family_of;  // each ray's family
    family_of.reserve(ends.size());
    for (const auto& [dx, dy] : ends) {
        Ray r;
        r.end_dx = dx;
        r.end_dy = dy;
        r.x_major = std::abs(dx) == static_cast<double>(n);
        r.step_m = r.x_major ? std::hypot(pw, ph * dy / static_cast<double>(n)) : std::hypot(pw * dx / static_cast<double>(n), ph);
        r.minor_per_step = (r.x_major ? dy : dx) / static_cast<double>(n);
        const int f = familyOf(r.x_major, dx, dy);
        const long i = std::lround((r.x_major ? dy : dx) * q);
        family[static_cast<size_t>(f)][static_cast<size_t>(i + nq)] = static_cast<int>(m_rays.size());
        family_of.push_back(static_cast<uint8_t>(f));
        m_rays.push_back(r);
    }
    // Ownership: each pixel goes to the ray passing closest to its centre (lower index on ties).
    // A pixel (dx, dy) of ring k = max(|dx|, |dy|) lies at step k of x-major rays when |dx| = k and
    // of y-major rays when |dy| = k; along a family the minor coordinate at step k, k i / (n q),
    // grows with i, so the closest ray has the i nearest minor n q / k and a tie can only be with
    // its neighbour: O(1) per pixel. Pixels farther than the inscribed disc (plus the half-diagonal
    // a site may sit off its pixel centre) are never inside a sector's radius and get no owner.
    const double reach_m = n * std::min(pw, ph) + 0.5 * std::hypot(pw, ph);
    const int side = 2 * n + 1;
    BigVector<int>& owner = m_owner;
    owner.assign(static_cast<size_t>(cw) * ch, -1);
    // The owner table's cell of offset (dx, dy), inside the clip.
    auto at = [&](int dx, int dy) { return static_cast<size_t>(dy - cy0) * static_cast<size_t>(cw) + static_cast<size_t>(dx - cx0); };
    std::vector<double> nq_over_k(static_cast<size_t>(n) + 1, 0.0);
    for (int k = 1; k <= n; ++k) nq_over_k[static_cast<size_t>(k)] = static_cast<double>(nq) / k;
    // Each pixel's owner depends on that pixel alone: rows split over the threads, the same plan.
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static) if (threads > 1 && side >= 64)
    for (int dy = cy0; dy <= cy1; ++dy) {
        for (int dx = cx0; dx <= cx1; ++dx) {
            const int k = std::max(std::abs(dx), std::abs(dy));
            if (k == 0 || (dx * pw) * (dx * pw) + (dy * ph) * (dy * ph) > reach_m * reach_m) continue;
            const bool on_x = std::abs(dx) == k, on_y = std::abs(dy) == k;
            if (on_x != on_y) {
                // Off the diagonals, one family: the ray i nearest u = minor n q / k passes
                // k |i - u| / (n q) <= 1 / (2 q) beside the pixel, its neighbours at least
                // k (1 - |i - u|) / (n q), so it is the owner unless u is within 1e-6 of a
                // half-integer, where the errors may tie (to float precision) and the scan
                // below settles it. Most pixels, at a fraction of the scan's cost.
                const int minor = on_x ? dy : dx;
                const double u = minor * nq_over_k[static_cast<size_t>(k)] + 0.5;
                const int i0 = floorInt(u);
                const double frac = u - i0;
                if (frac > 1e-6 && frac < 1.0 - 1e-6 && i0 >= -nq && i0 <= nq) {
                    const int ri = family[static_cast<size_t>(familyOf(on_x, dx, dy))][static_cast<size_t>(i0 + nq)];
                    if (ri >= 0) {
                        owner[at(dx, dy)] = ri;
                        continue;
                    }
                }
            }
            float best_err = 2.0f;
            int best = -1;
            auto scan = [&](const std::vector<int>& fam, int minor) {
                // The nearest ray up to rounding; the scan of its neighbours settles the rest.
                const long i0 = floorInt(minor * nq_over_k[static_cast<size_t>(k)] + 0.5);
                for (long i = std::max<long>(i0 - 1, -nq); i <= std::min<long>(i0 + 1, nq); ++i) {
                    const int ri = fam[static_cast<size_t>(i + nq)];
                    if (ri < 0) continue;
                    const Ray& ray = m_rays[static_cast<size_t>(ri)];
                    int sx = 0, sy = 0;
                    double m = 0.0;
                    stepOffset(ray, k, sx, sy, m);
                    if (sx != dx || sy != dy) continue;
                    const float err = static_cast<float>(std::abs(m - minor));
                    if (err < best_err || (err == best_err && ri < best)) best_err = err, best = ri;
                }
            };
            if (on_x) scan(family[static_cast<size_t>(familyOf(true, dx, dy))], dy);
            if (on_y) scan(family[static_cast<size_t>(familyOf(false, dx, dy))], dx);
            owner[at(dx, dy)] = best;
        }
    }
    // Each ray's owned steps, ascending, ray after ray in one array. A ray of family f reaches
    // square ring k (Chebyshev distance k) at its step k, on that ring's side for f (x = k for
    // x-major rays to the right, and so on), so each family walks its side of the rings outward
    // and writes its own rays' steps: the four families on up to four threads. Rays stop at their
    // last pixel within the disc.
    // The family's sides of the rings, each pixel once, so that each ray meets its steps in
    // ascending order. The y-major families take ring after ring, a row each: (t, +-k) for
    // t = -k..k. The x-major families' sides are columns; read down a column, the owner table
    // costs a cache miss per pixel, so they take it row by row instead: row 0, rows 1..n, then
    // rows -1..-n, each outward (k = max(1, |dy|)..n at dx = +-k). A ray's row at step k,
    // round(k m) for its slope m, is monotone in k and keeps its sign, so its steps still come
    // in ascending order.
    // With a clip, the parts of those sides inside it.
    auto forSide = [&](int f, auto&& visit) {
        if (f >= 2) {
            for (int k = 1; k <= n; ++k) {
                const int dy = f == 2 ? k : -k;
                if (dy < cy0 || dy > cy1) break;
                const int* row = owner.data() + at(0, dy);
                for (int t = std::max(-k, cx0); t <= std::min(k, cx1); ++t) {
                    const int r = row[t];
                    if (r >= 0 && family_of[static_cast<size_t>(r)] == f) visit(static_cast<size_t>(r), k);
                }
            }
            return;
        }
        const int sign = f == 0 ? 1 : -1;
        const int k_max = f == 0 ? cx1 : -cx0;  // the clip's last column on this side
        auto rowOutward = [&](int dy) {
            const int* row = owner.data() + at(0, dy);
            for (int k = std::max(1, std::abs(dy)); k <= k_max; ++k) {
                const int r = row[sign * k];
                if (r >= 0 && family_of[static_cast<size_t>(r)] == f) visit(static_cast<size_t>(r), k);
            }
        };
        rowOutward(0);
        for (int dy = 1; dy <= cy1; ++dy) rowOutward(dy);
        for (int dy = -1; dy >= cy0; --dy) rowOutward(dy);
    };
    std::vector<size_t> start(m_rays.size() + 1, 0);
    const int family_threads = std::clamp(threads, 1, 4);
#pragma omp parallel for num_threads(family_threads) schedule(static, 1) if (family_threads > 1 && side >= 64)
    for (int f = 0; f < 4; ++f) forSide(f, [&](size_t r, int) { ++start[r + 1]; });
    for (size_t r = 0; r < m_rays.size(); ++r) start[r + 1] += start[r];
    m_owned.resize(start.back());
#pragma omp parallel for num_threads(family_threads) schedule(static, 1) if (family_threads > 1 && side >= 64)
    for (int f = 0; f < 4; ++f) {
        std::vector<size_t> next(start.begin(), start.end() - 1);
        forSide(f, [&](size_t r, int k) { m_owned[next[r]++] = k; });
    }
    for (size_t r = 0; r < m_rays.size(); ++r) m_rays[r].owned = std::span<const int>(m_owned.data() + start[r], start[r + 1] - start[r]);
}

void RadialPlan::stepOffset(const Ray& ray, int k, int& dx, int& dy, double& minor) {
    minor = k * ray.minor_per_step;
    const int nearest = floorInt(minor + 0.5);
    if (ray.x_major) {
        dx = ray.end_dx > 0 ? k : -k;
        dy = nearest;
    } else {
        dy = ray.end_dy > 0 ? k : -k;
        dx = nearest;
    }
}

struct RadialPlans::Impl {
    std::mutex mutex;
    std::map<int, std::unique_ptr<RadialPlan>> plans;
};

RadialPlans::RadialPlans(int radius_px, double pw, double ph, int threads)
    : m_radius(std::max(1, radius_px)), m_pw(pw), m_ph(ph), m_threads(std::max(1, threads)), m_impl(std::make_unique<Impl>()) {}

RadialPlans::~RadialPlans() = default;

const RadialPlan& RadialPlans::get(int oversample) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    auto& slot = m_impl->plans[oversample];
    if (!slot) slot = std::make_unique<RadialPlan>(m_radius, m_pw, m_ph, oversample, m_threads);
    return *slot;
}

int windowRadius_px(const DemGrid& dem, double radius_m) {
    const GeoTransform& gt = dem.geoTransform();
    const double pixel_m = std::min(gt.pixel_width_m, gt.pixel_height_m);
    const double n = std::ceil(radius_m / pixel_m);
    // The ray plan covers the disc of n pixels: the DEM's diagonal reaches every pixel from any other.
    const int diagonal = static_cast<int>(std::ceil(std::hypot(dem.width() * gt.pixel_width_m, dem.height() * gt.pixel_height_m) / pixel_m));
    return n < diagonal ? static_cast<int>(n) : diagonal;  // an infinite (or NaN) radius: the diagonal
}

int raysPerBorderCell(models::ModelKind kind, double pixel_m) {
    using models::ModelKind;
    if (kind == ModelKind::FreeSpace || kind == ModelKind::Hata || kind == ModelKind::Cost231 || models::isTr38901(kind)) return 2;
    // A pixel's ray passes at most pixel / (2 q) beside its centre: 3 rays keep that within 5 m
    // at 30 m, 4 within 7.5 m at 60 m, 6 within 7.5 m at 90 m (the Alps at 90 m need more than 4;
    // 2 rays at 30 m gave Bullington p99 2.5 dB at Đà Nẵng, 3 give 2.0 dB).
    const int q = std::clamp(static_cast<int>(std::ceil(pixel_m / 15.0 - 1e-9)), 3, 16);
    return kind == ModelKind::P526Bullington ? q : 2 * q;
}

bool hasIncrementalForm(models::ModelKind k) {
    using models::ModelKind;
    return k == ModelKind::FreeSpace || k == ModelKind::Hata || k == ModelKind::Cost231 || k == ModelKind::P526Bullington ||
           k == ModelKind::Itm || models::isTr38901(k);
}

// The state of one radial as the receiver moves outward. Arrays are sized once per plan and
// written by index; the Profile copy is kept only for models evaluated on the whole prefix.
struct SweepScratch {
    Profile profile;         // samples 0..m-1 (0 = the site), only when keep_profile
    bool keep_profile = true;
    bool keep_hull = true;   // only Bullington reads the hull
    std::vector<double> d;   // sample distance, km
    std::vector<double> z;   // heights in the straight-ray frame: h - d^2 / (2 a_e)
    std::vector<int> hull;   // upper convex hull of intermediate samples (indices >= 1), hull_n used
    // A clean ray's samples from the vectorised pass: slope from the transmitter, raw height.
    std::vector<double> slope, zraw;
    std::vector<double> inv_k;  // 1 / k for steps 0..radius (sized by sweepSector)
    BigVector<double> v;        // the deferred pass's input per window pixel: v or the loss (sweepLoss)
    struct Direct {             // pixels the sweep stored itself (the site's, the first ring)
        size_t idx;
        float loss_dB, bearing_deg, elevation_deg;
    };
    std::vector<Direct> direct;
    // This sweep's path-loss evaluations by this thread and the warnings they raised.
    WarningTally warn_count{};
    // Scratch of the other threads when one sector's rays are split over threads (sweepLoss).
    std::vector<std::unique_ptr<SweepScratch>> workers;
    // ITM: raw heights and prefix sums S0[i] = sum_{k<i} h_k, S1[i] = sum_{k<i} k h_k, so that
    // ITM's least-squares fits and mean heights over any index range cost O(1).
    bool keep_sums = false;
    std::vector<double> hraw, S0, S1;
    int m = 0, hull_n = 0;
    int stim_idx = 0;        // the sample where stim is reached
    // ITM delta_h computed on recent rays, by range bucket (kItmDeltaHStep apart): range, start,
    // value before the length factor, and the ray it was computed on. Kept across the rays of one
    // sector (beginSector() clears it); rays are swept in angular order.
    struct DeltaH {
        double len = 0.0, d0 = 0.0, raw = 0.0;
        long long ray = -1;
    };
    std::vector<DeltaH> dh_cache;
    long long ray_index = 0;
    long long dh_rays = 1;    // neighbouring rays within half a pixel of each other at the border
    long long dh_border = 1;  // the border's distance in steps (the plan's radius)
    void beginSector(int rays_per_cell, int radius_steps) {
        dh_cache.assign(dh_cache.size(), DeltaH{});
        ray_index = 0;
        dh_rays = std::max(1, rays_per_cell / 2);
        dh_border = std::max(1, radius_steps);
    }
    double stim = -1e300;    // max (z_i - h_ts) / d_i over intermediate samples
    double ce_half = 0.0;    // 500 C_e: metres of bulge per km^2

    void reset(int capacity, double h0, double ce_per_km, bool keep, bool hull_needed, bool sums_needed = false) {
        keep_hull = hull_needed;
        keep_sums = sums_needed;
        if (static_cast<int>(d.size()) < capacity + 2) {
            d.resize(static_cast<size_t>(capacity) + 2);
            z.resize(d.size());
            hull.resize(d.size());
            slope.resize(d.size());
            zraw.resize(d.size());
        }
        if (keep_sums && hraw.size() < d.size()) {
            hraw.resize(d.size());
            S0.resize(d.size() + 1);
            S1.resize(d.size() + 1);
        }
        m = 1;
        d[0] = 0.0;
        z[0] = h0;
        if (keep_sums) {
            hraw[0] = h0;
            S0[0] = S1[0] = 0.0;
            S0[1] = h0;
            S1[1] = 0.0;
        }
        hull_n = 0;
        stim = -1e300;
        stim_idx = 0;
        ++ray_index;
        ce_half = 500.0 * ce_per_km;
        keep_profile = keep;
        if (keep) {
            profile.d_km.assign(1, 0.0);
            profile.h_m.assign(1, h0);
        }
    }

    // Largest (z_j - zr) / (D - d_j) over hull vertices: the receiver's horizon slope in the
    // straight-ray frame. The function is unimodal along an upper hull seen from its right; the
    // search compares cross products (every D - d_j > 0) and divides once.
    double rxSlope(double D, double zr) const {
        const size_t v = static_cast<size_t>(rxHorizon(D, zr));
        return (z[v] - zr) / (D - d[v]);
    }
    // The sample where that largest slope is reached.
    int rxHorizon(double D, double zr) const {
        int lo = 0, hi = hull_n - 1;
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            const size_t a = static_cast<size_t>(hull[static_cast<size_t>(mid)]), b = static_cast<size_t>(hull[static_cast<size_t>(mid) + 1]);
            if ((z[a] - zr) * (D - d[b]) < (z[b] - zr) * (D - d[a])) lo = mid + 1;
            else hi = mid;
        }
        return hull[static_cast<size_t>(lo)];
    }
};

std::unique_ptr<SweepScratch, void (*)(SweepScratch*)> makeSweepScratch() {
    return {new SweepScratch(), [](SweepScratch* p) { delete p; }};
}

namespace {

struct Link {
    double D_km;      // horizontal distance to the receiver
    double hts, hrs;  // antennas above sea level
    double f_MHz;
    double fspl_f_dB;  // 32.45 + 20 log10 f [P.525-4 eq. (4)]
    double lambda_m;
    double tx_h, rx_h;
};

// Bullington [P.526-15 §4.5.1, eqs. (47)-(52)]: the diffraction parameter of the knife edge where
// the transmitter's and the receiver's horizon rays cross; on clear paths, that of the intermediate
// point of highest v (over hull vertices: the points that can be highest above any chord).
// -infinity where every v is below -0.78 (no diffraction loss).
double bullingtonV(const SweepScratch& st, const Link& L) {
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    const double D = L.D_km;
    const double zr = L.hrs - st.ce_half * D * D;
    const double str = (zr - L.hts) / D;
    if (st.stim < str) {
        // v of sample i for the chord tx-rx, earth bulge included [P.526-15 eq. (26)]:
        // h_i + 500 C_e d_i (D - d_i) = z_i + 500 C_e d_i D, so the clearance is z_i minus a line
        // and is unimodal along the (concave) hull: its largest value is a binary search away.
        const double slope = (zr - L.hts) / D;
        auto clearance = [&](int j) {
            const size_t i = static_cast<size_t>(st.hull[static_cast<size_t>(j)]);
            return st.z[i] - L.hts - slope * st.d[i];
        };
        int lo = 0, hi = st.hull_n - 1;
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            if (clearance(mid) < clearance(mid + 1)) lo = mid + 1;
            else hi = mid;
        }
        // v_i = c_i sqrt(scale / (d1 d2)) and d1 d2 <= D^2 / 4: when even the highest vertex is
        // below -0.78 / sqrt(4 scale / D^2), every v_i <= -0.78 and J = 0 (eq. (31)'s domain).
        const double scale = 0.002 * D / L.lambda_m;
        if (clearance(lo) * std::sqrt(4.0 * scale) / D <= -0.78) return kNone;
        double vmax = -1e300;
        for (int j = 0; j < st.hull_n; ++j) {
            const size_t i = static_cast<size_t>(st.hull[static_cast<size_t>(j)]);
            const double d1 = st.d[i], d2 = D - d1;
            if (d2 <= 0.0) continue;
            vmax = std::max(vmax, clearance(j) * std::sqrt(scale / (d1 * d2)));
        }
        return vmax;
    }
    // Back to the chord frame of the reference: S_tim = stim + 500 C_e D, S_rim = srim - 500 C_e D.
    const double stim = st.stim + st.ce_half * D;
    const double srim = st.rxSlope(D, zr) - st.ce_half * D;
    const double db = (L.hrs - L.hts + srim * D) / (stim + srim);
    return (L.hts + stim * db - (L.hts * (D - db) + L.hrs * db) / D) * std::sqrt(0.002 * D / (L.lambda_m * db * (D - db)));
}

// Bullington's loss from the knife edge's v over a path of D km [P.526-15 eqs. (31), (52)]:
// J(v), plus the correction for the distance when it is positive.
inline double bullingtonLoss_dB(double v, double D_km) {
    const double luc = models::knifeEdgeLoss_dB(v);
    return luc > 0.0 ? luc + (1.0 - fast::exp(-luc / 6.0)) * (10.0 + 0.02 * D_km) : 0.0;
}

double bullingtonFast(const SweepScratch& st, const Link& L) { return bullingtonLoss_dB(bullingtonV(st, L), L.D_km); }

// Free-space loss over the slant path [P.525-4 eq. (4)], 20 log10 d = 10 log10 d^2.
inline double fsplSlant_dB(const Link& L) {
    const double dh_km = (L.hts - L.hrs) / 1000.0;
    return L.fspl_f_dB + 10.0 * fast::log10(std::max(L.D_km * L.D_km + dh_km * dh_km, 1e-6));
}

// Below this many samples ITM runs on the whole prefix (see evaluate()).
constexpr int kItmShortPath = 16;
// Rays per block of the sweep: the unit of work when one sector's rays are split over threads.
constexpr size_t kRaysPerBlock = 256;
// ITM's delta_h is recomputed when its range differs by more than this fraction from one
// computed on this radial or the previous ones within half a pixel at the border (q / 2 rays).
constexpr double kItmDeltaHStep = 0.02;
// ITM point-to-point [Algorithm, §3 "qlrpfl"] from the radial's running state, O(log m) per
// pixel but for delta_h (dlthx resamples at most 245 points): the profile is the samples
// 0..m-1 at their distances plus the receiver at D, index m.
//  - horizons ("hzns"): the transmitter's from the running maximum, the receiver's from the
//    tangent to the upper hull (both found in the engine's straight-ray frame, then evaluated
//    with ITM's own effective earth radius, which depends on the path's mean height);
//  - least-squares fits ("zlsq1"): the same trapezoid-weighted fit over the same index range as
//    the reference, from prefix sums of heights;
//  - mean height of the middle 80 % for N_s: from the prefix sums.
double itmIncremental(const models::ModelParams& mp, SweepScratch& st, const Link& L, double h_rx_ground, uint32_t* warnings) {
    const int m = st.m;  // receiver index
    const double d = L.D_km * 1000.0;
    // Sample k stands at k xi, the reference profile's spacing (the per-pixel evaluation resamples
    // the prefix to m intervals over the path); the receiver, index m, at d.
    const double xi = d / m;
    auto xOf = [&](int k) { return k < m ? k * xi : d; };
    auto hOf = [&](int k) { return k < m ? st.hraw[static_cast<size_t>(k)] : h_rx_ground; };
    // Ground at distance x on the resampled profile: linear between samples, and from the last
    // sample to the receiver.
    auto heightAt = [&](double x) {
        const double x_last = (m - 1) * xi, span = d - x_last;
        if (x >= x_last) return span > 0.0 ? hOf(m - 1) + (h_rx_ground - hOf(m - 1)) * std::min(1.0, (x - x_last) / span) : h_rx_ground;
        const double u = std::max(0.0, x / xi);
        const int k = std::min(static_cast<int>(u), m - 2);
        return hOf(k) + (hOf(k + 1) - hOf(k)) * (u - k);
    };
    // Sums over indices [a, b] (b may be the receiver) of 1, x, x^2, h, x h.
    struct Sums {
        double n = 0, x = 0, xx = 0, h = 0, xh = 0;
    };
    auto sums = [&](int a, int b) {
        Sums r;
        const int bs = std::min(b, m - 1);
        if (bs >= a) {
            const double cnt = bs - a + 1;
            const double sk = 0.5 * (a + bs) * cnt;
            auto sq = [](double n) { return n * (n + 1.0) * (2.0 * n + 1.0) / 6.0; };
            r.n = cnt;
            r.x = xi * sk;
            r.xx = xi * xi * (sq(bs) - sq(a - 1.0));
            r.h = st.S0[static_cast<size_t>(bs) + 1] - st.S0[static_cast<size_t>(a)];
            r.xh = xi * (st.S1[static_cast<size_t>(bs) + 1] - st.S1[static_cast<size_t>(a)]);
        }
        if (b >= m) {
            r.n += 1;
            r.x += d;
            r.xx += d * d;
            r.h += h_rx_ground;
            r.xh += d * h_rx_ground;
        }
        return r;
    };
    models::itm::ProfileSummary pr;
    pr.d_m = d;
    pr.z_tx_ground_m = st.hraw[0];
    pr.z_rx_ground_m = h_rx_ground;
    {
        const int p10 = static_cast<int>(0.1 * m);
        pr.h_sys_m = sums(p10, m - p10).h / (m - 2 * p10 + 1);
    }
    auto hzns = [&](double a_e, double theta[2], double dl[2]) {
        const double z_tx = st.hraw[0] + L.tx_h, z_rx = h_rx_ground + L.rx_h;
        theta[0] = (z_rx - z_tx) / d - d / (2.0 * a_e);
        theta[1] = -(z_rx - z_tx) / d - d / (2.0 * a_e);
        dl[0] = dl[1] = d;
        if (m < 2) return;
        if (st.hull_n == 0) return;
        // The engine's frame (k-factor earth) finds the horizon vertex on the hull; ITM's own
        // earth radius differs slightly, so its neighbours along the hull are compared too, in
        // index order with strict '>' as the reference's scan.
        auto best = [&](int pos, auto&& angle, double& theta_out, double& dl_out, bool from_tx) {
            for (int q = std::max(0, pos - 2); q <= std::min(st.hull_n - 1, pos + 2); ++q) {
                const int k = st.hull[static_cast<size_t>(q)];
                const double x = from_tx ? xOf(k) : d - xOf(k);
                if (!(x > 0.0)) continue;
                const double t = angle(k, x);
                if (t > theta_out) theta_out = t, dl_out = x;
            }
        };
        const int* hb = st.hull.data();
        const int tx_pos = static_cast<int>(std::lower_bound(hb, hb + st.hull_n, st.stim_idx) - hb);
        best(std::min(tx_pos, st.hull_n - 1), [&](int k, double x) { return (hOf(k) - z_tx) / x - x / (2.0 * a_e); }, theta[0], dl[0], true);
        const int j = st.rxHorizon(L.D_km, L.hrs - st.ce_half * L.D_km * L.D_km);
        const int rx_pos = static_cast<int>(std::lower_bound(hb, hb + st.hull_n, j) - hb);
        best(rx_pos, [&](int k, double x) { return (hOf(k) - z_rx) / x - x / (2.0 * a_e); }, theta[1], dl[1], false);
    };
    auto dlthx = [&](double d0, double d1) {
        // delta_h is the interdecile range of the terrain over the whole path: it changes slowly
        // along a radial and from one radial to the next, so a value computed on this radial or
        // one of the previous ones within half a pixel of it at this range, over a range within
        // kItmDeltaHStep of this one, from nearly the same start, is reused (with the length
        // factor of ERL 79 Eqn 3 for the current range).
        const double len = d1 - d0;
        const double factor = 1.0 - 0.8 * std::exp(-len / 50e3);
        const int bucket = std::max(0, static_cast<int>(std::log(std::max(len, 1.0)) / std::log1p(kItmDeltaHStep)));
        if (st.dh_cache.size() <= static_cast<size_t>(bucket) + 1) st.dh_cache.resize(static_cast<size_t>(bucket) + 2);  // b + 1 is read
        // Rays fan out: at step m, the st.dh_rays rays within half a pixel at the border are
        // m / border of that apart, so the rays within half a pixel here are border / m times more.
        const long long reach = std::max(st.dh_rays, st.dh_rays * st.dh_border / std::max(m, 1));
        for (int b = std::max(0, bucket - 1); b <= bucket + 1; ++b) {
            const auto& e = st.dh_cache[static_cast<size_t>(b)];
            if (e.ray >= 0 && st.ray_index - e.ray <= reach && std::abs(len - e.len) <= kItmDeltaHStep * e.len &&
                std::abs(d0 - e.d0) <= kItmDeltaHStep * len)
                return e.raw / factor;
        }
        // dlthx's resampling, linear between the samples (the last one to the receiver).
        const int n = models::itm::irregularitySampleCount(xi, d0, d1);
        if (n == 0) return 0.0;
        std::array<double, 245> s;
        const double dx = (d1 - d0) / (n - 1);
        // heightAt() inlined for the points before the last sample (all but the last few).
        const double x_last = (m - 1) * xi;
        const double* hr = st.hraw.data();
        int j = 0;
        for (; j < n; ++j) {
            const double x = d0 + dx * j;
            if (x >= x_last) break;
            const double u = std::max(0.0, x / xi);
            const int k = std::min(static_cast<int>(u), m - 2);
            s[static_cast<size_t>(j)] = hr[k] + (hr[k + 1] - hr[k]) * (u - k);
        }
        for (; j < n; ++j) s[static_cast<size_t>(j)] = heightAt(d0 + dx * j);
        const double dh = models::itm::irregularityOfSamples(std::span<double>(s.data(), static_cast<size_t>(n)), d0, d1);
        st.dh_cache[static_cast<size_t>(bucket)] = {len, d0, dh * factor, st.ray_index};
        return dh;
    };
    auto zlsq1 = [&](double d0, double d1, double& z0, double& z1) {
        // The reference's index range [Algorithm, "zlsq1"], then a fit with half weights at its ends.
        auto dimf = [](double a, double b) { return a > b ? a - b : 0.0; };
        int i0 = static_cast<int>(dimf(d0 / xi, 0.0));
        int i1 = m - static_cast<int>(dimf(m, d1 / xi));
        if (i1 <= i0) {
            i0 = static_cast<int>(dimf(i0, 1.0));
            i1 = m - static_cast<int>(dimf(m, i1 + 1.0));
        }
        Sums s = sums(i0, i1);
        for (int k : {i0, i1}) {
            const double x = xOf(k), h = hOf(k);
            s.n -= 0.5, s.x -= 0.5 * x, s.xx -= 0.5 * x * x, s.h -= 0.5 * h, s.xh -= 0.5 * x * h;
        }
        const double det = s.n * s.xx - s.x * s.x;
        const double slope = det > 0.0 ? (s.n * s.xh - s.x * s.h) / det : 0.0;
        const double icpt = s.n > 0.0 ? (s.h - slope * s.x) / s.n : hOf(i0);
        z0 = icpt;
        z1 = icpt + slope * d;
    };
    pr.horizons = hzns;
    pr.delta_h = dlthx;
    pr.fit = zlsq1;
    const models::itm::Result r = models::itm::pointToPoint(mp.itm, L.tx_h, L.rx_h, pr, L.f_MHz);
    if (warnings) *warnings |= r.warnings << models::kWarnItmShift;
    return r.loss_dB;
}


// Path loss to the receiver at (D, ground h_rx), the scratch holding samples 0..m-1 (m >= 2).
double evaluate(const models::ModelParams& mp, bool incremental, bool terminal_losses, SweepScratch& st, const Link& L,
                double h_rx_ground, uint32_t* warnings) {
    using models::ModelKind;
    if (!incremental) {
        st.profile.d_km.push_back(L.D_km);
        st.profile.h_m.push_back(h_rx_ground);
        models::PathLoss pl = models::pathLossOverProfile(mp, st.profile, L.tx_h, L.rx_h, L.f_MHz);
        st.profile.d_km.pop_back();
        st.profile.h_m.pop_back();
        if (warnings) *warnings |= pl.warnings & ~models::kWarnShortPath;
        return pl.loss_dB;
    }
    double loss_dB;
    switch (mp.kind) {
        case ModelKind::FreeSpace: loss_dB = fsplSlant_dB(L); break;
        case ModelKind::P526Bullington: loss_dB = fsplSlant_dB(L) + bullingtonFast(st, L); break;
        case ModelKind::Itm:
            if (st.m < kItmShortPath) {
                // Short paths: the whole prefix, resampled as the reference does.
                Profile pr;
                pr.d_km.assign(st.d.begin(), st.d.begin() + st.m);
                pr.h_m.assign(st.hraw.begin(), st.hraw.begin() + st.m);
                pr.d_km.push_back(L.D_km);
                pr.h_m.push_back(h_rx_ground);
                const models::PathLoss pl = models::pathLossOverProfile(mp, pr, L.tx_h, L.rx_h, L.f_MHz);
                if (warnings) *warnings |= pl.warnings & ~models::kWarnShortPath;
                loss_dB = pl.loss_dB;
            } else {
                loss_dB = itmIncremental(mp, st, L, h_rx_ground, warnings);
            }
            break;
        default: {
            // Hata, COST-231 and TR 38.901 over the horizontal distance; TR 38.901 takes LOS or
            // NLOS from the terrain (lossWithLos_dB: what pathLossWithLos() gives, without the
            // LOS probability the raster does not use).
            const double zr = L.hrs - st.ce_half * L.D_km * L.D_km;
            loss_dB = models::lossWithLos_dB(mp, L.D_km, L.tx_h, L.rx_h, L.f_MHz, st.stim <= (zr - L.hts) / L.D_km, warnings);
            break;
        }
    }
    if (terminal_losses) {
        models::PathLoss pl;
        pl.model = mp.kind;
        pl.distance_m = L.D_km * 1000.0;
        pl.loss_dB = loss_dB;
        models::addTerminalLosses(mp, L.f_MHz, L.rx_h, pl);
        loss_dB = pl.loss_dB;
    }
    return loss_dB;
}

// One ray's samples, steps 1..last-1, every cell on the DEM, in one vectorised pass (gathers where
// the instruction set has them, no branch): the slope from the transmitter antenna (at hts) of each
// sample in the straight-ray frame, and for the coverage walk (kWalk) also its distance, height in
// that frame and raw height, with the walk's operations in the walk's order (the same values); and
// whether any sample is NaN (a void: the caller walks that ray instead).
struct RaySamples {
    const float* centre = nullptr;           // the DEM at the site's cell
    int major_stride = 0, minor_stride = 0;  // cells
    double mps = 0.0, step_km = 0.0, inv_step_km = 0.0, ce_half = 0.0, hts = 0.0;
    const double* inv_k = nullptr;
    int last = 0;
    double* slope = nullptr;                                  // [1, last)
    double *d = nullptr, *z = nullptr, *zraw = nullptr;  // [1, last), kWalk only
    bool* any_nan = nullptr;
};

// Whether the offsets from the site's cell of every sample of rays of @p n steps on a DEM @p w
// cells wide fit the 32-bit indices the sample pass's gathers take.
bool sampleOffsetsFit(int n, int w) {
    return (static_cast<long long>(n) + 2) * (static_cast<long long>(w) + 1) < (1LL << 31);
}

template <bool kWalk>
[[gnu::always_inline]] inline void raySamplesBody(const RaySamples& a) {
    const float* __restrict centre = a.centre;
    double* __restrict dv = a.d;
    double* __restrict zv = a.z;
    double* __restrict sl = a.slope;
    double* __restrict zr = a.zraw;
    const double* __restrict inv_k = a.inv_k;
    const int major = a.major_stride, minor_s = a.minor_stride, last = a.last;
    const double mps = a.mps, step_km = a.step_km, inv_step_km = a.inv_step_km, ce_half = a.ce_half, hts = a.hts;
    int nan = 0;
    for (int k = 1; k < last; ++k) {
        const double minor = k * mps;
        const int i = static_cast<int>(minor);
        const int lo = i - (minor < i ? 1 : 0);  // floorInt
        const double t = minor - lo;
        const int off = k * major + lo * minor_s;
        const float za = centre[off], zb = centre[off + minor_s];
        const double z = za + t * (zb - za);
        const double d_km = k * step_km;
        const double zi = z - ce_half * d_km * d_km;
        sl[k] = (zi - hts) * (inv_k[k] * inv_step_km);
        if constexpr (kWalk) {
            dv[k] = d_km;
            zv[k] = zi;
            zr[k] = z;
        }
        nan |= z != z ? 1 : 0;
    }
    *a.any_nan = nan != 0;
}

// Whether every cell a ray of the window of radius @p n around (cc, rr) samples lies on a w x h
// DEM: the square of side 2n + 1 and the row and column beyond it (the second cell of a pair).
bool wholeSquareInside(int cc, int rr, int n, int w, int h) { return cc - n >= 0 && rr - n >= 0 && cc + n + 1 < w && rr + n + 1 < h; }

// Steps 1..K of @p ray whose two cells (the pair straddling the ray on the minor axis) both lie on
// a w x h DEM, for the largest such prefix K <= last.
int insideSteps(const RadialPlan::Ray& ray, int cc, int rr, int w, int h, int last) {
    const int s = majorSign(ray);
    auto inside = [&](int k) {
        const int lo = floorInt(k * ray.minor_per_step);
        return ray.x_major ? (cc + s * k >= 0 && cc + s * k < w && rr + lo >= 0 && rr + lo + 1 < h)
                           : (rr + s * k >= 0 && rr + s * k < h && cc + lo >= 0 && cc + lo + 1 < w);
    };
    // The cells of steps 0..last lie in the bounding box of those of steps 0 and last.
    if (inside(0) && inside(last)) return last;
    for (int k = 1; k <= last; ++k) {
        if (!inside(k)) return k - 1;
    }
    return last;
}

// Walks rays [ray_begin, ray_end) of @p plan from pixel (cc, rr): resets @p st per ray, calls
// on_pixel(px, py, ground_m) at each pixel the ray owns (before its own sample is added, so the
// scratch holds the samples strictly between the site and the pixel), then appends the sample:
// the ground under the ray, linear between the two cells straddling it on the minor axis, as an
// intermediate point for every receiver beyond it (horizon seen from the transmitter antenna at
// @p hts above sea level, hull, ITM's sums). A ray stops where it leaves the DEM or meets a void.
//
// The running state (sample count, hull size, transmitter horizon) lives in locals during the
// walk and is written back to @p st before each on_pixel call: the walk is most of the sweep's
// steps, and through the scratch object every store would be reloaded. Steps whose cells are all
// on the DEM (all of them unless the window crosses its edge) skip the bounds checks.
template <class OnPixel>
void forEachRaySample(const DemGrid& dem, const RadialPlan& plan, size_t ray_begin, size_t ray_end, int cc, int rr, double h0,
                      double ce_per_km, double hts, SweepScratch& st, OnPixel&& on_pixel) {
    const int n = plan.radius_px();
    const int w = dem.width(), h = dem.height();
    std::vector<double>& inv_k = st.inv_k;
    if (static_cast<int>(inv_k.size()) != n + 1) {
        inv_k.assign(static_cast<size_t>(n) + 1, 0.0);
        for (int k = 1; k <= n; ++k) inv_k[static_cast<size_t>(k)] = 1.0 / k;
    }
    const bool whole_square_inside = wholeSquareInside(cc, rr, n, w, h);
    const bool keep_profile = st.keep_profile, keep_hull = st.keep_hull, keep_sums = st.keep_sums;
    const float* const centre = dem.data().data() + static_cast<ptrdiff_t>(rr) * w + cc;
    const bool small_offsets = sampleOffsetsFit(n, w);
    for (size_t ri = ray_begin; ri < ray_end; ++ri) {
        const RadialPlan::Ray& ray = plan.rays()[ri];
        if (ray.owned.empty()) continue;
        st.reset(n, h0, ce_per_km, keep_profile, keep_hull, keep_sums);
        const int last = ray.owned.back();
        const int inside = whole_square_inside ? last : insideSteps(ray, cc, rr, w, h, last);
        const double step_km = ray.step_m / 1000.0, inv_step_km = 1000.0 / ray.step_m;
        const double mps = ray.minor_per_step;
        const int sign = majorSign(ray);
        const ptrdiff_t major_stride = ray.x_major ? sign : static_cast<ptrdiff_t>(sign) * w;
        const ptrdiff_t minor_stride = ray.x_major ? w : 1;
        const int* const owned = ray.owned.data();
        const size_t n_owned = ray.owned.size();
        size_t next = 0;
        double* const dv = st.d.data();
        double* const zv = st.z.data();
        int* const hull = st.hull.data();
        const double ce_half = st.ce_half;
        int m = st.m, hull_n = st.hull_n, stim_idx = st.stim_idx;
        double stim = st.stim;
        // Step k's owned pixel, if the ray owns one there: on_pixel with the state written back.
        // True after the ray's last owned pixel.
        auto visitOwned = [&](int k) {
            if (owned[next] != k) return false;
            ++next;
            int dx = 0, dy = 0;
            double minor_exact = 0.0;
            RadialPlan::stepOffset(ray, k, dx, dy, minor_exact);
            const int px = cc + dx, py = rr + dy;
            if (px >= 0 && py >= 0 && px < w && py < h) {
                const float g = dem.at(px, py);
                if (!std::isnan(g)) {
                    st.m = m, st.hull_n = hull_n, st.stim = stim, st.stim_idx = stim_idx;
                    on_pixel(px, py, g);
                }
            }
            return next == n_owned;
        };
        // Sample i (distance dv[i], straight-ray height zv[i], raw height z, slope from the
        // transmitter): the transmitter horizon, ITM's sums, and Andrew's monotone chain for the
        // upper hull (drop the last vertex while it lies on or below the segment from the one
        // before it to the new point).
        auto addSample = [&](int i, double z, double slope) {
            if (slope > stim) stim = slope, stim_idx = i;
            if (keep_sums) {
                const size_t u = static_cast<size_t>(i);
                st.hraw[u] = z;
                st.S0[u + 1] = st.S0[u] + z;
                st.S1[u + 1] = st.S1[u] + i * z;
            }
            if (keep_profile) {
                st.profile.d_km.push_back(dv[i]);
                st.profile.h_m.push_back(z);
            }
            if (keep_hull) {
                const double d_km = dv[i], zi = zv[i];
                while (hull_n >= 2) {
                    const int a = hull[hull_n - 2], b = hull[hull_n - 1];
                    if ((zv[b] - zv[a]) * (d_km - dv[a]) <= (zi - zv[a]) * (dv[b] - dv[a])) --hull_n;
                    else break;
                }
                hull[hull_n++] = i;
            }
        };
        if (!keep_profile && small_offsets && inside == last && last >= 2) {
            // A ray on the DEM throughout (nearly all): its samples in one vectorised pass, then
            // the owned pixels and the running state (transmitter horizon, hull, ITM's sums) in
            // the walk's order. A ray over a void takes the walk below.
            bool any_nan = false;
            simd::byIsa<RaySamples, raySamplesBody<true>>({.centre = centre,
                                                           .major_stride = static_cast<int>(major_stride),
                                                           .minor_stride = static_cast<int>(minor_stride),
                                                           .mps = mps,
                                                           .step_km = step_km,
                                                           .inv_step_km = inv_step_km,
                                                           .ce_half = ce_half,
                                                           .hts = hts,
                                                           .inv_k = inv_k.data(),
                                                           .last = last,
                                                           .slope = st.slope.data(),
                                                           .d = dv,
                                                           .z = zv,
                                                           .zraw = st.zraw.data(),
                                                           .any_nan = &any_nan});
            if (!any_nan) {
                const double* const sl = st.slope.data();
                const double* const zraw = st.zraw.data();
                for (int k = 1; k <= last; ++k) {
                    if (visitOwned(k)) break;
                    addSample(m++, zraw[k], sl[k]);  // sample m == step k: no step is skipped
                }
                st.m = m, st.hull_n = hull_n, st.stim = stim, st.stim_idx = stim_idx;
                continue;
            }
        }
        for (int k = 1; k <= last; ++k) {
            const double minor = k * mps;
            const int lo = floorInt(minor);
            const double t = minor - lo;
            double z;
            float za, zb;
            if (k <= inside) {
                const float* pa = centre + k * major_stride + lo * minor_stride;
                za = pa[0];
                zb = pa[minor_stride];
            } else {
                int ca, ra, cb, rb;
                if (ray.x_major) {
                    ca = cb = cc + sign * k;
                    ra = rr + lo;
                    rb = ra + 1;
                } else {
                    ra = rb = rr + sign * k;
                    ca = cc + lo;
                    cb = ca + 1;
                }
                // Past the last row or column of samples on either side of the minor axis (within
                // a pixel of the DEM's edge) the edge's sample stands for both, so that the pixels
                // of the outermost rows and columns are reached; the ray ends where neither is on
                // the DEM (or it leaves the DEM along its major axis).
                const bool a_in = ca >= 0 && ra >= 0 && ca < w && ra < h;
                const bool b_in = cb >= 0 && rb >= 0 && cb < w && rb < h;
                if (!a_in && !b_in) break;
                za = a_in ? dem.at(ca, ra) : dem.at(cb, rb);
                zb = b_in ? dem.at(cb, rb) : za;
            }
            z = za + t * (zb - za);
            if (std::isnan(z)) {
                if (std::isnan(za) && std::isnan(zb)) break;  // off the DEM: nothing further along this ray
                z = std::isnan(za) ? zb : za;
            }
            if (visitOwned(k)) break;
            // The sample, in the straight-ray frame: z - d^2 / (2 a_e).
            const int i = m++;
            const double d_km = k * step_km;
            const double zi = z - ce_half * d_km * d_km;
            dv[i] = d_km;
            zv[i] = zi;
            addSample(i, z, (zi - hts) * (inv_k[static_cast<size_t>(k)] * inv_step_km));
        }
        st.m = m, st.hull_n = hull_n, st.stim = stim, st.stim_idx = stim_idx;
    }
}

}  // namespace

void sitePixel(const GeoTransform& gt, PointXY site, int& col, int& row) {
    col = static_cast<int>(std::lround(gt.colOf(site.x_m)));
    row = static_cast<int>(std::lround(gt.rowOf(site.y_m)));
}

bool placeWindow(const DemGrid& dem, PointXY site, int n, SectorWindow& out) {
    sitePixel(dem.geoTransform(), site, out.center_col, out.center_row);
    out.col0 = std::max(0, out.center_col - n);
    out.row0 = std::max(0, out.center_row - n);
    out.width = std::max(0, std::min(dem.width() - 1, out.center_col + n) - out.col0 + 1);
    out.height = std::max(0, std::min(dem.height() - 1, out.center_row + n) - out.row0 + 1);
    const size_t cells = static_cast<size_t>(out.width) * out.height;
    out.loss_dB.assign(cells, kNaNf);
    out.signal_dBm.clear();  // applyAntenna()'s
    out.bearing_deg.assign(cells, 0.0f);
    out.elevation_deg.assign(cells, 0.0f);
    return cells > 0;
}

void storePixel(int px, int py, double dx_m, double dy_m, double dist_m, double hts_m, double hrs_m, double loss_dB,
                const Grid<float>* clutter_dB, SectorWindow& out) {
    if (clutter_dB) {
        const float c = clutter_dB->at(px, py);
        if (std::isfinite(c)) loss_dB += c;
    }
    constexpr double kDegPerRad = 57.29577951308232;
    const size_t idx = static_cast<size_t>(py - out.row0) * out.width + (px - out.col0);
    out.loss_dB[idx] = static_cast<float>(loss_dB);
    out.bearing_deg[idx] = static_cast<float>(kDegPerRad * fast::atan2(dx_m, dy_m));
    out.elevation_deg[idx] =
        static_cast<float>(kDegPerRad * fast::atan2(hrs_m - hts_m, std::max(dist_m, 1.0)));
}

namespace {
// What the deferred pass needs of one sweep: geometry, the transmitter, and per pixel either the
// knife edge's v (Bullington, free space) or the loss the model gave (every other model).
struct DeferredPass {
    const float* dem = nullptr;      // the whole DEM, row-major
    const float* clutter = nullptr;  // receiver clutter loss, DEM geometry; null = none
    int dem_width = 0;
    GeoTransform gt;
    double tx_x_m = 0.0, tx_y_m = 0.0, hts_m = 0.0, rx_height_m = 0.0, fspl_f_dB = 0.0;
    const double* v = nullptr;  // window-sized: v (-inf without diffraction) or the loss; NaN = not this pass's
    bool from_v = true;
    double v_scale = 1.0;  // v at this carrier over the v stored (a shared walk: sqrt(f / f_ref))
    SectorWindow* out = nullptr;
    int row_begin = 0, row_end = 0;  // the window's rows this call takes
};

// One row of the deferred pass: free-space loss over the slant path and Bullington's loss from v
// (kFromV) or the model's loss as given, then the clutter, bearing and elevation: what evaluate()
// and storePixel() do, operation for operation, so the values are the same. The whole row is
// written (from its first to its last v); pixels the sweep stored itself are put back afterwards.
// No branch on the pixel: the loop vectorises.
template <bool kClutter, bool kFromV>
[[gnu::always_inline]] inline void deferredRow(const DeferredPass& a, int r) {
    constexpr double kDegPerRad = 57.29577951308232;
    SectorWindow& w = *a.out;
    const int py = w.row0 + r, n = w.width;
    const size_t base = static_cast<size_t>(r) * static_cast<size_t>(n);
    const double dy_m = a.gt.centerY(py) - a.tx_y_m;
    const float* __restrict g = a.dem + static_cast<ptrdiff_t>(py) * a.dem_width + w.col0;
    const float* __restrict cl = kClutter ? a.clutter + static_cast<ptrdiff_t>(py) * a.dem_width + w.col0 : nullptr;
    const double* __restrict v = a.v + base;
    float* __restrict loss = w.loss_dB.data() + base;
    float* __restrict bearing = w.bearing_deg.data() + base;
    float* __restrict elevation = w.elevation_deg.data() + base;
    // Only the row's span from its first to its last v (the disc's chord of the square): beyond
    // it, placeWindow()'s NaN loss and zero directions are what the pass would write.
    int c0, c1;
    simd::valueSpan(v, n, c0, c1);
    for (int c = c0; c < c1; ++c) {
        const double dx_m = a.gt.centerX(w.col0 + c) - a.tx_x_m;
        const double dist_m = std::sqrt(dx_m * dx_m + dy_m * dy_m);
        const double D_km = dist_m / 1000.0;
        const double hrs = g[c] + a.rx_height_m;
        double l;
        if constexpr (kFromV) {
            const double dh_km = (a.hts_m - hrs) / 1000.0;
            l = a.fspl_f_dB + 10.0 * fast::log10(std::max(D_km * D_km + dh_km * dh_km, 1e-6));
            // J(v) [P.526-15 eq. (31)], 0 for v <= -0.78, and the distance correction [eq. (52)].
            // Written so that every table lookup (log, exp) runs on every pixel: a lookup inside
            // one arm of a select is a load the compiler cannot move out of it, which stops
            // vectorisation. The argument is clamped so the unused value stays finite, and the
            // selects are products with 0 or 1 (exact: j and corr are finite and >= 0).
            const double vc = v[c] * a.v_scale;  // x * 1 = x: unshared sweeps are unchanged
            const double t = std::max(-0.78, vc) - 0.1;
            const double j = (6.9 + 20.0 * fast::log10(std::sqrt(t * t + 1.0) + t)) * (vc > -0.78 ? 1.0 : 0.0);
            const double corr = j + (1.0 - fast::exp(-j / 6.0)) * (10.0 + 0.02 * D_km);
            l += corr * (j > 0.0 ? 1.0 : 0.0);
        } else {
            l = v[c];
        }
        if constexpr (kClutter) {
            const float k = cl[c];
            const double with = l + k;
            l = k - k == 0.0f ? with : l;  // finite clutter only
        }
        const float az = static_cast<float>(kDegPerRad * fast::atan2(dx_m, dy_m));
        const float el = static_cast<float>(kDegPerRad * fast::atan2(hrs - a.hts_m, std::max(dist_m, 1.0)));
        // Every pixel of the row is written without a branch (a value used in one arm of a select
        // is computed inside a branch, which stops vectorisation): NaN loss and zero directions
        // where the pass has no v, as placeWindow() leaves them; x * 1 + 0 = x exactly.
        const bool mine = v[c] == v[c];
        const float keep = mine ? 1.0f : 0.0f;
        loss[c] = static_cast<float>(l + (mine ? 0.0 : std::numeric_limits<double>::quiet_NaN()));
        bearing[c] = az * keep + 0.0f;
        elevation[c] = el * keep + 0.0f;
    }
}

// The deferred pass over a window.
[[gnu::always_inline]] inline void deferredPassBody(const DeferredPass& a) {
    for (int r = a.row_begin; r < a.row_end; ++r) {
        if (a.from_v) {
            if (a.clutter) deferredRow<true, true>(a, r);
            else deferredRow<false, true>(a, r);
        } else {
            if (a.clutter) deferredRow<true, false>(a, r);
            else deferredRow<false, false>(a, r);
        }
    }
}

// The parametric antenna over a window: signal = EIRP - reference offset - attenuation - loss.
struct AntennaPass {
    ParametricPattern::Parametric att;
    double az = 0.0;  // boresight, [0, 360)
    double eirp_ref_dBm = 0.0;
    const float* loss = nullptr;
    const float* bearing = nullptr;
    const float* elevation = nullptr;
    float* out = nullptr;
    size_t n = 0;
};

// Branch-free (NaN losses give NaN signals): bearings lie in [-180, 180] and the azimuth in
// [0, 360), so one turn at most brings the difference back to [-180, 180), as wrapAngle_deg() does.
// kTurned: a mechanically tilted sector, each direction taken into the antenna's frame first.
template <bool kTurned>
[[gnu::always_inline]] inline void antennaPassBody(const AntennaPass& a) {
    const float* __restrict loss = a.loss;
    const float* __restrict bearing = a.bearing;
    const float* __restrict elevation = a.elevation;
    float* __restrict out = a.out;
    for (size_t i = 0; i < a.n; ++i) {
        double rel = bearing[i] - a.az;
        rel -= 360.0 * static_cast<double>(rel >= 180.0);
        rel += 360.0 * static_cast<double>(rel < -180.0);
        const double att = kTurned ? a.att.turnedAttenuation(rel, elevation[i]) : a.att(rel, elevation[i]);
        out[i] = static_cast<float>(a.eirp_ref_dBm - att - loss[i]);
    }
}
}  // namespace

void applyAntenna(const Sector& s, SectorWindow& win, int threads) {
    const size_t n = win.loss_dB.size();
    win.signal_dBm.resize(n);
    const double eirp_ref_dBm = s.eirp_dBm - s.reference_offset_dB;
    const float* loss = win.loss_dB.data();
    const float* bearing = win.bearing_deg.data();
    const float* elevation = win.elevation_deg.data();
    float* out = win.signal_dBm.data();
    const ParametricPattern& p = s.pattern;
    // A measured pattern: the pattern's own function, pixel by pixel.
    if (p.msi) {
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static) if (threads > 1)
        for (long long i = 0; i < static_cast<long long>(n); ++i) {
            out[i] = static_cast<float>(eirp_ref_dBm - p.attenuation_dB(bearing[i], elevation[i]) - loss[i]);
        }
        return;
    }
    double az = std::fmod(p.azimuth_deg.value_or(0.0), 360.0);
    if (az < 0.0) az += 360.0;
    // Chunks of 65,536 pixels, on @p threads threads (each pixel on its own: any count, same bits).
    constexpr size_t kChunk = 65536;
    const long long chunks = static_cast<long long>((n + kChunk - 1) / kChunk);
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(dynamic, 1) if (threads > 1 && chunks > 1)
    for (long long c = 0; c < chunks; ++c) {
        const size_t i0 = static_cast<size_t>(c) * kChunk, m = std::min(kChunk, n - i0);
        const AntennaPass pass{p.parametric(), az, eirp_ref_dBm, loss + i0, bearing + i0, elevation + i0, out + i0, m};
        // A mechanically tilted sector turns each direction into its frame (TR 38.901 eqs. (7.1-7),
        // (7.1-8)) with fast_math.hpp's functions, in the same lanes.
        if (p.turned()) simd::byIsa<AntennaPass, antennaPassBody<true>>(pass);
        else simd::byIsa<AntennaPass, antennaPassBody<false>>(pass);
    }
}

std::vector<int> pathLossGroups(const std::vector<Sector>& sectors) {
    std::map<std::array<double, 4>, int> ordinal;  // all the sweep reads of a sector
    std::vector<int> out;
    out.reserve(sectors.size());
    for (const Sector& s : sectors) {
        const std::array<double, 4> key{s.xy.x_m, s.xy.y_m, s.antenna_height_m, s.freq_MHz};
        out.push_back(ordinal.emplace(key, static_cast<int>(ordinal.size())).first->second);
    }
    return out;
}

void SharedWalk::keep(const double* v, size_t n) {
    pixels = n;
    runs.clear();
    values.clear();
    auto kindOf = [](double x) -> uint32_t { return x != x ? 0u : x == -std::numeric_limits<double>::infinity() ? 1u : 2u; };
    constexpr uint32_t kMaxRun = (1u << 30) - 1;
    for (size_t i = 0; i < n;) {
        const uint32_t kind = kindOf(v[i]);
        size_t j = i;
        while (j < n && j - i < kMaxRun && kindOf(v[j]) == kind) {
            if (kind == 2) values.push_back(static_cast<float>(v[j]));
            ++j;
        }
        runs.push_back(kind << 30 | static_cast<uint32_t>(j - i));
        i = j;
    }
    runs.shrink_to_fit();
    values.shrink_to_fit();
}

void SharedWalk::restore(double* v) const {
    size_t i = 0, k = 0;
    for (const uint32_t r : runs) {
        const uint32_t kind = r >> 30, len = r & ((1u << 30) - 1);
        if (kind == 2) {
            for (uint32_t j = 0; j < len; ++j) v[i + j] = values[k + j];
            k += len;
        } else {
            std::fill(v + i, v + i + len, kind == 0 ? kNaNd : -std::numeric_limits<double>::infinity());
        }
        i += len;
    }
}

bool walkShareable(const models::ModelParams& model, double f_MHz) {
    const models::ModelKind kind = models::kindAt(model.kind, f_MHz);
    return !model.hasTerminalLosses() && (kind == models::ModelKind::P526Bullington || kind == models::ModelKind::FreeSpace);
}

std::vector<int> walkShareClasses(const std::vector<Sector>& sectors, const models::ModelParams& model,
                                  std::vector<double>& ref_MHz) {
    std::map<std::array<double, 4>, int> ordinal;  // position, antenna height and model of a class
    std::vector<int> out;
    out.reserve(sectors.size());
    std::vector<std::pair<int, double>> first;  // each class's first technology and carrier
    std::vector<bool> several;                  // whether a class holds more than one of them
    ref_MHz.clear();
    for (const Sector& s : sectors) {
        if (!walkShareable(model, s.freq_MHz)) {
            out.push_back(-1);
            continue;
        }
        const models::ModelKind kind = models::kindAt(model.kind, s.freq_MHz);
        const std::array<double, 4> key{s.xy.x_m, s.xy.y_m, s.antenna_height_m, static_cast<double>(kind)};
        const auto [it, added] = ordinal.emplace(key, static_cast<int>(ordinal.size()));
        const size_t c = static_cast<size_t>(it->second);
        if (added) {
            first.emplace_back(static_cast<int>(s.tech), s.freq_MHz);
            several.push_back(false);
            ref_MHz.push_back(s.freq_MHz);
        } else {
            several[c] = several[c] || first[c] != std::pair<int, double>(static_cast<int>(s.tech), s.freq_MHz);
            ref_MHz[c] = std::min(ref_MHz[c], s.freq_MHz);
        }
        out.push_back(it->second);
    }
    for (size_t c = 0; c < ref_MHz.size(); ++c) {
        if (!several[c]) ref_MHz[c] = 0.0;
    }
    return out;
}

PointXY transmitterPoint(const GeoTransform& gt, PointXY site) {
    int col = 0, row = 0;
    sitePixel(gt, site, col, row);
    return {gt.centerX(col), gt.centerY(row)};
}

void sweepSector(const DemGrid& dem, const Sector& s, const SweepOptions& opt, RadialPlans& plans, SectorWindow& out,
                 SweepScratch& st, uint32_t* warnings) {
    sweepLoss(dem, s, opt, plans, out, st, warnings);
    applyAntenna(s, out);
}

void sweepLoss(const DemGrid& dem, const Sector& s, const SweepOptions& opt, RadialPlans& plans, SectorWindow& out,
               SweepScratch& st, uint32_t* warnings) {
    const GeoTransform& gt = dem.geoTransform();
    const int n = plans.radius_px();
    if (!placeWindow(dem, s.xy, n, out)) return;
    const int cc = out.center_col, rr = out.center_row;
    const PointXY tx = transmitterPoint(gt, s.xy);

    models::ModelParams mp = opt.model;
    mp.kind = models::kindAt(mp.kind, s.freq_MHz);
    const RadialPlan& plan = plans.get(raysPerBorderCell(mp.kind, std::min(gt.pixel_width_m, gt.pixel_height_m)));
    const bool incremental = hasIncrementalForm(mp.kind);
    const bool terminal_losses = mp.hasTerminalLosses();
    const double ce_per_km = 1.0 / (mp.k_factor * kEarthRadius_m / 1000.0);
    double h0 = dem.at(cc, rr);
    if (std::isnan(h0)) h0 = sampleBilinear(dem, gt.colOf(s.xy.x_m), gt.rowOf(s.xy.y_m));
    Link L{};
    L.hts = h0 + s.antenna_height_m;
    L.f_MHz = s.freq_MHz;
    L.fspl_f_dB = 32.45 + 20.0 * std::log10(s.freq_MHz);
    L.lambda_m = kSpeedOfLight_m_s / (s.freq_MHz * 1e6);
    L.tx_h = s.antenna_height_m;
    L.rx_h = opt.rx_height_m;
    const double r2 = opt.radius_m * opt.radius_m;

    // The clutter and the directions (and for Bullington and free space the loss formulas: the
    // sweep keeps only each pixel's v) are left to a pass over the window after the sweep, which
    // vectorises. A sweep that keeps only v is one whose walk co-sited carriers can share: one rule.
    const bool from_v = walkShareable(mp, s.freq_MHz);
    // A walk shared with the other carriers of this site and antenna height (SharedWalk): v is
    // found at the class's lowest carrier, rounded to float, and scaled to this carrier after.
    const bool shared = from_v && !opt.only_pixels && opt.walk_ref_MHz > 0.0;
    const double v_scale = shared ? std::sqrt(s.freq_MHz / opt.walk_ref_MHz) : 1.0;
    if (shared) L.lambda_m = kSpeedOfLight_m_s / (opt.walk_ref_MHz * 1e6);
    const bool reuse = shared && opt.walk_in && opt.walk_in->filled && opt.walk_in->pixels == out.loss_dB.size();
    st.v.assign(out.loss_dB.size(), kNaNd);
    st.direct.clear();
    double* const v_out = st.v.data();
    const bool itm = mp.kind == models::ModelKind::Itm;
    // Point queries (opt.only_pixels): the window's pixels wanted, their rows, and the rays that
    // own them (for ITM the first ray of their block; see below).
    std::vector<uint8_t> wanted, wanted_row;
    std::vector<size_t> point_rays;
    if (opt.only_pixels) {
        wanted.assign(out.loss_dB.size(), 0);
        wanted_row.assign(static_cast<size_t>(out.height), 0);
        const size_t w = static_cast<size_t>(dem.width());
        for (const size_t p : *opt.only_pixels) {
            const int px = static_cast<int>(p % w), py = static_cast<int>(p / w);
            if (px < out.col0 || py < out.row0 || px >= out.col0 + out.width || py >= out.row0 + out.height) continue;
            wanted[static_cast<size_t>(py - out.row0) * static_cast<size_t>(out.width) + static_cast<size_t>(px - out.col0)] = 1;
            wanted_row[static_cast<size_t>(py - out.row0)] = 1;
            const int ri = plan.ownerOf(px - cc, py - rr);
            if (ri >= 0) point_rays.push_back(itm ? static_cast<size_t>(ri) / kRaysPerBlock * kRaysPerBlock : static_cast<size_t>(ri));
        }
        std::sort(point_rays.begin(), point_rays.end());
        point_rays.erase(std::unique(point_rays.begin(), point_rays.end()), point_rays.end());
    }
    // ITM reuses delta_h across the rays of a block, so its values depend on every pixel the block
    // evaluated before: point queries evaluate whole blocks for it, other models only the points.
    const bool filter_pixels = opt.only_pixels && !itm;
    // One evaluation's warnings @p w: into the thread's union and its tally.
    auto note = [](SweepScratch& ws, uint32_t* warn, uint32_t w) {
        *warn |= w;
        tallyWarnings(ws.warn_count, w);
    };
    // Per pixel, with the radial's scratch @p ws, a link @p Lw and warnings @p warn of the walking
    // thread (every pixel belongs to one ray: threads write distinct pixels).
    auto emit = [&](SweepScratch& ws, Link& Lw, uint32_t* warn, int px, int py, double h_rx_ground) {
        const size_t idx = static_cast<size_t>(py - out.row0) * static_cast<size_t>(out.width) + static_cast<size_t>(px - out.col0);
        if (filter_pixels && !wanted[idx]) return;
        const double dx_m = gt.centerX(px) - tx.x_m, dy_m = gt.centerY(py) - tx.y_m;
        const double d2 = dx_m * dx_m + dy_m * dy_m;
        if (d2 > r2) return;
        const double dist_m = std::sqrt(d2);
        Lw.D_km = dist_m / 1000.0;
        Lw.hrs = h_rx_ground + opt.rx_height_m;
        if (!(Lw.D_km * 1000.0 < 1e-3 || ws.m < 2)) {
            uint32_t w = 0;
            v_out[idx] = !from_v ? evaluate(mp, incremental, terminal_losses, ws, Lw, h_rx_ground, &w)
                         : mp.kind == models::ModelKind::P526Bullington ? bullingtonV(ws, Lw)
                                                                         : -std::numeric_limits<double>::infinity();
            note(ws, warn, w);
            return;
        }
        // The site's own pixel (and any before the ray's second sample): a two-point profile
        // (free space for the terrain models), stored here and put back after the pass.
        Profile two;
        two.d_km = {0.0, std::max(Lw.D_km, 1e-6)};
        two.h_m = {h0, h_rx_ground};
        const models::PathLoss pl = models::pathLossOverProfile(mp, two, Lw.tx_h, Lw.rx_h, Lw.f_MHz);
        note(ws, warn, pl.warnings & ~models::kWarnShortPath);
        storePixel(px, py, dx_m, dy_m, dist_m, Lw.hts, Lw.hrs, pl.loss_dB, opt.clutter_loss_dB, out);
        ws.direct.push_back({idx, out.loss_dB[idx], out.bearing_deg[idx], out.elevation_deg[idx]});
    };

    // The site's own pixel.
    const bool keep_hull = mp.kind == models::ModelKind::P526Bullington || itm;
    st.reset(n, h0, ce_per_km, !incremental, keep_hull, itm);
    st.warn_count.fill(0);
    uint32_t warn_all = 0;
    if (reuse) {
        // The class's walk, made for another carrier: its v, and the pixels it evaluated itself
        // (the site's), which depend on the carrier, evaluated again for this one.
        opt.walk_in->restore(v_out);
        for (const size_t idx : opt.walk_in->direct) {
            const int px = out.col0 + static_cast<int>(idx % static_cast<size_t>(out.width));
            const int py = out.row0 + static_cast<int>(idx / static_cast<size_t>(out.width));
            st.m = 1;
            emit(st, L, &warn_all, px, py, dem.at(px, py));
        }
        st.warn_count[32] += opt.walk_in->evaluations;
        if (opt.progress) opt.progress(1.0);
    } else if (!std::isnan(dem.at(cc, rr))) {
        emit(st, L, &warn_all, cc, rr, dem.at(cc, rr));
    }
    // The rays, in blocks of kRaysPerBlock (angular sectors), on opt.threads threads. A block
    // starts afresh (ITM's delta_h reuse does not cross blocks), so the result is the same at any
    // thread count.
    const size_t n_rays = plan.rays().size();
    // The units of work: ranges of rays, each walked afresh. A full sweep: every block. Point
    // queries: the rays owning the points, or for ITM the blocks holding those rays.
    std::vector<std::pair<size_t, size_t>> units;
    if (reuse) {
        // nothing to walk
    } else if (!opt.only_pixels) {
        for (size_t r0 = 0; r0 < n_rays; r0 += kRaysPerBlock) units.emplace_back(r0, std::min(n_rays, r0 + kRaysPerBlock));
    } else {
        for (const size_t r : point_rays) units.emplace_back(r, std::min(n_rays, r + (itm ? kRaysPerBlock : 1)));
    }
    const long long n_blocks = static_cast<long long>(units.size());
    const int threads = static_cast<int>(std::clamp<long long>(opt.threads, 1, std::max(1LL, n_blocks)));
    while (static_cast<int>(st.workers.size()) < threads - 1) st.workers.push_back(std::make_unique<SweepScratch>());
    for (auto& w : st.workers) w->direct.clear(), w->warn_count.fill(0);
    std::atomic<long long> blocks_done{0};
    ParallelErrors errors;  // a model's InputError (ITM out of its domain, say) leaves the region through it
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) reduction(| : warn_all)
    for (long long b = 0; b < n_blocks; ++b) {
        errors.run(b, [&] {
            const int t = threads > 1 ? omp_get_thread_num() : 0;
            SweepScratch& ws = t == 0 ? st : *st.workers[static_cast<size_t>(t) - 1];
            if (&ws != &st) ws.reset(n, h0, ce_per_km, !incremental, keep_hull, itm);
            ws.beginSector(plan.oversample(), n);
            Link Lw = L;
            const auto [r0, r1] = units[static_cast<size_t>(b)];
            forEachRaySample(dem, plan, r0, r1, cc, rr, h0, ce_per_km, L.hts, ws,
                             [&](int px, int py, double g) { emit(ws, Lw, &warn_all, px, py, g); });
            if (opt.progress && (threads == 1 || omp_get_thread_num() == 0)) {
                const long long d = ++blocks_done;
                opt.progress(static_cast<double>(d) / static_cast<double>(n_blocks));
            } else {
                ++blocks_done;
            }
        });
    }
    errors.rethrow();
    if (warnings) *warnings |= warn_all;
    if (opt.warning_counts) {
        addTally(*opt.warning_counts, st.warn_count);
        for (int t = 1; t < threads; ++t) addTally(*opt.warning_counts, st.workers[static_cast<size_t>(t) - 1]->warn_count);
    }
    for (int t = 1; t < threads; ++t) {
        auto& d = st.workers[static_cast<size_t>(t) - 1]->direct;
        st.direct.insert(st.direct.end(), d.begin(), d.end());
        d.clear();
    }
    if (shared && !reuse) {
        // Rounded to float whether or not the walk is kept, so that every carrier of the class
        // sees the same v whichever of them walked; v <= -0.78 at the lowest carrier is -inf
        // (no loss at any carrier, as J(v) = 0 there: the pass gives the same bits for both).
        long long evaluations = 0;
        for (double& x : st.v) {
            x = static_cast<float>(x);
            if (x <= -0.78) x = -std::numeric_limits<double>::infinity();
            evaluations += x == x ? 1 : 0;
        }
        if (opt.walk_out) {
            SharedWalk& keep = *opt.walk_out;
            keep.keep(st.v.data(), st.v.size());
            keep.direct.clear();
            for (const auto& d : st.direct) keep.direct.push_back(d.idx);
            keep.evaluations = evaluations;
            keep.filled = true;
        }
    }
    {
        // Rows are independent: blocks of 32 over the same threads.
        const int row_blocks = (out.height + 31) / 32;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int rb = 0; rb < row_blocks; ++rb) {
            if (opt.only_pixels && std::none_of(wanted_row.begin() + 32 * rb, wanted_row.begin() + std::min(out.height, 32 * rb + 32),
                                                [](uint8_t f) { return f != 0; }))
                continue;
            simd::byIsa<DeferredPass, deferredPassBody>({.dem = dem.data().data(),
                                                         .clutter = opt.clutter_loss_dB ? opt.clutter_loss_dB->data().data() : nullptr,
                                                         .dem_width = dem.width(),
                                                         .gt = gt,
                                                         .tx_x_m = tx.x_m,
                                                         .tx_y_m = tx.y_m,
                                                         .hts_m = L.hts,
                                                         .rx_height_m = opt.rx_height_m,
                                                         .fspl_f_dB = L.fspl_f_dB,
                                                         .v = st.v.data(),
                                                         .from_v = from_v,
                                                         .v_scale = v_scale,
                                                         .out = &out,
                                                         .row_begin = 32 * rb,
                                                         .row_end = std::min(out.height, 32 * rb + 32)});
        }
        for (const auto& d : st.direct) out.loss_dB[d.idx] = d.loss_dB, out.bearing_deg[d.idx] = d.bearing_deg, out.elevation_deg[d.idx] = d.elevation_deg;
    }
}

Grid<uint8_t> viewshed(const DemGrid& dem, PointXY site, double tx_height_m, double rx_height_m, double radius_m,
                       double k_factor, int threads) {
    const GeoTransform& gt = dem.geoTransform();
    Grid<uint8_t> out(dem.width(), dem.height(), gt, 255, 255);
    const int n = windowRadius_px(dem, radius_m);
    int cc = 0, rr = 0;
    sitePixel(gt, site, cc, rr);
    if (cc < 0 || rr < 0 || cc >= dem.width() || rr >= dem.height()) return out;
    const int nthreads = resolveThreads(threads);
    // The plan of this observer's window clipped to the DEM: the same owners there, and nothing
    // built for the part of the square beyond the DEM's edges.
    const RadialPlan plan(n, gt.pixel_width_m, gt.pixel_height_m, 2, nthreads,
                          RadialPlan::Clip{-cc, -rr, dem.width() - 1 - cc, dem.height() - 1 - rr});
    const PointXY tx = transmitterPoint(gt, site);  // the observer at its pixel centre, as in the coverage sweep
    double h0 = dem.at(cc, rr);
    if (std::isnan(h0)) h0 = sampleBilinear(dem, gt.colOf(site.x_m), gt.rowOf(site.y_m));
    if (std::isnan(h0)) return out;
    const double hts = h0 + tx_height_m;
    const double ce_per_km = 1.0 / (k_factor * kEarthRadius_m / 1000.0);
    const double r2 = radius_m * radius_m;
    if (!std::isnan(dem.at(cc, rr))) out.at(cc, rr) = 1;
    // Visible when no sample between the observer and the pixel rises above the straight ray to
    // the target over the k-factor earth.
    auto visible = [&](int px, int py, double g, int samples, double stim) -> uint8_t {
        const double dx_m = gt.centerX(px) - tx.x_m, dy_m = gt.centerY(py) - tx.y_m;
        const double d2 = dx_m * dx_m + dy_m * dy_m;
        if (d2 > r2) return 255;
        const double D_km = std::sqrt(d2) / 1000.0;
        const double zr = g + rx_height_m - 500.0 * ce_per_km * D_km * D_km;
        return samples < 2 || stim <= (zr - hts) / D_km ? 1 : 0;
    };
    const int w = dem.width(), h = dem.height();
    const bool whole_square_inside = wholeSquareInside(cc, rr, n, w, h);
    const bool small_offsets = sampleOffsetsFit(n, w);
    const float* const centre = dem.data().data() + static_cast<ptrdiff_t>(rr) * w + cc;
    // Blocks of rays over the threads; each pixel is written by the one ray that owns it.
    const size_t n_rays = plan.rays().size();
    const long long blocks = static_cast<long long>((n_rays + kRaysPerBlock - 1) / kRaysPerBlock);
#pragma omp parallel num_threads(nthreads) if (nthreads > 1)
    {
        SweepScratch st;
        st.reset(n, h0, ce_per_km, false, false);
        std::vector<double> slope(static_cast<size_t>(n) + 1), inv_k(static_cast<size_t>(n) + 1, 0.0);
        for (int k = 1; k <= n; ++k) inv_k[static_cast<size_t>(k)] = 1.0 / k;
#pragma omp for schedule(dynamic, 1)
        for (long long b = 0; b < blocks; ++b) {
            const size_t r0 = static_cast<size_t>(b) * kRaysPerBlock;
            for (size_t ri = r0; ri < std::min(n_rays, r0 + kRaysPerBlock); ++ri) {
                const RadialPlan::Ray& ray = plan.rays()[ri];
                if (ray.owned.empty()) continue;
                const int last = ray.owned.back();
                // A ray on the DEM throughout, without voids (nearly all): every sample's slope
                // in one vectorised pass, then the owned pixels against the running maximum.
                // Other rays take the walk, with its edge and void handling.
                bool clean = small_offsets && (whole_square_inside || insideSteps(ray, cc, rr, w, h, last) == last);
                if (clean) {
                    const int sign = majorSign(ray);
                    bool any_nan = false;
                    simd::byIsa<RaySamples, raySamplesBody<false>>({.centre = centre,
                                                                    .major_stride = ray.x_major ? sign : sign * w,
                                                                    .minor_stride = ray.x_major ? w : 1,
                                                                    .mps = ray.minor_per_step,
                                                                    .step_km = ray.step_m / 1000.0,
                                                                    .inv_step_km = 1000.0 / ray.step_m,
                                                                    .ce_half = st.ce_half,
                                                                    .hts = hts,
                                                                    .inv_k = inv_k.data(),
                                                                    .last = last,
                                                                    .slope = slope.data(),
                                                                    .any_nan = &any_nan});
                    clean = !any_nan;
                }
                if (clean) {
                    double stim = -1e300;
                    int folded = 1;  // slopes 1 .. folded - 1 are in stim
                    for (const int k : ray.owned) {
                        for (; folded < k; ++folded) stim = slope[static_cast<size_t>(folded)] > stim ? slope[static_cast<size_t>(folded)] : stim;
                        int dx = 0, dy = 0;
                        double minor_exact = 0.0;
                        RadialPlan::stepOffset(ray, k, dx, dy, minor_exact);
                        const int px = cc + dx, py = rr + dy;
                        const float g = dem.at(px, py);  // a void only at the last step: the pass saw the others
                        if (std::isnan(g)) continue;
                        const uint8_t v = visible(px, py, g, k, stim);
                        if (v != 255) out.at(px, py) = v;
                    }
                    continue;
                }
                forEachRaySample(dem, plan, ri, ri + 1, cc, rr, h0, ce_per_km, hts, st, [&](int px, int py, double g) {
                    const uint8_t v = visible(px, py, g, st.m, st.stim);
                    if (v != 255) out.at(px, py) = v;
                });
            }
        }
    }
    return out;
}

}  // namespace phusong::engine
