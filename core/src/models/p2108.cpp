#include "phusong/core/models/p2108.hpp"

#include <algorithm>
#include <cmath>

#include "phusong/core/models/inverse_normal.hpp"
#include "phusong/core/models/knife_edge.hpp"

namespace phusong::models::p2108 {

Result heightGainTerminalCorrection(double f_GHz, double h_m, double w_s_m, double R_m, ClutterType type) {
    if (f_GHz < 0.03 || f_GHz > 3.0) return {0.0, kTerrainFrequencyInvalid};
    if (!(h_m > 0.0)) return {0.0, kTerrainHeightInvalid};
    if (!(w_s_m > 0.0)) return {0.0, kTerrainStreetWidthInvalid};
    if (!(R_m > 0.0)) return {0.0, kTerrainClutterHeightInvalid};
    const int t = static_cast<int>(type);
    if (t < 1 || t > 6) return {0.0, kTerrainClutterTypeInvalid};
    if (h_m >= R_m) return {0.0, kSuccess};  // terminal above the clutter: no correction
    if (type == ClutterType::WaterSea || type == ClutterType::OpenRural) {
        const double K_h2 = 21.8 + 6.2 * std::log10(f_GHz);  // eq. (5)
        return {-K_h2 * std::log10(h_m / R_m), kSuccess};     // eq. (2b)
    }
    const double h_dif = R_m - h_m;                                     // eq. (3)
    const double theta_clut_deg = std::atan(h_dif / w_s_m) * 180.0 / M_PI; // eq. (4)
    const double K_nu = 0.342 * std::sqrt(f_GHz);                       // eq. (6)
    const double nu = K_nu * std::sqrt(h_dif * theta_clut_deg);         // eq. (2c)
    return {knifeEdgeLoss_dB(nu) - 6.03, kSuccess};                     // eq. (2a), J(nu) from P.526
}

namespace {
// §3.2 eqs. (3a)-(5b) at one distance.
double terrestrialAt(double f_GHz, double d_km, double p_percent) {
    const double sigma_l = 4.0, sigma_s = 6.0;  // dB, §3.2
    const double L_l = -2.0 * std::log10(std::pow(10.0, -5.0 * std::log10(f_GHz) - 12.5) + std::pow(10.0, -16.5));  // eq. (4a)
    const double L_s = 32.98 + 23.9 * std::log10(d_km) + 3.0 * std::log10(f_GHz);                                    // eq. (5a)
    const double wl = std::pow(10.0, -0.2 * L_l), ws = std::pow(10.0, -0.2 * L_s);
    const double sigma_cb = std::sqrt((sigma_l * sigma_l * wl + sigma_s * sigma_s * ws) / (wl + ws));  // eq. (3b)
    return -5.0 * std::log10(wl + ws) - sigma_cb * inverseComplementaryNormal(p_percent / 100.0);   // eq. (3a)
}
}  // namespace

Result terrestrialStatistical(double f_GHz, double d_km, double p_percent) {
    if (f_GHz < 0.5 || f_GHz > 67.0) return {0.0, kTerrestrialFrequencyInvalid};
    if (d_km < 0.25) return {0.0, kTerrestrialDistanceInvalid};
    if (!(p_percent > 0.0 && p_percent < 100.0)) return {0.0, kTerrestrialPercentageInvalid};
    // eq. (6): the loss must not exceed its value at 2 km.
    return {std::min(terrestrialAt(f_GHz, 2.0, p_percent), terrestrialAt(f_GHz, d_km, p_percent)), kSuccess};
}

Result aeronauticalStatistical(double f_GHz, double theta_deg, double p_percent) {
    if (f_GHz < 10.0 || f_GHz > 100.0) return {0.0, kAeroFrequencyInvalid};
    if (theta_deg < 0.0 || theta_deg > 90.0) return {0.0, kAeroAngleInvalid};
    if (!(p_percent > 0.0 && p_percent < 100.0)) return {0.0, kAeroPercentageInvalid};
    const double A_1 = 0.05;                        // §3.3
    const double K_1 = 93.0 * std::pow(f_GHz, 0.175);  // eq. (11)
    const double theta_rad = theta_deg * M_PI / 180.0;
    const double cot = 1.0 / std::tan(A_1 * (1.0 - theta_deg / 90.0) + theta_rad);
    const double base = -K_1 * std::log(1.0 - p_percent / 100.0) * cot;
    const double L = std::pow(base, 0.5 * (90.0 - theta_deg) / 90.0) - 1.0 -
                     0.6 * inverseComplementaryNormal(p_percent / 100.0);  // eq. (10)
    return {L, kSuccess};
}

}  // namespace phusong::models::p2108
