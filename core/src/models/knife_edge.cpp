#include "phusong/core/models/knife_edge.hpp"

#include <algorithm>
#include <cmath>

namespace phusong::models {

DiffractionResult bullington(const DiffractionPath& p) {
    DiffractionResult out;
    const size_t n = p.n_points;
    if (n < 3) return out;
    const double d = p.d_km[n - 1];
    const double ce = p.earth_curvature_per_km;
    const double hts = p.tx_height_amsl_m, hrs = p.rx_height_amsl_m;

    // Steepest slope from the transmitter to an intermediate point, m/km  [P.452-17 eq. (14)]
    double stim = -1e300;
    for (size_t i = 1; i + 1 < n; ++i) {
        const double di = p.d_km[i];
        stim = std::max(stim, (p.h_m[i] + 500.0 * ce * di * (d - di) - hts) / di);
    }
    const double str = (hrs - hts) / d;  // slope of the direct ray [eq. (15)]
    double luc;
    if (stim < str) {
        // Line of sight: the intermediate point with the highest v   [eqs. (16), (17)]
        double vmax = -1e300;
        for (size_t i = 1; i + 1 < n; ++i) {
            const double di = p.d_km[i];
            const double v = (p.h_m[i] + 500.0 * ce * di * (d - di) - (hts * (d - di) + hrs * di) / d) *
                             std::sqrt(0.002 * d / (p.wavelength_m * di * (d - di)));
            vmax = std::max(vmax, v);
        }
        out.v_max = vmax;
        luc = knifeEdgeLoss_dB(vmax);
    } else {
        out.los = false;
        // Steepest slope from the receiver [eq. (18)], Bullington point [eq. (19)], its v [eq. (20)]
        double srim = -1e300;
        for (size_t i = 1; i + 1 < n; ++i) {
            const double di = p.d_km[i];
            srim = std::max(srim, (p.h_m[i] + 500.0 * ce * di * (d - di) - hrs) / (d - di));
        }
        const double db = (hrs - hts + srim * d) / (stim + srim);
        const double vb = (hts + stim * db - (hts * (d - db) + hrs * db) / d) *
                          std::sqrt(0.002 * d / (p.wavelength_m * db * (d - db)));
        out.v_max = vb;
        luc = knifeEdgeLoss_dB(vb);  // [eq. (21)]
    }
    out.loss_dB = luc + (1.0 - std::exp(-luc / 6.0)) * (10.0 + 0.02 * d);  // [eq. (22)]
    return out;
}

namespace {
// Largest diffraction parameter over the open index range (a, b) of the sub-path whose ends are at
// heights ha (index a) and hb (index b), earth bulge included. Returns index and v.
struct Edge {
    size_t index = 0;
    double v = -1e300;
};
Edge principalEdge(const DiffractionPath& p, size_t a, size_t b, double ha, double hb) {
    Edge e;
    const double da = p.d_km[a], dab = p.d_km[b] - da;
    if (b <= a + 1 || dab <= 0.0) return e;
    const double ce = p.earth_curvature_per_km;
    for (size_t i = a + 1; i < b; ++i) {
        const double d1 = p.d_km[i] - da, d2 = dab - d1;
        // Height of the terrain above the chord, with the earth bulge d1 d2 / (2 a_e) (500 C_e in m with km inputs)
        const double clearance = p.h_m[i] + 500.0 * ce * d1 * d2 - (ha * d2 + hb * d1) / dab;
        const double v = clearance * std::sqrt(0.002 * dab / (p.wavelength_m * d1 * d2));  // [P.526-15 eq. (26)]
        if (v > e.v) {
            e.v = v;
            e.index = i;
        }
    }
    return e;
}
}  // namespace

DiffractionResult deygout(const DiffractionPath& p) {
    DiffractionResult out;
    const size_t n = p.n_points;
    if (n < 3) return out;
    const size_t last = n - 1;
    const Edge main = principalEdge(p, 0, last, p.tx_height_amsl_m, p.rx_height_amsl_m);
    out.v_max = main.v;
    out.los = main.v <= 0.0;  // v > 0 exactly when the terrain rises above the ray
    const double lp = knifeEdgeLoss_dB(main.v);
    if (lp <= 0.0) return out;
    const double hp = p.h_m[main.index];
    const Edge left = principalEdge(p, 0, main.index, p.tx_height_amsl_m, hp);
    const Edge right = principalEdge(p, main.index, last, hp, p.rx_height_amsl_m);
    const double lt = knifeEdgeLoss_dB(left.v), lr = knifeEdgeLoss_dB(right.v);
    const double t = 1.0 - std::exp(-lp / 6.0);
    const double c = 10.0 + 0.04 * p.d_km[last];
    // C is the standard's empirical correction; like Bullington's (10 + 0.02 d) term it applies to
    // every obstructed path, secondary edges or not.
    out.loss_dB = lp + t * (lt + lr + c);
    return out;
}

}  // namespace phusong::models
