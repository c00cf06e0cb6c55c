#include "phusong/core/models/itm.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <functional>

#include "phusong/core/error.hpp"

namespace phusong::models::itm {

namespace {

using cplx = std::complex<double>;
constexpr double kPi = 3.1415926535897932384;
constexpr double kEarthRadius_m = 6370e3;      // a_0 [Algorithm, §2]
constexpr double kVariabilityRadius_m = 9000e3;  // a_9000 [Algorithm, Eqn 5.3]
constexpr double kActualCurvature = 157e-9;    // gamma_a = 1 / 6370 km [Algorithm, Eqn 2.1]

double dim(double x, double y) { return x > y ? x - y : 0.0; }

// Wave number in the units the algorithm uses: k = f / 47.7 MHz·m [Algorithm, §2].
double waveNumber(double f_MHz) { return f_MHz / 47.7; }

// delta_h(d) [ERL 79, Eqn 3], d in metres.
double roughnessAt(double d_m, double delta_h_m) { return delta_h_m * (1.0 - 0.8 * std::exp(-d_m / 50e3)); }

// sigma_h(delta_h): RMS deviation of terrain within the first Fresnel zone [ERL 79, Eqn 3.6a].
double sigmaH(double delta_h_m) { return 0.78 * delta_h_m * std::exp(-0.5 * std::sqrt(std::sqrt(delta_h_m))); }

// Ideal knife-edge attenuation from v^2 [TN101, Eqn III.24b/c], [ERL 79, Eqn 3.27].
double knifeEdge_dB(double v2) {
    if (v2 < 5.76) return 6.02 + 9.11 * std::sqrt(v2) - 1.27 * v2;
    return 12.953 + 10.0 * std::log10(v2);
}

// Q^-1 by Abramowitz & Stegun 26.2.23, the approximation the model was calibrated with
// [Algorithm, §5]; |error| < 4.5e-4.
double qinv(double q) {
    const double x = q > 0.5 ? 1.0 - q : q;
    const double t = std::sqrt(-2.0 * std::log(x));
    const double z = t - ((0.010328 * t + 0.802853) * t + 2.515516) / (((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0);
    return q > 0.5 ? -z : z;
}

// What depends only on the parameters and the frequency, not on the path: computed once per
// thread for the last (parameters, frequency) seen, as the reference keeps them between calls of
// one area computation. The same expressions as inline, so the same values.
struct RunConstants {
    Params p;
    double f_MHz = -1.0;
    double z_T = 0, z_L = 0, z_S = 0;  // standard normal deviates of the quantiles [Algorithm, §5]
    double d_ex_k_m = 0;               // cbrt(575.7e12 / k) of Eqn 5.3
    double g_minus = 0, g_plus = 0;    // frequency factors of sigma_T [Algorithm, Eqns 5.8]
    cplx Z_g;                          // surface transfer impedance [Algorithm, Eqn 2.4]
    double abs_Z_g = 0;
    double f13 = 0;                    // f^(1/3) (Vogler)
    double fspl_f_dB = 0;              // 32.45 + 20 log10 f
};

const RunConstants& runConstants(const Params& p, double f_MHz);

struct Atmosphere {
    cplx Z_g;        // surface transfer impedance
    double abs_Z_g;  // |Z_g|
    double f13;      // f^(1/3), MHz
    double gamma_e;  // effective earth curvature
    double N_s;      // surface refractivity
    const RunConstants* rc;  // the run's constants, looked up once per path
};

// Surface refractivity, effective curvature and ground impedance [Algorithm, Eqns 2.1-2.4],
// [TN101, Eqns 4.3-4.4].
Atmosphere atmosphere(const Params& p, double f_MHz, double h_sys_m) {
    Atmosphere a;
    a.N_s = h_sys_m == 0.0 ? p.N0 : p.N0 * std::exp(-h_sys_m / 9460.0);
    a.gamma_e = kActualCurvature * (1.0 - 0.04665 * std::exp(a.N_s / 179.3));
    const RunConstants& rc = runConstants(p, f_MHz);
    a.Z_g = rc.Z_g;
    a.abs_Z_g = rc.abs_Z_g;
    a.f13 = rc.f13;
    a.rc = &rc;
    return a;
}

// Path geometry as the reference attenuation needs it.
struct Geometry {
    double theta_hzn[2];
    double d_hzn_m[2];
    double h_e_m[2];
    double h_m[2];
    double delta_h_m;
    double d_m;
};

// Least-squares line through the profile between two distances; returns its heights at the two
// ends of the whole profile [Algorithm, §3, "zlsq1"].
void leastSquaresLine(std::span<const double> z, double xi, double d_start, double d_end, double& z_tx, double& z_rx) {
    const int np = static_cast<int>(z.size()) - 1;
    int i0 = static_cast<int>(dim(d_start / xi, 0.0));
    int i1 = np - static_cast<int>(dim(np, d_end / xi));
    if (i1 <= i0) {
        i0 = static_cast<int>(dim(i0, 1.0));
        i1 = np - static_cast<int>(dim(np, i1 + 1.0));
    }
    const double n = i1 - i0;
    double x = -0.5 * n;
    const double x_end = i1 + x;
    double sum = 0.5 * (z[i0] + z[i1]);
    double sum_x = 0.5 * (z[i0] - z[i1]) * x;
    for (int k = 2, i = i0; k <= n; ++k) {
        ++i;
        x += 1.0;
        sum += z[i];
        sum_x += z[i] * x;
    }
    sum /= n;
    sum_x = sum_x * 12.0 / ((n * n + 2.0) * n);
    z_tx = sum - sum_x * x_end;
    z_rx = sum + sum_x * (np - x_end);
}

// Horizon angles and distances from the terminals [TN101, Eq 6.15], [Algorithm, §3 "hzns"].
void horizons(std::span<const double> z, double xi, double a_e, const double h_m[2], double theta[2], double d_hzn[2]) {
    const int np = static_cast<int>(z.size()) - 1;
    const double d = np * xi;
    const double z_tx = z[0] + h_m[0];
    const double z_rx = z[np] + h_m[1];
    theta[0] = (z_rx - z_tx) / d - d / (2.0 * a_e);
    theta[1] = -(z_rx - z_tx) / d - d / (2.0 * a_e);
    d_hzn[0] = d_hzn[1] = d;
    double d_tx = 0.0, d_rx = d;
    for (int i = 1; i < np; ++i) {
        d_tx += xi;
        d_rx -= xi;
        const double t_tx = (z[i] - z_tx) / d_tx - d_tx / (2.0 * a_e);
        const double t_rx = -(z_rx - z[i]) / d_rx - d_rx / (2.0 * a_e);
        if (t_tx > theta[0]) theta[0] = t_tx, d_hzn[0] = d_tx;
        if (t_rx > theta[1]) theta[1] = t_rx, d_hzn[1] = d_rx;
    }
}

// Point-to-point geometry: horizons, delta_h and effective heights [Algorithm, §3 "qlrpfl"].
Geometry profileGeometry(const ProfileSummary& pr, double gamma_e, double h_tx, double h_rx) {
    Geometry g{};
    g.h_m[0] = h_tx;
    g.h_m[1] = h_rx;
    g.d_m = pr.d_m;
    const double a_e = 1.0 / gamma_e;
    pr.horizons(a_e, g.theta_hzn, g.d_hzn_m);
    // Terrain is considered from about 15 tower heights out [Hufford 1982, p. 25].
    const double d_start = std::min(15.0 * h_tx, 0.1 * g.d_hzn_m[0]);
    const double d_end = g.d_m - std::min(15.0 * h_rx, 0.1 * g.d_hzn_m[1]);
    g.delta_h_m = pr.delta_h(d_start, d_end);
    double fit_tx = 0, fit_rx = 0, unused = 0;
    if (g.d_hzn_m[0] + g.d_hzn_m[1] > 1.5 * g.d_m) {
        // Well within line of sight: effective heights over the fitted line, horizons from the
        // smooth-earth formulas [Algorithm, Eqns 3.3-3.4].
        pr.fit(d_start, d_end, fit_tx, fit_rx);
        g.h_e_m[0] = h_tx + dim(pr.z_tx_ground_m, fit_tx);
        g.h_e_m[1] = h_rx + dim(pr.z_rx_ground_m, fit_rx);
        auto smoothHorizon = [&](int i) {
            return std::sqrt(2.0 * g.h_e_m[i] * a_e) * std::exp(-0.07 * std::sqrt(g.delta_h_m / std::max(g.h_e_m[i], 5.0)));
        };
        for (int i = 0; i < 2; ++i) g.d_hzn_m[i] = smoothHorizon(i);
        const double sum = g.d_hzn_m[0] + g.d_hzn_m[1];
        if (sum <= g.d_m) {
            const double q = std::pow(g.d_m / sum, 2);
            for (int i = 0; i < 2; ++i) {
                g.h_e_m[i] *= q;
                g.d_hzn_m[i] = smoothHorizon(i);
            }
        }
        for (int i = 0; i < 2; ++i) {
            const double q = std::sqrt(2.0 * g.h_e_m[i] * a_e);
            g.theta_hzn[i] = (0.65 * g.delta_h_m * (q / g.d_hzn_m[i] - 1.0) - 2.0 * g.h_e_m[i]) / q;
        }
    } else {
        pr.fit(d_start, 0.9 * g.d_hzn_m[0], fit_tx, unused);
        g.h_e_m[0] = h_tx + dim(pr.z_tx_ground_m, fit_tx);
        pr.fit(g.d_m - 0.9 * g.d_hzn_m[1], d_end, unused, fit_rx);
        g.h_e_m[1] = h_rx + dim(pr.z_rx_ground_m, fit_rx);
    }
    return g;
}

// Area-mode geometry from siting criteria and delta_h [Algorithm, Eqns 3.1-3.4].
Geometry areaGeometry(const Siting siting[2], double gamma_e, double delta_h, double h_tx, double h_rx, double d_m) {
    Geometry g{};
    g.h_m[0] = h_tx;
    g.h_m[1] = h_rx;
    g.delta_h_m = delta_h;
    g.d_m = d_m;
    for (int i = 0; i < 2; ++i) {
        const double h = g.h_m[i];
        if (siting[i] == Siting::Random) {
            g.h_e_m[i] = h;
        } else {
            double B = siting[i] == Siting::Careful ? 4.0 : 9.0;
            if (h < 5.0) B *= std::sin(0.1 * kPi * h);
            g.h_e_m[i] = h + (1.0 + B) * std::exp(-std::min(20.0, 2.0 * h / std::max(1e-3, delta_h)));  // Eqn 3.2
        }
        const double d_Ls = std::sqrt(2.0 * g.h_e_m[i] / gamma_e);
        g.d_hzn_m[i] = d_Ls * std::exp(-0.07 * std::sqrt(delta_h / std::max(g.h_e_m[i], 5.0)));  // Eqn 3.3
        g.theta_hzn[i] = (0.65 * delta_h * (d_Ls / g.d_hzn_m[i] - 1.0) - 2.0 * g.h_e_m[i]) / d_Ls;  // Eqn 3.4
    }
    return g;
}

// Vogler's height-gain function F(x, K) [Algorithm, Eqn 4.20], [Vogler 1964].
double heightGain_dB(double x_km, double K) {
    if (x_km < 200.0) {
        const double w = -std::log(K);
        if (K < 1e-5 || x_km * w * w * w > 5495.0) return x_km > 1.0 ? 17.372 * std::log(x_km) - 117.0 : -117.0;
        return 2.5e-5 * x_km * x_km / K - 8.686 * w - 15.0;
    }
    double r = 0.05751 * x_km - 4.343 * std::log(x_km);
    if (x_km < 2000.0) {
        const double w = 0.0134 * x_km * std::exp(-0.005 * x_km);
        r = (1.0 - w) * r + w * (17.372 * std::log(x_km) - 117.0);
    }
    return r;
}

struct Reference {
    const Geometry& g;
    double f_MHz;
    cplx Z_g;
    double abs_Z_g, f13;
    double a_e;
    double theta_los;
    double d_sML;
    bool p2p;
};

// What the diffraction attenuation at d3 and at d4 share: the two horizons' terms of Vogler's
// method and the clutter factor A_fo, which do not depend on the distance [Algorithm, Eqns
// 4.10-4.20]. Computed once per path with the same expressions, so the same values.
struct DiffractionTerms {
    double x_km[2];            // Vogler's x of the transmitter's and the receiver's horizon
    double height_gain_dB[2];  // their height gains F(x, K)
    double A_fo;               // clutter factor [Algorithm, Eqn 4.10]
};

// Vogler's C0, K and x (B_0 x) for one radius and distance [Vogler 1964, Eqns 2, 6a/7a, Fig 4].
void voglerTerm(const Reference& r, double radius, double dist_km, double& x_km, double& K) {
    const double f13 = r.f13;
    const double C0 = std::cbrt((4.0 / 3.0) * kEarthRadius_m / radius);  // [Vogler 1964, Eqn 2]
    K = 0.017778 * C0 / f13 / r.abs_Z_g;                                   // [Vogler 1964, Eqn 6a/7a]
    x_km = (1.607 - K) * C0 * C0 * f13 * dist_km;                          // B_0 from [Vogler 1964, Fig 4]
}

DiffractionTerms diffractionTerms(const Reference& r) {
    const Geometry& g = r.g;
    DiffractionTerms t{};
    for (int i = 0; i < 2; ++i) {
        const double radius = 0.5 * g.d_hzn_m[i] * g.d_hzn_m[i] / g.h_e_m[i];
        double K;
        voglerTerm(r, radius, g.d_hzn_m[i] / 1000.0, t.x_km[i], K);
        t.height_gain_dB[i] = heightGain_dB(t.x_km[i], K);
    }
    const double sigma_h = sigmaH(roughnessAt(r.d_sML, g.delta_h_m));
    t.A_fo = std::min(15.0, 5.0 * std::log10(1.0 + 1e-5 * g.h_m[0] * g.h_m[1] * r.f_MHz * sigma_h));
    return t;
}

// Smooth-earth diffraction by Vogler's three-radii method [Algorithm, Eqns 4.13-4.20].
double smoothEarth_dB(const Reference& r, const DiffractionTerms& t, double d) {
    const Geometry& g = r.g;
    const double theta_nlos = d / r.a_e - r.theta_los;
    const double d_ML = g.d_hzn_m[0] + g.d_hzn_m[1];
    const double radius0 = (d - d_ML) / theta_nlos;
    double x0_km, K0;
    voglerTerm(r, radius0, radius0 * theta_nlos / 1000.0, x0_km, K0);
    const double x0 = x0_km + t.x_km[0] + t.x_km[1];
    const double G = 0.05751 * x0 - 10.0 * std::log10(x0);  // [TN101, Eqn 8.4]
    return G - t.height_gain_dB[0] - t.height_gain_dB[1] - 20.0;
}

// Double knife edge over the two horizons [TN101, Eqns I.1, I.7].
double doubleKnifeEdge_dB(const Reference& r, double d) {
    const Geometry& g = r.g;
    const double theta_nlos = d / r.a_e - r.theta_los;
    const double d_nlos = d - (g.d_hzn_m[0] + g.d_hzn_m[1]);
    const double c = 0.0795775 * waveNumber(r.f_MHz) * theta_nlos * theta_nlos;  // 1/(4 pi) k theta^2
    return knifeEdge_dB(c * g.d_hzn_m[0] * d_nlos / (d_nlos + g.d_hzn_m[0])) +
           knifeEdge_dB(c * g.d_hzn_m[1] * d_nlos / (d_nlos + g.d_hzn_m[1]));
}

// Diffraction attenuation: weighted smooth-earth and knife-edge plus clutter [Algorithm, Eqns 4.9-4.12],
// [ERL 79, Eqns 3.23, 3.38c].
double diffraction_dB(const Reference& r, const DiffractionTerms& t, double d) {
    const Geometry& g = r.g;
    const double A_k = doubleKnifeEdge_dB(r, d);
    const double A_r = smoothEarth_dB(r, t, d);
    double q = g.h_m[0] * g.h_m[1];
    const double qk = g.h_e_m[0] * g.h_e_m[1] - q;
    if (r.p2p) q += 10.0;  // C ~ 10 for low antennas over a known path [ERL 79, p. 3-8]
    const double d_ML = g.d_hzn_m[0] + g.d_hzn_m[1];
    q = (std::sqrt(1.0 + qk / q) + (-r.theta_los * r.a_e + d_ML) / d) *
        std::min(roughnessAt(d, g.delta_h_m) * waveNumber(r.f_MHz), 6283.2);
    const double w = 25.1 / (25.1 + std::sqrt(q));
    return w * A_r + (1.0 - w) * A_k + t.A_fo;
}

// Line-of-sight attenuation: two-ray with rough-surface reflection blended with the extended
// diffraction line [Algorithm, Eqns 4.43-4.51].
double lineOfSight_dB(const Reference& r, double d, double M_d, double A_d0) {
    const Geometry& g = r.g;
    const double sigma_h = sigmaH(roughnessAt(d, g.delta_h_m));
    const double k = waveNumber(r.f_MHz);
    const double hs = g.h_e_m[0] + g.h_e_m[1];
    const double sin_psi = hs / std::sqrt(d * d + hs * hs);                                               // Eqn 4.46
    cplx R_e = (sin_psi - r.Z_g) / (sin_psi + r.Z_g) * std::exp(-std::min(10.0, k * sigma_h * sin_psi));  // Eqn 4.47
    const double q = std::norm(R_e);
    if (q < 0.25 || q < sin_psi) R_e *= std::sqrt(sin_psi / q);  // Eqn 4.48
    double dphi = k * 2.0 * g.h_e_m[0] * g.h_e_m[1] / d;        // Eqn 4.49
    if (dphi > kPi / 2.0) dphi = kPi - (kPi / 2.0) * (kPi / 2.0) / dphi;  // Eqn 4.50
    const cplx rr = cplx(std::cos(dphi), -std::sin(dphi)) + R_e;
    const double A_t = -10.0 * std::log10(std::norm(rr));
    const double A_d = M_d * d + A_d0;
    const double w = 1.0 / (1.0 + r.f_MHz * g.delta_h_m / std::max(10e3, r.d_sML));
    return w * A_t + (1.0 - w) * A_d;
}

// H_01(r, j) curve fits [Algorithm, Eqn 6.13].
double h0Curve(int j, double r) {
    static constexpr double a[] = {25.0, 80.0, 177.0, 395.0, 705.0};
    static constexpr double b[] = {24.0, 45.0, 68.0, 80.0, 105.0};
    const double ir2 = 1.0 / (r * r);
    return 10.0 * std::log10(1.0 + a[j] * ir2 * ir2 + b[j] * ir2);
}

// Troposcatter frequency-gain function H_0(r, eta_s) [TN101, §9.2], interpolated in eta_s.
double h0(double r, double eta_s) {
    eta_s = std::clamp(eta_s, 1.0, 5.0);
    const int i = static_cast<int>(eta_s);
    const double q = eta_s - i;
    double v = h0Curve(i - 1, r);
    if (q != 0.0) v = (1.0 - q) * v + q * h0Curve(i, r);
    return v;
}

// Attenuation function F(theta d) [Algorithm, Eqn 6.9].
double attenuationF_dB(double td) {
    const int i = td <= 10e3 ? 0 : (td <= 70e3 ? 1 : 2);
    static constexpr double a[] = {133.4, 104.6, 71.8};
    static constexpr double b[] = {0.332e-3, 0.212e-3, 0.157e-3};
    static constexpr double c[] = {-10.0, -2.5, 5.0};
    return a[i] + b[i] * td + c[i] * std::log10(td);
}

// Troposcatter attenuation [Algorithm, Eqns 4.52-4.67], [TN101, Eqns 9.3-9.5]. @p H0_state carries
// H_0 from the first to the second call as the algorithm prescribes.
double troposcatter_dB(const Reference& r, double N_s, double d, double& H0_state) {
    const Geometry& g = r.g;
    const double k = waveNumber(r.f_MHz);
    double H0;
    if (H0_state > 15.0) {
        H0 = H0_state;
    } else {
        double ad = g.d_hzn_m[0] - g.d_hzn_m[1];
        double rr = g.h_e_m[1] / g.h_e_m[0];
        if (ad < 0.0) ad = -ad, rr = 1.0 / rr;
        const double theta = g.theta_hzn[0] + g.theta_hzn[1] + d / r.a_e;
        const double r1 = 2.0 * k * theta * g.h_e_m[0];
        const double r2 = 2.0 * k * theta * g.h_e_m[1];
        if (r1 < 0.2 && r2 < 0.2) return 1001.0;  // A_scat undefined [Algorithm, p. 11]
        double s = (d - ad) / (d + ad);
        const double q = std::min(std::max(0.1, rr / s), 10.0);
        s = std::max(0.1, s);
        const double h_0 = (d - ad) * (d + ad) * theta * 0.25 / d;  // Eqn 4.66
        const double eta_s = (h_0 / 1.7556e3) *
                             (1.0 + (0.031 - N_s * 2.32e-3 + N_s * N_s * 5.67e-6) * std::exp(-std::pow(std::min(1.7, h_0 / 8.0e3), 6)));
        const double H00 = (h0(r1, eta_s) + h0(r2, eta_s)) / 2.0;
        const double dH0 = std::min(H00, 6.0 * (0.6 - std::log10(std::max(eta_s, 1.0))) * std::log10(s) * std::log10(q));
        H0 = std::max(H00 + dH0, 0.0);
        if (eta_s < 1.0) {
            const double s2 = std::sqrt(2.0);
            H0 = eta_s * H0 + (1.0 - eta_s) * 10.0 *
                                  std::log10(std::pow((1.0 + s2 / r1) * (1.0 + s2 / r2), 2) * (r1 + r2) / (r1 + r2 + 2.0 * s2));
        }
        if (H0 > 15.0 && H0_state >= 0.0) H0 = H0_state;
    }
    H0_state = H0;
    const double th = d / r.a_e - r.theta_los;
    return attenuationF_dB(th * d) + 10.0 * std::log10(k * 47.7 * (th * th) * (th * th)) -
           0.1 * (N_s - 301.0) * std::exp(-th * d / 40e3) + H0;  // Eqn 4.63
}

// Reference attenuation A_ref and mode [Algorithm, §4 "lrprop"].
double referenceAttenuation(const Geometry& g, const Atmosphere& atm, double f_MHz, bool p2p, uint32_t& warnings, Mode& mode) {
    const double a_e = 1.0 / atm.gamma_e;
    const double d_hzn_s[2] = {std::sqrt(2.0 * g.h_e_m[0] * a_e), std::sqrt(2.0 * g.h_e_m[1] * a_e)};
    const double d_sML = d_hzn_s[0] + d_hzn_s[1];
    const double d_ML = g.d_hzn_m[0] + g.d_hzn_m[1];
    const double theta_los = -std::max(g.theta_hzn[0] + g.theta_hzn[1], -d_ML / a_e);
    if (std::abs(g.theta_hzn[0]) > 200e-3) warnings |= kTxHorizonAngle;
    if (std::abs(g.theta_hzn[1]) > 200e-3) warnings |= kRxHorizonAngle;
    if (g.d_hzn_m[0] < 0.1 * d_hzn_s[0]) warnings |= kTxHorizonDistance1;
    if (g.d_hzn_m[1] < 0.1 * d_hzn_s[1]) warnings |= kRxHorizonDistance1;
    if (g.d_hzn_m[0] > 3.0 * d_hzn_s[0]) warnings |= kTxHorizonDistance2;
    if (g.d_hzn_m[1] > 3.0 * d_hzn_s[1]) warnings |= kRxHorizonDistance2;
    if (atm.N_s < 150.0 || atm.N_s > 400.0) {
        throw InputError("ITM: surface refractivity " + std::to_string(atm.N_s) +
                         " N-units is outside 150-400; check --itm-n0 and the terrain height");
    }
    if (atm.N_s < 250.0) warnings |= kSurfaceRefractivity;
    if (a_e < 4000000.0 || a_e > 13333333.0) throw InputError("ITM: effective earth radius outside 4000-13333 km");
    if (atm.Z_g.real() <= std::abs(atm.Z_g.imag())) {
        throw InputError("ITM: ground impedance out of range; check --itm-epsilon and --itm-sigma");
    }
    const Reference r{g, f_MHz, atm.Z_g, atm.abs_Z_g, atm.f13, a_e, theta_los, d_sML, p2p};

    // Diffraction line through two points far in the diffraction region [Algorithm, Eqns 4.1-4.4].
    const double scale = std::cbrt(a_e * a_e / f_MHz);
    const double d3 = std::max(d_sML, d_ML + 5.0 * scale);
    const double d4 = d3 + 10.0 * scale;
    const DiffractionTerms terms = diffractionTerms(r);
    const double A3 = diffraction_dB(r, terms, d3);
    const double A4 = diffraction_dB(r, terms, d4);
    const double M_d = (A4 - A3) / (d4 - d3);
    const double A_d0 = A3 - M_d * d3;

    const double d = g.d_m;
    if (d < std::abs(g.h_e_m[0] - g.h_e_m[1]) / 200e-3) warnings |= kPathDistanceTooSmall1;
    if (d < 1e3) warnings |= kPathDistanceTooSmall2;
    if (d > 1000e3) warnings |= kPathDistanceTooBig1;
    if (d > 2000e3) warnings |= kPathDistanceTooBig2;

    double A_ref;
    if (d < d_sML) {
        // Line of sight: A = A_o + k1 d + k2 ln d fitted through A_0, A_1, A_sML [ERL 79, Eqns 3.16-3.21].
        const double A_sML = d_sML * M_d + A_d0;
        double d0 = 0.04 * f_MHz * g.h_e_m[0] * g.h_e_m[1];
        double d1;
        if (A_d0 >= 0.0) {
            d0 = std::min(d0, 0.5 * d_ML);
            d1 = d0 + 0.25 * (d_ML - d0);
        } else {
            d1 = std::max(-A_d0 / M_d, 0.25 * d_ML);
        }
        const double A1 = lineOfSight_dB(r, d1, M_d, A_d0);
        bool fitted = false;
        double k1 = 0.0, k2 = 0.0;
        if (d0 < d1) {
            const double A0 = lineOfSight_dB(r, d0, M_d, A_d0);
            const double q = std::log(d_sML / d0);
            k2 = std::max(0.0, ((d_sML - d0) * (A1 - A0) - (d1 - d0) * (A_sML - A0)) /
                                   ((d_sML - d0) * std::log(d1 / d0) - (d1 - d0) * q));
            fitted = A_d0 > 0.0 || k2 > 0.0;
            if (fitted) {
                k1 = (A_sML - A0 - k2 * q) / (d_sML - d0);
                if (k1 < 0.0) {
                    k1 = 0.0;
                    k2 = dim(A_sML, A0) / q;
                    if (k2 == 0.0) k1 = M_d;
                }
            }
        }
        if (!fitted) {
            k1 = dim(A_sML, A1) / (d_sML - d1);
            k2 = 0.0;
            if (k1 == 0.0) k1 = M_d;
        }
        const double A_o = A_sML - k1 * d_sML - k2 * std::log(d_sML);
        A_ref = A_o + k1 * d + k2 * std::log(d);
        mode = Mode::LineOfSight;
    } else {
        // Beyond the horizon: diffraction line, or troposcatter line past d_x [Algorithm, Eqns 4.5-4.8].
        // d_x is at least max(d_sML, d_ML + 1.088 scale ln f) (10e6 m when A_scat is undefined),
        // so a path no longer than that is in the diffraction region whatever the scatter line:
        // the two troposcatter evaluations are skipped and A_ref is the same.
        const double d_x_min = std::max(d_sML, d_ML + 1.088 * scale * std::log(f_MHz));
        if (d <= d_x_min) {
            mode = Mode::Diffraction;
            return std::max(M_d * d + A_d0, 0.0);
        }
        const double d5 = d_ML + 200e3;
        const double d6 = d_ML + 400e3;
        double H0_state = -1.0;
        const double A6 = troposcatter_dB(r, atm.N_s, d6, H0_state);
        const double A5 = troposcatter_dB(r, atm.N_s, d5, H0_state);
        double M_s = M_d, A_s0 = A_d0, d_x = 10e6;
        if (A5 < 1000.0) {
            M_s = (A6 - A5) / 200e3;
            d_x = std::max(d_x_min, (A5 - A_d0 - M_s * d5) / (M_d - M_s));
            A_s0 = (M_d - M_s) * d_x + A_d0;
        }
        if (d > d_x) {
            A_ref = M_s * d + A_s0;
            mode = Mode::Troposcatter;
        } else {
            A_ref = M_d * d + A_d0;
            mode = Mode::Diffraction;
        }
    }
    return std::max(A_ref, 0.0);
}

// (c1 + c2 / (1 + ((d_e - x2)/x3)^2)) (d_e/x1)^2 / (1 + (d_e/x1)^2) [TN101v2, Eqns III.69-70].
double curve(double c1, double c2, double x1, double x2, double x3, double de) {
    const double r = (de / x1) * (de / x1);
    return (c1 + c2 / (1.0 + std::pow((de - x2) / x3, 2))) * r / (1.0 + r);
}

// Variability: time, location and situation quantiles added to A_ref [Algorithm, §5, Eqns 5.1-5.12].
double variability_dB(const Params& p, const RunConstants& rc, const Geometry& g, double f_MHz, double A_ref, uint32_t& warnings) {
    // Climate constants [Algorithm, Table 5.1] (the "all year" curves of [TN101, Fig 10.13]).
    static constexpr double all_year[5][7] = {
        {-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15},
        {12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9},
        {144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.e3},
        {190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3},
        {133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3}};
    static constexpr double bsm1[] = {2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51};
    static constexpr double bsm2[] = {159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8};
    static constexpr double xsm1[] = {762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3};
    static constexpr double xsm2[] = {123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3};
    static constexpr double xsm3[] = {94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3};
    static constexpr double bsp1[] = {2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43};
    static constexpr double bsp2[] = {102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19};
    static constexpr double xsp1[] = {636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3};
    static constexpr double xsp2[] = {134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3};
    static constexpr double xsp3[] = {95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3};
    static constexpr double C_D[] = {1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518};
    static constexpr double z_D[] = {1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282};

    double z_T = rc.z_T;
    double z_L = rc.z_L;
    const double z_S = rc.z_S;
    const int c = static_cast<int>(p.climate) - 1;
    const double k = waveNumber(f_MHz);

    // Effective distance [Algorithm, Eqn 5.3].
    const double d_ex = std::sqrt(2.0 * kVariabilityRadius_m * g.h_e_m[0]) +
                        std::sqrt(2.0 * kVariabilityRadius_m * g.h_e_m[1]) + rc.d_ex_k_m;
    const double d_e = g.d_m < d_ex ? 130e3 * g.d_m / d_ex : 130e3 + g.d_m - d_ex;

    int mdvar = p.mdvar;
    const bool no_situation = mdvar >= 20;
    if (no_situation) mdvar -= 20;
    const bool no_location = mdvar >= 10;
    if (no_location) mdvar -= 10;
    const double sigma_S = no_situation ? 0.0 : 5.0 + 3.0 * std::exp(-d_e / 100e3);  // Eqn 5.10

    const double V_med = curve(all_year[0][c], all_year[1][c], all_year[2][c], all_year[3][c], all_year[4][c], d_e);
    if (mdvar == kSingleMessage) {
        z_T = z_L = z_S;
    } else if (mdvar == kAccidental) {
        z_L = z_S;
    } else if (mdvar == kMobile) {
        z_L = z_T;
    }
    if (std::abs(z_T) > 3.10 || std::abs(z_L) > 3.10 || std::abs(z_S) > 3.10) warnings |= kExtremeVariabilities;

    double sigma_L = 0.0;
    if (!no_location) {
        const double dh = roughnessAt(g.d_m, g.delta_h_m);
        sigma_L = 10.0 * k * dh / (k * dh + 13.0);  // [Algorithm, Eqn 5.9]
    }
    const double Y_L = sigma_L * z_L;

    const double g_minus = rc.g_minus;
    const double g_plus = rc.g_plus;
    const double sigma_T_minus = curve(bsm1[c], bsm2[c], xsm1[c], xsm2[c], xsm3[c], d_e) * g_minus;
    const double sigma_T_plus = curve(bsp1[c], bsp2[c], xsp1[c], xsp2[c], xsp3[c], d_e) * g_plus;
    const double sigma_TD = C_D[c] * sigma_T_plus;
    const double tgtd = (sigma_T_plus - sigma_TD) * z_D[c];
    double sigma_T;
    if (z_T < 0.0) sigma_T = sigma_T_minus;
    else if (z_T <= z_D[c]) sigma_T = sigma_T_plus;
    else sigma_T = sigma_TD + tgtd / z_T;
    const double Y_T = sigma_T * z_T;

    const double s2 = sigma_S * sigma_S + Y_T * Y_T / (7.8 + z_S * z_S) + Y_L * Y_L / (24.0 + z_S * z_S);  // Eqn 5.11
    double Y_R, Y_S;
    if (mdvar == kSingleMessage) {
        Y_R = 0.0;
        Y_S = std::sqrt(sigma_T * sigma_T + sigma_L * sigma_L + s2) * z_S;
    } else if (mdvar == kAccidental) {
        Y_R = Y_T;
        Y_S = std::sqrt(sigma_L * sigma_L + s2) * z_S;
    } else if (mdvar == kMobile) {
        Y_R = std::sqrt(sigma_T * sigma_T + sigma_L * sigma_L) * z_T;
        Y_S = std::sqrt(s2) * z_S;
    } else {
        Y_R = Y_T + Y_L;
        Y_S = std::sqrt(s2) * z_S;
    }
    double result = A_ref - V_med - Y_R - Y_S;
    if (result < 0.0) result = result * (29.0 - result) / (29.0 - 10.0 * result);  // Eqn 5.12
    return result;
}

// Input domain of the model [Algorithm, §1], with the reference implementation's warning bands.
void validate(const Params& p, double h_tx, double h_rx, double f_MHz, uint32_t& w) {
    auto fail = [](const std::string& what) { throw InputError("ITM: " + what); };
    if (h_tx < 1.0 || h_tx > 1000.0) w |= kTxTerminalHeight;
    if (h_tx < 0.5 || h_tx > 3000.0) fail("transmitter height " + std::to_string(h_tx) + " m is outside 0.5-3000 m");
    if (h_rx < 1.0 || h_rx > 1000.0) w |= kRxTerminalHeight;
    if (h_rx < 0.5 || h_rx > 3000.0) fail("receiver height " + std::to_string(h_rx) + " m is outside 0.5-3000 m");
    const int c = static_cast<int>(p.climate);
    if (c < 1 || c > 7) fail("radio climate must be 1-7");
    if (p.N0 < 250.0 || p.N0 > 400.0) fail("surface refractivity N0 must be 250-400 N-units (--itm-n0)");
    if (f_MHz < 40.0 || f_MHz > 10000.0) w |= kFrequency;
    if (f_MHz < 20.0 || f_MHz > 20000.0) fail("frequency must be 20-20000 MHz");
    if (p.epsilon < 1.0) fail("relative permittivity must be >= 1 (--itm-epsilon)");
    if (p.sigma_S_per_m <= 0.0) fail("ground conductivity must be > 0 S/m (--itm-sigma)");
    const int m = p.mdvar;
    if (m < 0 || (m > 3 && m < 10) || (m > 13 && m < 20) || (m > 23 && m < 30) || m > 33) {
        fail("variability mode must be 0-3, optionally plus 10 and/or 20 (--itm-mdvar)");
    }
    auto pct = [&](double v, const char* name) {
        if (!(v > 0.0 && v < 100.0)) fail(std::string(name) + " percentage must be strictly between 0 and 100");
    };
    pct(p.time_pct, "time");
    pct(p.location_pct, "location");
    pct(p.situation_pct, "situation");
}

const RunConstants& runConstants(const Params& p, double f_MHz) {
    thread_local RunConstants rc;
    if (rc.f_MHz == f_MHz && rc.p == p) return rc;
    static constexpr double bfm1[] = {1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0};
    static constexpr double bfm2[] = {0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0};
    static constexpr double bfm3[] = {0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0};
    static constexpr double bfp1[] = {1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0};
    static constexpr double bfp2[] = {0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0};
    static constexpr double bfp3[] = {0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0};
    RunConstants n;
    n.p = p;
    n.f_MHz = f_MHz;
    n.z_T = qinv(p.time_pct / 100.0);
    n.z_L = qinv(p.location_pct / 100.0);
    n.z_S = qinv(p.situation_pct / 100.0);
    const double k = waveNumber(f_MHz);
    n.d_ex_k_m = std::cbrt(575.7e12 / k);
    const int c = std::clamp(static_cast<int>(p.climate) - 1, 0, 6);  // validate() rejects others first
    const double q = std::log(0.133 * k);
    n.g_minus = bfm1[c] + bfm2[c] / (std::pow(bfm3[c] * q, 2) + 1.0);
    n.g_plus = bfp1[c] + bfp2[c] / (std::pow(bfp3[c] * q, 2) + 1.0);
    const cplx eps_r(p.epsilon, 18000.0 * p.sigma_S_per_m / f_MHz);
    n.Z_g = std::sqrt(eps_r - 1.0);
    if (p.polarization == Polarization::Vertical) n.Z_g /= eps_r;
    n.abs_Z_g = std::abs(n.Z_g);
    n.f13 = std::cbrt(f_MHz);
    n.fspl_f_dB = 32.45 + 20.0 * std::log10(f_MHz);
    rc = n;
    return rc;
}

Result finish(const Params& p, const Geometry& g, const Atmosphere& atm, double f_MHz, bool p2p, uint32_t warnings) {
    Result r;
    r.A_ref_dB = referenceAttenuation(g, atm, f_MHz, p2p, warnings, r.mode);
    // Free space [ITU-R P.525-4 eq. (4)]: 32.45 + 20 log10 f + 20 log10 d_km.
    r.free_space_dB = atm.rc->fspl_f_dB + 20.0 * std::log10(g.d_m / 1000.0);
    r.loss_dB = r.free_space_dB + variability_dB(p, *atm.rc, g, f_MHz, r.A_ref_dB, warnings);
    r.warnings = warnings;
    r.d_km = g.d_m / 1000.0;
    for (int i = 0; i < 2; ++i) {
        r.theta_hzn_rad[i] = g.theta_hzn[i];
        r.d_hzn_m[i] = g.d_hzn_m[i];
        r.h_e_m[i] = g.h_e_m[i];
    }
    r.N_s = atm.N_s;
    r.delta_h_m = g.delta_h_m;
    return r;
}

}  // namespace

const char* toString(Mode m) {
    switch (m) {
        case Mode::LineOfSight: return "line-of-sight";
        case Mode::Diffraction: return "diffraction";
        case Mode::Troposcatter: return "troposcatter";
    }
    return "?";
}

std::vector<std::string> describeWarnings(uint32_t f) {
    static constexpr std::pair<uint32_t, const char*> kText[] = {
        {kTxTerminalHeight, "ITM: transmitter height near the limits of 1-1000 m"},
        {kRxTerminalHeight, "ITM: receiver height near the limits of 1-1000 m"},
        {kFrequency, "ITM: frequency outside 40-10000 MHz"},
        {kPathDistanceTooBig1, "ITM: path longer than 1000 km"},
        {kPathDistanceTooBig2, "ITM: path longer than 2000 km; treat the result with care"},
        {kPathDistanceTooSmall1, "ITM: path shorter than |h_e1 - h_e2| / 0.2"},
        {kPathDistanceTooSmall2, "ITM: path shorter than 1 km; treat the result with care"},
        {kTxHorizonAngle, "ITM: transmitter horizon angle above 200 mrad (small-angle approximation)"},
        {kRxHorizonAngle, "ITM: receiver horizon angle above 200 mrad (small-angle approximation)"},
        {kTxHorizonDistance1, "ITM: transmitter horizon closer than 1/10 of the smooth-earth horizon"},
        {kRxHorizonDistance1, "ITM: receiver horizon closer than 1/10 of the smooth-earth horizon"},
        {kTxHorizonDistance2, "ITM: transmitter horizon beyond 3x the smooth-earth horizon"},
        {kRxHorizonDistance2, "ITM: receiver horizon beyond 3x the smooth-earth horizon"},
        {kExtremeVariabilities, "ITM: a time/location/situation quantile lies far in the tail (|z| > 3.1)"},
        {kSurfaceRefractivity, "ITM: surface refractivity below 250 N-units"},
    };
    std::vector<std::string> out;
    for (const auto& [bit, text] : kText) {
        if (f & bit) out.emplace_back(text);
    }
    return out;
}

int irregularitySampleCount(double xi, double d_start, double d_end) {
    const double x_start = d_start / xi, x_end = d_end / xi;
    if (x_end - x_start < 2.0) return 0;
    return 10 * std::clamp(static_cast<int>(0.1 * (x_end - x_start + 8.0)), 4, 25) - 5;
}

double irregularityOfSamples(std::span<double> s, double d_start, double d_end) {
    const int n = static_cast<int>(s.size());
    if (n < 2) return 0.0;
    if (n > 245) throw Error("ITM delta_h: " + std::to_string(n) + " samples, at most 245 (irregularitySampleCount)");
    const int p10 = (n + 5) / 10;
    double y0 = 0, y1 = 0;
    leastSquaresLine(s, 1.0, 0.0, n - 1, y0, y1);
    const double slope = (y1 - y0) / (n - 1);
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    bool finite = true;
    for (int j = 0; j < n; ++j) {
        const double v = s[static_cast<size_t>(j)] - (y0 + slope * j);
        s[static_cast<size_t>(j)] = v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        finite &= std::isfinite(v);
    }
    if (!finite) throw Error("ITM delta_h: a terrain sample is not a number");
    if (!(hi > lo)) return 0.0;  // residuals all equal: no irregularity
    // The p10-th largest residual and the p10-th smallest, exactly, from one histogram: 256 buckets
    // by value (monotone, so a higher bucket holds only larger values), the bucket holding each
    // order statistic found from the counts, and a selection among the few values in it. No
    // comparison sort; about twice as fast as selecting among pivot-filtered candidates.
    constexpr int kBuckets = 256;
    const double scale = (kBuckets - 0.5) / (hi - lo);
    std::array<uint8_t, 245> bucket;
    std::array<uint16_t, kBuckets> count{};
    for (int j = 0; j < n; ++j) bucket[static_cast<size_t>(j)] = static_cast<uint8_t>(static_cast<int>((s[static_cast<size_t>(j)] - lo) * scale));
    for (int j = 0; j < n; ++j) ++count[bucket[static_cast<size_t>(j)]];
    int top = kBuckets - 1, above = 0;
    while (above + count[static_cast<size_t>(top)] < p10) above += count[static_cast<size_t>(top--)];
    int bottom = 0, below = 0;
    while (below + count[static_cast<size_t>(bottom)] < p10) below += count[static_cast<size_t>(bottom++)];
    std::array<double, 245> in_top, in_bottom;
    int nt = 0, nb = 0;
    for (int j = 0; j < n; ++j) {
        const double v = s[static_cast<size_t>(j)];
        const int b = bucket[static_cast<size_t>(j)];
        in_top[static_cast<size_t>(nt)] = v;
        nt += b == top;
        in_bottom[static_cast<size_t>(nb)] = v;
        nb += b == bottom;
    }
    const int kt = p10 - above, kb = p10 - below;  // ranks within the two buckets, from 1
    std::nth_element(in_top.begin(), in_top.begin() + (kt - 1), in_top.begin() + nt, std::greater<double>());
    std::nth_element(in_bottom.begin(), in_bottom.begin() + (kb - 1), in_bottom.begin() + nb);
    const double q10 = in_top[static_cast<size_t>(kt) - 1];
    const double q90 = in_bottom[static_cast<size_t>(kb) - 1];
    return (q10 - q90) / (1.0 - 0.8 * std::exp(-(d_end - d_start) / 50e3));
}

namespace {
// dlthx over a profile given as height at a distance [ERL 79, Eqn 3]: resample the terrain
// between the two distances to n points, fit a line, and take the interdecile range of the
// residuals, extrapolated to an infinite path.
template <class HeightAt>
double irregularity(const HeightAt& height_at, double xi, double d_start, double d_end) {
    const int n = irregularitySampleCount(xi, d_start, d_end);  // at most 245
    if (n == 0) return 0.0;
    const double step_m = (d_end - d_start) / (n - 1);
    std::array<double, 245> s;
    for (int j = 0; j < n; ++j) s[static_cast<size_t>(j)] = height_at(d_start + step_m * j);
    return irregularityOfSamples(std::span<double>(s.data(), static_cast<size_t>(n)), d_start, d_end);
}
}  // namespace

double terrainIrregularity_m(std::span<const double> z, double xi, double d_start, double d_end) {
    // Linear between samples, as the reference's index walk.
    const int np = static_cast<int>(z.size()) - 1;
    return irregularity(
        [&](double x_m) {
            const double u = x_m / xi;
            const int i = std::clamp(static_cast<int>(u), 0, np - 1);
            return z[static_cast<size_t>(i)] + (z[static_cast<size_t>(i) + 1] - z[static_cast<size_t>(i)]) * (u - i);
        },
        xi, d_start, d_end);
}

Result pointToPoint(const Params& p, double h_tx_m, double h_rx_m, const ProfileSummary& pr, double f_MHz) {
    if (!(pr.d_m > 0.0)) throw InputError("ITM: path distance must be > 0 m");
    uint32_t w = 0;
    validate(p, h_tx_m, h_rx_m, f_MHz, w);
    const Atmosphere atm = atmosphere(p, f_MHz, pr.h_sys_m);
    const Geometry g = profileGeometry(pr, atm.gamma_e, h_tx_m, h_rx_m);
    return finish(p, g, atm, f_MHz, true, w);
}

Result pointToPoint(const Params& p, double h_tx_m, double h_rx_m, std::span<const double> z, double step_m, double f_MHz) {
    if (z.size() < 3 || !(step_m > 0.0)) {
        throw InputError("ITM: the profile needs at least 3 points and a positive spacing");
    }
    const int np = static_cast<int>(z.size()) - 1;
    ProfileSummary pr;
    pr.d_m = np * step_m;
    pr.z_tx_ground_m = z[0];
    pr.z_rx_ground_m = z[static_cast<size_t>(np)];
    // Mean path height over the middle 80 % sets the surface refractivity [Algorithm, Eqn 2.2].
    const int p10 = static_cast<int>(0.1 * np);
    for (int i = p10; i <= np - p10; ++i) pr.h_sys_m += z[static_cast<size_t>(i)];
    pr.h_sys_m /= (np - 2 * p10 + 1);
    const double hm[2] = {h_tx_m, h_rx_m};
    auto hzns = [&](double a_e, double theta[2], double d_hzn[2]) { horizons(z, step_m, a_e, hm, theta, d_hzn); };
    auto dlthx = [&](double d0, double d1) { return terrainIrregularity_m(z, step_m, d0, d1); };
    auto zlsq1 = [&](double d0, double d1, double& z0, double& z1) { leastSquaresLine(z, step_m, d0, d1, z0, z1); };
    pr.horizons = hzns;
    pr.delta_h = dlthx;
    pr.fit = zlsq1;
    return pointToPoint(p, h_tx_m, h_rx_m, pr, f_MHz);
}

Result area(const Params& p, double h_tx_m, double h_rx_m, Siting tx_siting, Siting rx_siting, double d_km, double delta_h_m,
            double f_MHz) {
    uint32_t w = 0;
    validate(p, h_tx_m, h_rx_m, f_MHz, w);
    if (!(d_km > 0.0)) throw InputError("ITM: path distance must be > 0 km");
    if (delta_h_m < 0.0) throw InputError("ITM: terrain irregularity delta_h must be >= 0 m (--itm-delta-h)");
    const Atmosphere atm = atmosphere(p, f_MHz, 0.0);
    const Siting siting[2] = {tx_siting, rx_siting};
    const Geometry g = areaGeometry(siting, atm.gamma_e, delta_h_m, h_tx_m, h_rx_m, d_km * 1000.0);
    return finish(p, g, atm, f_MHz, false, w);
}

}  // namespace phusong::models::itm
