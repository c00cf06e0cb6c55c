#include "phusong/core/engine/radial.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "phusong/core/geometry.hpp"
#include "phusong/core/models/free_space.hpp"
#include "phusong/core/models/knife_edge.hpp"

namespace phusong::engine {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
}  // namespace

RadialPlan::RadialPlan(int radius_px, double pw, double ph, int oversample) : m_radius(std::max(1, radius_px)) {
    const int n = m_radius;
    const int q = std::max(1, oversample);
    // Border points every 1/q cell, clockwise from the top-left corner; the order fixes ownership ties.
    std::vector<std::pair<double, double>> ends;
    for (int i = -n * q; i <= n * q; ++i) ends.emplace_back(static_cast<double>(i) / q, -n);
    for (int i = -n * q + 1; i <= n * q; ++i) ends.emplace_back(n, static_cast<double>(i) / q);
    for (int i = n * q - 1; i >= -n * q; --i) ends.emplace_back(static_cast<double>(i) / q, n);
    for (int i = n * q - 1; i > -n * q; --i) ends.emplace_back(-n, static_cast<double>(i) / q);
    m_rays.reserve(ends.size());
    for (const auto& [dx, dy] : ends) {
        Ray r;
        r.end_dx = dx;
        r.end_dy = dy;
        r.x_major = std::abs(dx) == static_cast<double>(n);
        r.step_m = r.x_major ? std::hypot(pw, ph * dy / static_cast<double>(n)) : std::hypot(pw * dx / static_cast<double>(n), ph);
        m_rays.push_back(r);
    }
    // Ownership: each pixel goes to the ray passing closest to its centre (lower index on ties).
    const int side = 2 * n + 1;
    std::vector<float> best_err(static_cast<size_t>(side) * side, 2.0f);
    std::vector<int> owner(static_cast<size_t>(side) * side, -1);
    for (size_t ri = 0; ri < m_rays.size(); ++ri) {
        for (int k = 1; k <= n; ++k) {
            int dx = 0, dy = 0;
            double minor = 0.0;
            stepOffset(m_rays[ri], n, k, dx, dy, minor);
            const float err = static_cast<float>(std::abs(minor - std::round(minor)));
            const size_t idx = static_cast<size_t>(dy + n) * side + (dx + n);
            if (err < best_err[idx]) {
                best_err[idx] = err;
                owner[idx] = static_cast<int>(ri);
            }
        }
    }
    for (size_t ri = 0; ri < m_rays.size(); ++ri) {
        for (int k = 1; k <= n; ++k) {
            int dx = 0, dy = 0;
            double minor = 0.0;
            stepOffset(m_rays[ri], n, k, dx, dy, minor);
            if (owner[static_cast<size_t>(dy + n) * side + (dx + n)] == static_cast<int>(ri)) m_rays[ri].owned.push_back(k);
        }
    }
}

void RadialPlan::stepOffset(const Ray& ray, int n, int k, int& dx, int& dy, double& minor) {
    if (ray.x_major) {
        dx = ray.end_dx > 0 ? k : -k;
        minor = static_cast<double>(k) * ray.end_dy / n;
        dy = static_cast<int>(std::lround(minor));
    } else {
        dy = ray.end_dy > 0 ? k : -k;
        minor = static_cast<double>(k) * ray.end_dx / n;
        dx = static_cast<int>(std::lround(minor));
    }
}

bool hasIncrementalForm(models::ModelKind k) {
    using models::ModelKind;
    return k == ModelKind::FreeSpace || k == ModelKind::Hata || k == ModelKind::Cost231 || k == ModelKind::P526Bullington ||
           models::isTr38901(k);
}

// The state of one radial as the receiver moves outward.
struct SweepScratch {
    Profile profile;         // samples 0..k-1 (0 = the site)
    std::vector<double> z;   // heights in the straight-ray frame: h - d^2 / (2 a_e)
    std::vector<int> hull;   // upper convex hull of intermediate samples (indices >= 1)
    double stim = -1e300;    // max (z_i - h_ts) / d_i over intermediate samples
    double ce_half = 0.0;    // 500 C_e: metres of bulge per km^2

    void reset(double h0, double ce_per_km) {
        profile.d_km.assign(1, 0.0);
        profile.h_m.assign(1, h0);
        z.assign(1, h0);
        hull.clear();
        stim = -1e300;
        ce_half = 500.0 * ce_per_km;
    }
    // Appends a sample that becomes an intermediate point for every receiver beyond it.
    void push(double d_km, double h_m, double hts) {
        const int i = static_cast<int>(profile.d_km.size());
        profile.d_km.push_back(d_km);
        profile.h_m.push_back(h_m);
        const double zi = h_m - ce_half * d_km * d_km;
        z.push_back(zi);
        stim = std::max(stim, (zi - hts) / d_km);
        // Andrew's monotone chain, upper hull: drop the last vertex while it lies on or below
        // the segment from the one before it to the new point.
        while (hull.size() >= 2) {
            const int a = hull[hull.size() - 2], b = hull.back();
            const double da = profile.d_km[a], db = profile.d_km[b];
            if ((z[b] - z[a]) * (d_km - da) <= (zi - z[a]) * (db - da)) hull.pop_back();
            else break;
        }
        hull.push_back(i);
    }
    // Largest (z_j - zr) / (D - d_j) over hull vertices: the receiver's horizon slope in the
    // straight-ray frame. The function is unimodal along an upper hull seen from its right.
    double rxSlope(double D, double zr) const {
        auto g = [&](size_t j) { return (z[hull[j]] - zr) / (D - profile.d_km[hull[j]]); };
        size_t lo = 0, hi = hull.size() - 1;
        while (lo < hi) {
            const size_t mid = (lo + hi) / 2;
            if (g(mid) < g(mid + 1)) lo = mid + 1;
            else hi = mid;
        }
        return g(lo);
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
    double lambda_m;
    double tx_h, rx_h;
};

// Diffraction parameter of intermediate sample i for the chord between heights ha at da and hb at db
// (km, m), earth bulge included [P.526-15 eq. (26)].
inline double edgeNu(const SweepScratch& st, int i, double da, double ha, double db, double hb, double lambda_m) {
    const double d1 = st.profile.d_km[i] - da, d2 = db - st.profile.d_km[i], dab = db - da;
    if (d1 <= 0.0 || d2 <= 0.0) return -1e300;
    const double clearance = st.profile.h_m[i] + st.ce_half * d1 * d2 - (ha * d2 + hb * d1) / dab;
    return clearance * std::sqrt(0.002 * dab / (lambda_m * d1 * d2));
}

// Bullington [P.526-15 §4.5.1, eqs. (47)-(52)]: the knife edge where the transmitter's and the
// receiver's horizon rays cross; on clear paths, the intermediate point of highest v (over hull
// vertices: the points that can be highest above any chord).
double bullingtonFast(const SweepScratch& st, const Link& L) {
    const double D = L.D_km;
    const double zr = L.hrs - st.ce_half * D * D;
    const double str = (zr - L.hts) / D;
    double luc;
    if (st.stim < str) {
        double vmax = -1e300;
        for (int j : st.hull) vmax = std::max(vmax, edgeNu(st, j, 0.0, L.hts, D, L.hrs, L.lambda_m));
        luc = models::knifeEdgeLoss_dB(vmax);
    } else {
        // Back to the chord frame of the reference: S_tim = stim + 500 C_e D, S_rim = srim - 500 C_e D.
        const double stim = st.stim + st.ce_half * D;
        const double srim = st.rxSlope(D, zr) - st.ce_half * D;
        const double db = (L.hrs - L.hts + srim * D) / (stim + srim);
        const double vb = (L.hts + stim * db - (L.hts * (D - db) + L.hrs * db) / D) *
                          std::sqrt(0.002 * D / (L.lambda_m * db * (D - db)));
        luc = models::knifeEdgeLoss_dB(vb);
    }
    return luc + (1.0 - std::exp(-luc / 6.0)) * (10.0 + 0.02 * D);
}

// Path loss to the receiver at (D, ground h_rx), the scratch holding samples 0..k-1.
models::PathLoss evaluate(const models::ModelParams& mp, SweepScratch& st, const Link& L, double h_rx_ground, uint32_t* warnings) {
    using models::ModelKind;
    const bool fast = hasIncrementalForm(mp.kind) && st.profile.size() >= 2 && st.profile.d_km.back() < L.D_km;
    if (!fast) {
        st.profile.d_km.push_back(L.D_km);
        st.profile.h_m.push_back(h_rx_ground);
        models::PathLoss pl = models::pathLossOverProfile(mp, st.profile, L.tx_h, L.rx_h, L.f_MHz);
        st.profile.d_km.pop_back();
        st.profile.h_m.pop_back();
        if (warnings) *warnings |= pl.warnings & ~models::kWarnShortPath;
        return pl;
    }
    models::PathLoss pl;
    pl.model = mp.kind;
    pl.distance_m = L.D_km * 1000.0;
    const double slant_km = std::hypot(L.D_km, (L.hts - L.hrs) / 1000.0);
    switch (mp.kind) {
        case ModelKind::FreeSpace: pl.loss_dB = models::freeSpaceLoss_dB(L.f_MHz, std::max(slant_km, 1e-3)); break;
        case ModelKind::P526Bullington:
            pl.loss_dB = models::freeSpaceLoss_dB(L.f_MHz, std::max(slant_km, 1e-3)) + bullingtonFast(st, L);
            break;
        default: {
            // Empirical models over the horizontal distance; TR 38.901 takes LOS from the terrain.
            const double zr = L.hrs - st.ce_half * L.D_km * L.D_km;
            const bool los = st.stim <= (zr - L.hts) / L.D_km;
            pl = models::pathLossWithLos(mp, L.D_km, L.tx_h, L.rx_h, L.f_MHz, los);
            if (warnings) *warnings |= pl.warnings;
            return pl;
        }
    }
    models::addTerminalLosses(mp, L.f_MHz, L.rx_h, pl);
    return pl;
}

}  // namespace

bool placeWindow(const DemGrid& dem, PointXY site, int n, SectorWindow& out) {
    const GeoTransform& gt = dem.geoTransform();
    out.center_col = static_cast<int>(std::lround(gt.colOf(site.x_m)));
    out.center_row = static_cast<int>(std::lround(gt.rowOf(site.y_m)));
    out.col0 = std::max(0, out.center_col - n);
    out.row0 = std::max(0, out.center_row - n);
    out.width = std::max(0, std::min(dem.width() - 1, out.center_col + n) - out.col0 + 1);
    out.height = std::max(0, std::min(dem.height() - 1, out.center_row + n) - out.row0 + 1);
    const size_t cells = static_cast<size_t>(out.width) * out.height;
    out.loss_dB.assign(cells, kNaN);
    out.signal_dBm.assign(cells, kNaN);
    return cells > 0;
}

void storePixel(const Sector& s, int px, int py, double dx_m, double dy_m, double hts, double hrs, double loss_dB,
                const Grid<float>* clutter_dB, SectorWindow& out) {
    if (clutter_dB) {
        const float c = clutter_dB->at(px, py);
        if (std::isfinite(c)) loss_dB += c;
    }
    const double bearing_deg = rad2deg(std::atan2(dx_m, dy_m));
    const double elevation_deg = rad2deg(std::atan2(hrs - hts, std::max(std::hypot(dx_m, dy_m), 1.0)));
    const size_t idx = static_cast<size_t>(py - out.row0) * out.width + (px - out.col0);
    out.loss_dB[idx] = static_cast<float>(loss_dB);
    out.signal_dBm[idx] =
        static_cast<float>(s.eirp_dBm - s.reference_offset_dB - s.pattern.attenuation_dB(bearing_deg, elevation_deg) - loss_dB);
}

void sweepSector(const DemGrid& dem, const Sector& s, const SweepOptions& opt, const RadialPlan& plan, SectorWindow& out,
                 SweepScratch& st, uint32_t* warnings) {
    const GeoTransform& gt = dem.geoTransform();
    const int n = plan.radius_px();
    if (!placeWindow(dem, s.xy, n, out)) return;
    const int cc = out.center_col, rr = out.center_row;

    models::ModelParams mp = opt.model;
    if (mp.kind == models::ModelKind::Auto) mp.kind = models::autoModel(s.freq_MHz);
    const double ce_per_km = 1.0 / (mp.k_factor * kEarthRadius_m / 1000.0);
    double h0 = sampleBilinear(dem, gt.colOf(s.xy.x_m), gt.rowOf(s.xy.y_m));
    if (std::isnan(h0)) h0 = dem.at(cc, rr);
    Link L{};
    L.hts = h0 + s.antenna_height_m;
    L.f_MHz = s.freq_MHz;
    L.lambda_m = kSpeedOfLight_m_s / (s.freq_MHz * 1e6);
    L.tx_h = s.antenna_height_m;
    L.rx_h = opt.rx_height_m;
    const double r2 = opt.radius_m * opt.radius_m;

    auto emit = [&](int px, int py, double h_rx_ground) {
        const double dx_m = gt.centerX(px) - s.xy.x_m, dy_m = gt.centerY(py) - s.xy.y_m;
        const double d2 = dx_m * dx_m + dy_m * dy_m;
        if (d2 > r2) return;
        L.D_km = std::sqrt(d2) / 1000.0;
        L.hrs = h_rx_ground + opt.rx_height_m;
        models::PathLoss pl;
        if (L.D_km * 1000.0 < 1e-3 || st.profile.size() < 2) {
            // The site's own pixel: a two-point profile (free space for the terrain models).
            Profile two;
            two.d_km = {0.0, std::max(L.D_km, 1e-6)};
            two.h_m = {h0, h_rx_ground};
            pl = models::pathLossOverProfile(mp, two, L.tx_h, L.rx_h, L.f_MHz);
            if (warnings) *warnings |= pl.warnings & ~models::kWarnShortPath;
        } else {
            pl = evaluate(mp, st, L, h_rx_ground, warnings);
        }
        storePixel(s, px, py, dx_m, dy_m, L.hts, L.hrs, pl.loss_dB, opt.clutter_loss_dB, out);
    };

    // The site's own pixel.
    if (!std::isnan(dem.at(cc, rr))) {
        st.reset(h0, ce_per_km);
        emit(cc, rr, dem.at(cc, rr));
    }
    const int w = dem.width(), h = dem.height();
    for (const RadialPlan::Ray& ray : plan.rays()) {
        st.reset(h0, ce_per_km);
        size_t next = 0;
        for (int k = 1; k <= n; ++k) {
            int dx = 0, dy = 0;
            double minor = 0.0;
            RadialPlan::stepOffset(ray, n, k, dx, dy, minor);
            // Ground under the ray: linear between the two cells straddling it on the minor axis.
            const double lo = std::floor(minor), t = minor - lo;
            int ca, ra, cb, rb;
            if (ray.x_major) {
                ca = cb = cc + dx;
                ra = rr + static_cast<int>(lo);
                rb = ra + 1;
            } else {
                ra = rb = rr + dy;
                ca = cc + static_cast<int>(lo);
                cb = ca + 1;
            }
            if (ca < 0 || ra < 0 || ca >= w || ra >= h) break;
            const float za = dem.at(ca, ra);
            const float zb = (cb < w && rb < h) ? dem.at(cb, rb) : za;
            double z;
            if (std::isnan(za) && std::isnan(zb)) break;  // off the DEM: nothing further along this ray
            if (std::isnan(za)) z = zb;
            else if (std::isnan(zb)) z = za;
            else z = za + t * (zb - za);
            const double d_km = k * ray.step_m / 1000.0;
            if (next < ray.owned.size() && ray.owned[next] == k) {
                ++next;
                const int px = cc + dx, py = rr + dy;
                if (px >= 0 && py >= 0 && px < w && py < h && !std::isnan(dem.at(px, py))) emit(px, py, dem.at(px, py));
            }
            st.push(d_km, z, L.hts);
        }
    }
}

}  // namespace phusong::engine
