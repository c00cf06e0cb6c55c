#include "phusong/core/models/p1812.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/models/knife_edge.hpp"

namespace phusong::models::p1812 {

namespace {

constexpr double kPi = 3.14159265358979323846;
using Vec = std::vector<double>;

double deg2rad(double x) { return x * kPi / 180.0; }

// Inverse complementary cumulative normal, Attachment 2, Eqs (96)-(97).
double invCumNorm(double x) {
    x = std::clamp(x, 0.000001, 0.999999);
    auto T = [](double y) { return std::sqrt(-2.0 * std::log(y)); };
    auto C = [&](double z) {
        const double t = T(z);
        return ((0.010328 * t + 0.802853) * t + 2.515516698) / (((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0);
    };
    return x <= 0.5 ? T(x) - C(x) : -(T(1.0 - x) - C(1.0 - x));
}

// Runs of consecutive points satisfying @p in_zone: [start, stop] index pairs.
template <class Pred>
std::vector<std::pair<size_t, size_t>> runs(std::span<const int> zone, Pred in_zone) {
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t i = 0; i < zone.size();) {
        if (!in_zone(zone[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j + 1 < zone.size() && in_zone(zone[j + 1])) ++j;
        out.emplace_back(i, j);
        i = j + 1;
    }
    return out;
}

// Length of a run, each end extended by half a step (§3.6).
double runLength(std::span<const double> d, size_t a, size_t b) {
    double delta = 0.0;
    if (d[b] < d.back()) delta += (d[b + 1] - d[b]) / 2.0;
    if (d[a] > 0.0) delta += (d[a] - d[a - 1]) / 2.0;
    return d[b] - d[a] + delta;
}

// Time percentage beta0 of anomalous refractivity gradients, Eqs (2)-(5).
double beta0(double phi_deg, double dtm_km, double dlm_km) {
    const double tau = 1.0 - std::exp(-(4.12e-4 * std::pow(dlm_km, 2.41)));  // (3)
    const double mu1 = std::min(1.0, std::pow(std::pow(10.0, -dtm_km / (16.0 - 6.6 * tau)) +
                                                  std::pow(10.0, -5.0 * (0.496 + 0.354 * tau)), 0.2));  // (2)
    const double aphi = std::abs(phi_deg);
    if (aphi <= 70.0) {
        const double mu4 = std::pow(10.0, (-0.935 + 0.0176 * aphi) * std::log10(mu1));  // (4)
        return std::pow(10.0, -0.015 * aphi + 1.67) * mu1 * mu4;                        // (5)
    }
    const double mu4 = std::pow(10.0, 0.3 * std::log10(mu1));
    return 4.17 * mu1 * mu4;
}

// Path-centre latitude from the great-circle midpoint (P.2001 Attachment H, H.2-H.3).
double midpointLatitude_deg(double lat_t, double lon_t, double lat_r, double lon_r, double dpnt_km) {
    const double Re = 6371.0;
    const double dlon = deg2rad(lon_r - lon_t);
    const double pt = deg2rad(lat_t), pr = deg2rad(lat_r);
    const double r = std::sin(pt) * std::sin(pr) + std::cos(pt) * std::cos(pr) * std::cos(dlon);
    const double x1 = std::sin(pr) - r * std::sin(pt);
    const double y1 = std::cos(pt) * std::cos(pr) * std::sin(dlon);
    const double bearing = (std::abs(x1) < 1e-9 && std::abs(y1) < 1e-9) ? deg2rad(lon_r) : std::atan2(y1, x1);
    const double a = dpnt_km / Re;
    const double s = std::sin(pt) * std::cos(a) + std::cos(pt) * std::sin(a) * std::cos(bearing);
    return std::asin(s) * 180.0 / kPi;
}

// Knife-edge loss J(nu), Eq. (12): the same approximation as ITU-R P.526 eq. (31).
double J(double nu) { return knifeEdgeLoss_dB(nu); }

// Diffraction parameter of profile point i on an earth of curvature Ce, Eq. (15).
double nuAt(std::span<const double> d, std::span<const double> g, size_t i, double hts, double hrs, double Ce, double lam) {
    const double dtot = d.back() - d.front();
    return (g[i] + 500.0 * Ce * d[i] * (dtot - d[i]) - (hts * (dtot - d[i]) + hrs * d[i]) / dtot) *
           std::sqrt(0.002 * dtot / (lam * d[i] * (dtot - d[i])));
}

// Bullington loss over a profile, §4.3.1, Eqs (13)-(21). Ends of @p g are ignored.
double bullington_dB(std::span<const double> d, std::span<const double> g, double hts, double hrs, double ap, double f) {
    const double Ce = 1.0 / ap;
    const double lam = 0.2998 / f;
    const double dtot = d.back() - d.front();
    const size_t n = d.size();
    double Stim = -1e300;
    for (size_t i = 1; i + 1 < n; ++i) Stim = std::max(Stim, (g[i] + 500.0 * Ce * d[i] * (dtot - d[i]) - hts) / d[i]);  // (13)
    const double Str = (hrs - hts) / dtot;  // (14)
    double Luc;
    if (Stim < Str) {
        double numax = -1e300;
        for (size_t i = 1; i + 1 < n; ++i) numax = std::max(numax, nuAt(d, g, i, hts, hrs, Ce, lam));  // (15)
        Luc = J(numax);  // (16)
    } else {
        double Srim = -1e300;
        for (size_t i = 1; i + 1 < n; ++i) {
            Srim = std::max(Srim, (g[i] + 500.0 * Ce * d[i] * (dtot - d[i]) - hrs) / (dtot - d[i]));  // (17)
        }
        const double dbp = (hrs - hts + Srim * dtot) / (Stim + Srim);  // (18)
        const double nub = (hts + Stim * dbp - (hts * (dtot - dbp) + hrs * dbp) / dtot) *
                           std::sqrt(0.002 * dtot / (lam * dbp * (dtot - dbp)));  // (19)
        Luc = J(nub);  // (20)
    }
    return Luc + (1.0 - std::exp(-Luc / 6.0)) * (10.0 + 0.02 * dtot);  // (21)
}

// First-term spherical-earth diffraction for one set of ground constants, Eqs (29)-(36).
// Index 0 horizontal, 1 vertical.
void firstTermInner(double epsr, double sigma, double d, double hte, double hre, double adft, double f, double out[2]) {
    double K[2];
    K[0] = 0.036 * std::pow(adft * f, -1.0 / 3.0) * std::pow((epsr - 1.0) * (epsr - 1.0) + std::pow(18.0 * sigma / f, 2), -0.25);  // (29a)
    K[1] = K[0] * std::sqrt(epsr * epsr + std::pow(18.0 * sigma / f, 2));  // (29b)
    for (int i = 0; i < 2; ++i) {
        const double K2 = K[i] * K[i], K4 = K2 * K2;
        const double beta = (1.0 + 1.6 * K2 + 0.67 * K4) / (1.0 + 4.5 * K2 + 1.53 * K4);  // (30)
        const double X = 21.88 * beta * std::pow(f / (adft * adft), 1.0 / 3.0) * d;      // (31)
        const double Y = 0.9575 * beta * std::pow(f * f / adft, 1.0 / 3.0);
        const double Yt = Y * hte, Yr = Y * hre;  // (32)
        const double Fx = X >= 1.6 ? 11.0 + 10.0 * std::log10(X) - 17.6 * X : -20.0 * std::log10(X) - 5.6488 * std::pow(X, 1.425);  // (33)
        auto G = [&](double B) {  // (34)
            double v = B > 2.0 ? 17.6 * std::sqrt(B - 1.1) - 5.0 * std::log10(B - 1.1) - 8.0 : 20.0 * std::log10(B + 0.1 * B * B * B);
            return std::max(v, 2.0 + 20.0 * std::log10(K[i]));
        };
        out[i] = -Fx - G(beta * Yt) - G(beta * Yr);  // (35), (36)
    }
}

// Eq. (28): land and sea first-term losses weighted by the sea fraction.
void firstTerm(double d, double hte, double hre, double adft, double f, double omega, double out[2]) {
    double land[2], sea[2];
    firstTermInner(22.0, 0.003, d, hte, hre, adft, f, land);
    firstTermInner(80.0, 5.0, d, hte, hre, adft, f, sea);
    for (int i = 0; i < 2; ++i) out[i] = omega * sea[i] + (1.0 - omega) * land[i];
}

// Spherical-earth diffraction loss, §4.3.2, Eqs (22)-(27).
void sphericalEarth(double d, double hte, double hre, double ap, double f, double omega, double out[2]) {
    const double lam = 0.2998 / f;
    const double dlos = std::sqrt(2.0 * ap) * (std::sqrt(0.001 * hte) + std::sqrt(0.001 * hre));  // (22)
    if (d >= dlos) {
        firstTerm(d, hte, hre, ap, f, omega, out);
        return;
    }
    const double c = (hte - hre) / (hte + hre);                  // (24d)
    const double m = 250.0 * d * d / (ap * (hte + hre));         // (24e)
    const double b = 2.0 * std::sqrt((m + 1.0) / (3.0 * m)) *
                     std::cos(kPi / 3.0 + std::acos(1.5 * c * std::sqrt(3.0 * m / std::pow(m + 1.0, 3))) / 3.0);  // (24c)
    const double dse1 = d / 2.0 * (1.0 + b);  // (24a)
    const double dse2 = d - dse1;              // (24b)
    const double hse = ((hte - 500.0 * dse1 * dse1 / ap) * dse2 + (hre - 500.0 * dse2 * dse2 / ap) * dse1) / d;  // (23)
    const double hreq = 17.456 * std::sqrt(dse1 * dse2 * lam / d);  // (25)
    if (hse > hreq) {
        out[0] = out[1] = 0.0;
        return;
    }
    const double aem = 500.0 * std::pow(d / (std::sqrt(hte) + std::sqrt(hre)), 2);  // (26)
    double ft[2];
    firstTerm(d, hte, hre, aem, f, omega, ft);
    for (int i = 0; i < 2; ++i) out[i] = (1.0 - hse / hreq) * std::max(ft[i], 0.0);  // (27)
}

struct Delta {
    double Ld[2];
    double Lbulla, Lbulls, Ldsph[2];
};

// Delta-Bullington, §4.3.4, Eqs (37)-(39).
Delta deltaBullington(std::span<const double> d, std::span<const double> g, double hts, double hrs, double hstd, double hsrd,
                      double ap, double f, double omega) {
    Delta r{};
    r.Lbulla = bullington_dB(d, g, hts, hrs, ap, f);
    const double hts1 = hts - hstd, hrs1 = hrs - hsrd;  // (37)
    const Vec zero(d.size(), 0.0);
    r.Lbulls = bullington_dB(d, zero, hts1, hrs1, ap, f);
    sphericalEarth(d.back() - d.front(), hts1, hrs1, ap, f, omega, r.Ldsph);  // (38)
    for (int i = 0; i < 2; ++i) r.Ld[i] = r.Lbulla + std::max(r.Ldsph[i] - r.Lbulls, 0.0);  // (39)
    return r;
}

struct SmoothEarth {
    double hst_n, hsr_n;  // (87), (88)
    double hstd, hsrd;    // (91)
    double hte, hre, hm;  // (94), (95)
    double dlt, dlr, theta_t, theta_r, theta;
    bool trans_horizon;
};

// Attachment 1, §5.6: smooth-earth surface, diffraction heights, horizons, ducting heights.
SmoothEarth smoothEarth(std::span<const double> d, std::span<const double> h, double htg, double hrg, double ae, double f) {
    SmoothEarth s{};
    const size_t n = d.size();
    const double dtot = d.back();
    const double hts = h[0] + htg, hrs = h[n - 1] + hrg;
    double v1 = 0.0, v2 = 0.0;
    for (size_t i = 1; i < n; ++i) {
        const double dd = d[i] - d[i - 1];
        v1 += dd * (h[i] + h[i - 1]);                                                   // (85)
        v2 += dd * (h[i] * (2.0 * d[i] + d[i - 1]) + h[i - 1] * (d[i] + 2.0 * d[i - 1]));  // (86)
    }
    double hst = (2.0 * v1 * dtot - v2) / (dtot * dtot);  // (87)
    double hsr = (v2 - v1 * dtot) / (dtot * dtot);         // (88)
    s.hst_n = hst;
    s.hsr_n = hsr;

    // §5.6.2 heights for the diffraction model, Eqs (89)-(91).
    double hobs = -1e300, aobt = -1e300, aobr = -1e300;
    for (size_t i = 1; i + 1 < n; ++i) {
        const double H = h[i] - (hts * (dtot - d[i]) + hrs * d[i]) / dtot;  // (89d)
        hobs = std::max(hobs, H);
        aobt = std::max(aobt, H / d[i]);
        aobr = std::max(aobr, H / (dtot - d[i]));
    }
    double hstp = hst, hsrp = hsr;
    if (hobs > 0.0) {
        hstp = hst - hobs * aobt / (aobt + aobr);  // (90c), (90e)
        hsrp = hsr - hobs * aobr / (aobt + aobr);  // (90d), (90f)
    }
    s.hstd = hstp >= h[0] ? h[0] : hstp;            // (91a,b)
    s.hsrd = hsrp > h[n - 1] ? h[n - 1] : hsrp;     // (91c,d)

    // Horizons, Eqs (76)-(84).
    double theta_max = -1e300;
    size_t lt = 1, lr = 1;
    for (size_t i = 1; i + 1 < n; ++i) {
        const double th = 1000.0 * std::atan((h[i] - hts) / (1000.0 * d[i]) - d[i] / (2.0 * ae));  // (77)
        if (th > theta_max) theta_max = th, lt = i;
    }
    const double theta_td = 1000.0 * std::atan((hrs - hts) / (1000.0 * dtot) - dtot / (2.0 * ae));  // (78)
    const double theta_rd = 1000.0 * std::atan((hts - hrs) / (1000.0 * dtot) - dtot / (2.0 * ae));  // (81)
    s.trans_horizon = theta_max > theta_td;  // (76)
    s.theta_t = std::max(theta_max, theta_td);
    if (s.trans_horizon) {
        s.dlt = d[lt];  // (80)
        double theta_r = -1e300;
        for (size_t i = 1; i + 1 < n; ++i) {
            const double th = 1000.0 * std::atan((h[i] - hrs) / (1000.0 * (dtot - d[i])) - (dtot - d[i]) / (2.0 * ae));  // (82a)
            if (th >= theta_r) theta_r = th, lr = i;  // last maximum
        }
        s.theta_r = theta_r;
        s.dlr = dtot - d[lr];  // (83)
    } else {
        s.theta_r = theta_rd;
        const double lam = 0.2998 / f;
        const double Ce = 1.0 / ae;
        double numax = -1e300;
        for (size_t i = 1; i + 1 < n; ++i) {
            const double nu = nuAt(d, h, i, hts, hrs, Ce, lam);
            if (nu >= numax) numax = nu, lt = i;  // last maximum: the Bullington point
        }
        s.dlt = d[lt];          // (80)
        s.dlr = dtot - s.dlt;   // (83a)
        lr = lt;
    }
    s.theta = 1e3 * dtot / ae + s.theta_t + s.theta_r;  // (84)

    // §5.6.3 ducting/layer-reflection heights, Eqs (92)-(95).
    hst = std::min(hst, h[0]);
    hsr = std::min(hsr, h[n - 1]);
    const double m = (hsr - hst) / dtot;  // (93)
    s.hte = htg + h[0] - hst;              // (94a)
    s.hre = hrg + h[n - 1] - hsr;          // (94b)
    s.hm = -1e300;
    for (size_t i = lt; i <= lr; ++i) s.hm = std::max(s.hm, h[i] - (hst + m * d[i]));  // (95)
    return s;
}

// Ducting / layer reflection, §4.5, Eqs (46)-(56).
double anomalous_dB(double dtot, double dlt, double dlr, double dct, double dcr, double dlm, double hts, double hrs, double hte,
                    double hre, double hm, double theta_t, double theta_r, double f, double p, double omega, double ae, double b0) {
    const double Alf = f < 0.5 ? 45.375 - 137.0 * f + 92.5 * f * f : 0.0;  // (47a)
    auto siteShield = [&](double th, double dl) {                          // (48)
        const double th2 = th - 0.1 * dl;
        return th2 > 0.0 ? 20.0 * std::log10(1.0 + 0.361 * th2 * std::sqrt(f * dl)) + 0.264 * th2 * std::cbrt(f) : 0.0;
    };
    auto coupling = [&](double dc, double dl, double hs) {  // (49)
        return (dc <= 5.0 && dc <= dl && omega >= 0.75) ? -3.0 * std::exp(-0.25 * dc * dc) * (1.0 + std::tanh(0.07 * (50.0 - hs))) : 0.0;
    };
    const double gamma_d = 5e-5 * ae * std::cbrt(f);  // (51)
    const double tt = std::min(theta_t, 0.1 * dlt), tr = std::min(theta_r, 0.1 * dlr);  // (52a)
    const double theta1 = 1e3 * dtot / ae + tt + tr;                                    // (52)
    const double dI = std::min(dtot - dlt - dlr, 40.0);                                 // (56a)
    const double mu3 = hm > 10.0 ? std::exp(-4.6e-5 * (hm - 10.0) * (43.0 + 6.0 * dI)) : 1.0;  // (56)
    const double tau = 1.0 - std::exp(-(4.12e-4 * std::pow(dlm, 2.41)));               // (3)
    const double alpha = std::max(-3.4, -0.6 - 3.5e-9 * std::pow(dtot, 3.1) * tau);    // (55a)
    const double mu2 = std::min(1.0, std::pow(500.0 / ae * dtot * dtot / std::pow(std::sqrt(hte) + std::sqrt(hre), 2), alpha));  // (55)
    const double beta = b0 * mu2 * mu3;  // (54)
    const double lb = std::log10(beta);
    const double Gamma = 1.076 / std::pow(2.0058 - lb, 1.012) * std::exp(-(9.51 - 4.8 * lb + 0.198 * lb * lb) * 1e-6 * std::pow(dtot, 1.13));  // (53a)
    const double Ap = -12.0 + (1.2 + 3.7e-3 * dtot) * std::log10(p / beta) + 12.0 * std::pow(p / beta, Gamma);  // (53)
    const double Adp = gamma_d * theta1 + Ap;  // (50)
    const double Af = 102.45 + 20.0 * std::log10(f) + 20.0 * std::log10(dlt + dlr) + Alf + siteShield(theta_t, dlt) +
                      siteShield(theta_r, dlr) + coupling(dct, dlt, hts) + coupling(dcr, dlr, hrs);  // (47)
    return Af + Adp;  // (46)
}

// Troposcatter, §4.4, Eqs (44)-(45).
double troposcatter_dB(double dtot, double theta, double f, double p, double N0) {
    const double Lf = 25.0 * std::log10(f) - 2.5 * std::pow(std::log10(f / 2.0), 2);  // (45)
    return 190.1 + Lf + 20.0 * std::log10(dtot) + 0.573 * theta - 0.15 * N0 - 10.125 * std::pow(std::log10(50.0 / p), 0.7);  // (44)
}

void validate(const Input& in) {
    auto fail = [](const std::string& s) { throw InputError("P.1812: " + s); };
    const size_t n = in.d_km.size();
    if (n < 5) fail("the profile needs at least 5 points");
    if (in.h_m.size() != n) fail("profile distances and heights differ in length");
    if (!in.R_m.empty() && in.R_m.size() != n) fail("clutter heights differ in length from the profile");
    if (!in.zone.empty() && in.zone.size() != n) fail("zones differ in length from the profile");
    if (in.d_km[0] != 0.0) fail("the profile must start at distance 0");
    for (size_t i = 1; i < n; ++i) {
        if (!(in.d_km[i] > in.d_km[i - 1])) fail("profile distances must increase strictly");
    }
    for (int z : in.zone) {
        if (z != kSea && z != kCoastal && z != kInland) fail("radio-climatic zones must be 1 (sea), 3 (coastal) or 4 (inland)");
    }
    if (!(in.p_pct >= 1.0 && in.p_pct <= 50.0)) fail("time percentage must be 1-50 % (--p1812-time)");
    if (!(in.pL_pct > 0.0 && in.pL_pct < 100.0)) fail("location percentage must be strictly between 0 and 100 %");
    if (!(in.htg_m >= 1.0 && in.htg_m <= 3000.0)) fail("transmitter height must be 1-3000 m above ground");
    if (!(in.hrg_m >= 1.0 && in.hrg_m <= 3000.0)) fail("receiver height must be 1-3000 m above ground");
    if (in.sigmaL_dB < 0.0) fail("location variability must be >= 0 dB");
    if (in.dct_km < 0.0 || in.dcr_km < 0.0) fail("distances to the coast must be >= 0 km");
    if (!(in.Ptx_kW > 0.0)) fail("transmitter power must be > 0 kW");
    if (!(in.DN > 0.0 && in.DN < 157.0)) fail("refractivity lapse rate DN must be between 0 and 157 N-units/km");
}

}  // namespace

double deltaBullington_dB(std::span<const double> d, std::span<const double> g, double hts, double hrs, double ap, double f,
                          double omega, Polarization pol) {
    const SmoothEarth s = smoothEarth(d, g, hts - g.front(), hrs - g.back(), ap, f);
    const Delta r = deltaBullington(d, g, hts, hrs, s.hstd, s.hsrd, ap, f, omega);
    return r.Ld[pol == Polarization::Horizontal ? 0 : 1];
}

Result basicTransmissionLoss(const Input& in) {
    validate(in);
    Result out;
    const auto d = in.d_km;
    const auto h = in.h_m;
    const size_t n = d.size();
    const double f = in.f_GHz, p = in.p_pct;
    if (f < 0.03 || f > 6.0) out.warnings |= kFrequencyOutOfRange;
    const std::vector<int> inland(in.zone.empty() ? n : 0, kInland);
    const std::span<const int> zone = in.zone.empty() ? std::span<const int>(inland) : in.zone;
    const double dct = zone.front() == kSea ? 0.0 : in.dct_km;
    const double dcr = zone.back() == kSea ? 0.0 : in.dcr_km;
    const double dtot = d.back() - d.front();
    if (dtot < 0.25 || dtot > 3000.0) out.warnings |= kDistanceOutOfRange;

    const double phi = midpointLatitude_deg(in.phi_t_deg, in.lam_t_deg, in.phi_r_deg, in.lam_r_deg, 0.5 * dtot);  // (4)

    // §3.6: longest land and inland sections; Eq. (1): fraction over sea.
    double dtm = 0.0, dlm = 0.0, sea = 0.0;
    for (auto [a, b] : runs(zone, [](int z) { return z == kCoastal || z == kInland; })) dtm = std::max(dtm, runLength(d, a, b));
    for (auto [a, b] : runs(zone, [](int z) { return z == kInland; })) dlm = std::max(dlm, runLength(d, a, b));
    for (auto [a, b] : runs(zone, [](int z) { return z == kSea; })) sea += runLength(d, a, b);
    const double omega = sea / dtot;
    const double b0 = beta0(phi, dtm, dlm);
    const double ae = 6371.0 * 157.0 / (157.0 - in.DN);  // (6), (7a)
    const double ab = 6371.0 * 3.0;                       // (7b)

    const SmoothEarth s = smoothEarth(d, h, in.htg_m, in.hrg_m, ae, f);
    const double hts = h[0] + in.htg_m, hrs = h[n - 1] + in.hrg_m;
    // §3.2: representative clutter on the intermediate points.
    Vec g(h.begin(), h.end());
    if (!in.R_m.empty()) {
        for (size_t i = 1; i + 1 < n; ++i) g[i] += in.R_m[i];
    }

    const double THETA = 0.3, KSI = 0.8;
    const double Fj = 1.0 - 0.5 * (1.0 + std::tanh(3.0 * KSI * (s.theta - THETA) / THETA));  // (57)
    const double dsw = 20.0, kappa = 0.5;
    const double Fk = 1.0 - 0.5 * (1.0 + std::tanh(3.0 * kappa * (dtot - dsw) / dsw));  // (58)

    // §4.2 line of sight, Eqs (8)-(11).
    const double Lbfs = 92.4 + 20.0 * std::log10(f) + 10.0 * std::log10(dtot * dtot + std::pow((hts - hrs) / 1000.0, 2));
    const double focus = 2.6 * (1.0 - std::exp(-0.1 * (s.dlt + s.dlr)));
    const double Lb0p = Lbfs + focus * std::log10(p / 50.0);
    const double Lb0b = Lbfs + focus * std::log10(b0 / 50.0);

    // §4.3 diffraction, Eqs (39)-(41).
    const Delta d50 = deltaBullington(d, g, hts, hrs, s.hstd, s.hsrd, ae, f, omega);
    const Delta db = deltaBullington(d, g, hts, hrs, s.hstd, s.hsrd, ab, f, omega);
    double Ldp[2];
    const double Fi_d = p > b0 ? invCumNorm(p / 100.0) / invCumNorm(b0 / 100.0) : 1.0;  // (40)
    for (int i = 0; i < 2; ++i) Ldp[i] = p == 50.0 ? d50.Ld[i] : d50.Ld[i] + Fi_d * (db.Ld[i] - d50.Ld[i]);  // (41)

    const int k = in.pol == Polarization::Horizontal ? 0 : 1;
    const double Lbd50 = Lbfs + d50.Ld[k];  // (42)
    const double Lbd = Lb0p + Ldp[k];       // (43)
    double Lminb0p = Lb0p + (1.0 - omega) * Ldp[k];  // (59)
    if (p >= b0) {
        const double Fi = invCumNorm(p / 100.0) / invCumNorm(b0 / 100.0);
        Lminb0p = Lbd50 + (Lb0b + (1.0 - omega) * Ldp[k] - Lbd50) * Fi;  // (59)
    }
    const double Lba = anomalous_dB(dtot, s.dlt, s.dlr, dct, dcr, dlm, hts, hrs, s.hte, s.hre, s.hm, s.theta_t, s.theta_r, f, p,
                                    omega, ae, b0);
    const double eta = 2.5;
    const double Lminbap = eta * std::log(std::exp(Lba / eta) + std::exp(Lb0p / eta));  // (60)
    const double Lbda = Lminbap <= Lbd ? Lminbap + (Lbd - Lminbap) * Fk : Lbd;       // (61)
    const double Lbam = Lbda + (Lminb0p - Lbda) * Fj;                                  // (62)
    const double Lbs = troposcatter_dB(dtot, s.theta, f, p, in.N0);
    const double Lbc = -5.0 * std::log10(std::pow(10.0, -0.2 * Lbs) + std::pow(10.0, -0.2 * Lbam));  // (63)
    const double Lloc = zone.back() == kSea ? 0.0 : -invCumNorm(in.pL_pct / 100.0) * in.sigmaL_dB;   // (64)-(68)
    const double Lb = std::max(Lb0p, Lbc + Lloc);  // (69)

    out.Lb_dB = Lb;
    out.Ep_dBuV_m = 199.36 + 20.0 * std::log10(f) - Lb + 10.0 * std::log10(in.Ptx_kW);  // (70)
    out.Lbfs_dB = Lbfs;
    out.Lb0p_dB = Lb0p;
    out.Lbulla_dB = d50.Lbulla;
    out.Lbulls_dB = d50.Lbulls;
    out.Ldsph_dB = d50.Ldsph[k];
    out.Ld50_dB = d50.Ld[k];
    out.Ldp_dB = Ldp[k];
    out.Lbs_dB = Lbs;
    out.Lba_dB = Lba;
    out.Lbc_dB = Lbc;
    out.trans_horizon = s.trans_horizon;
    out.theta_t_mrad = s.theta_t;
    out.theta_r_mrad = s.theta_r;
    out.theta_mrad = s.theta;
    out.dlt_km = s.dlt;
    out.dlr_km = s.dlr;
    out.ae_km = ae;
    out.b0_pct = b0;
    out.omega = omega;
    return out;
}

}  // namespace phusong::models::p1812
