#include "phusong/core/models/tr38901.hpp"

#include <algorithm>
#include <cmath>

#include "phusong/core/fast_math.hpp"

namespace phusong::models::tr38901 {

namespace {
// Logarithms are fast::log10 (|error| < 1e-14 dB here): the sweep evaluates these per pixel.
constexpr double kC_m_s = 3.0e8;  // c as used in TR 38.901 Note 1 of Table 7.4.1-1

uint32_t rangeWarnings(const Params& p, double d2D_m, double d_max_m) {
    uint32_t w = 0;
    if (d2D_m < 10.0 || d2D_m > d_max_m) w |= kDistanceOutOfRange;
    const double f_max = p.scenario == Scenario::RMa ? 30.0 : 100.0;
    if (p.fc_GHz < 0.5 || p.fc_GHz > f_max) w |= kFrequencyOutOfRange;
    if (p.h_UT_m < 1.0 || p.h_UT_m > (p.scenario == Scenario::RMa ? 10.0 : 22.5)) w |= kHeightOutOfRange;
    if (p.scenario == Scenario::RMa && (p.h_BS_m < 10.0 || p.h_BS_m > 150.0)) w |= kHeightOutOfRange;
    return w;
}

// sqrt, not hypot: the terms are metres, far from overflow, and hypot's care costs ~20 ns a pixel.
double d3D(const Params& p, double d2D_m) {
    const double dh = p.h_BS_m - p.h_UT_m;
    return std::sqrt(d2D_m * d2D_m + dh * dh);
}

double rmaPl1(const Params& p, double d3) {
    const double h = p.h_building_m;
    return 20.0 * fast::log10(40.0 * M_PI * d3 * p.fc_GHz / 3.0) + std::min(0.03 * std::pow(h, 1.72), 10.0) * fast::log10(d3) -
           std::min(0.044 * std::pow(h, 1.72), 14.77) + 0.002 * fast::log10(h) * d3;  // RMa LOS PL1
}
}  // namespace

Result pathLossLos(const Params& p, double d2D_m) {
    Result r;
    const double d3 = d3D(p, d2D_m);
    const double fc_Hz = p.fc_GHz * 1e9;
    switch (p.scenario) {
        case Scenario::RMa: {
            r.breakpoint_m = 2.0 * M_PI * p.h_BS_m * p.h_UT_m * fc_Hz / kC_m_s;  // Note 5
            r.warnings = rangeWarnings(p, d2D_m, 10000.0);
            if (d2D_m <= r.breakpoint_m) {
                r.loss_dB = rmaPl1(p, d3);
                r.shadow_fading_dB = 4.0;
            } else {
                r.loss_dB = rmaPl1(p, r.breakpoint_m) + 40.0 * fast::log10(d3 / r.breakpoint_m);  // PL2 = PL1(d_BP) + 40 log10(d_3D/d_BP)
                r.shadow_fading_dB = 6.0;
            }
            break;
        }
        case Scenario::UMa:
        case Scenario::UMi: {
            const bool uma = p.scenario == Scenario::UMa;
            const double h_E = 1.0;  // effective environment height for h_UT < 13 m (Note 1)
            r.breakpoint_m = 4.0 * (p.h_BS_m - h_E) * (p.h_UT_m - h_E) * fc_Hz / kC_m_s;  // d'_BP
            r.warnings = rangeWarnings(p, d2D_m, 5000.0);
            const double a = uma ? 28.0 : 32.4, b = uma ? 22.0 : 21.0, k = uma ? 9.0 : 9.5;
            if (d2D_m <= r.breakpoint_m) {
                r.loss_dB = a + b * fast::log10(d3) + 20.0 * fast::log10(p.fc_GHz);  // PL1
            } else {
                const double dh = p.h_BS_m - p.h_UT_m;
                r.loss_dB = a + 40.0 * fast::log10(d3) + 20.0 * fast::log10(p.fc_GHz) -
                            k * fast::log10(r.breakpoint_m * r.breakpoint_m + dh * dh);  // PL2
            }
            r.shadow_fading_dB = 4.0;
            break;
        }
    }
    return r;
}

Result pathLossNlos(const Params& p, double d2D_m) {
    Result los = pathLossLos(p, d2D_m);
    Result r = los;
    const double d3 = d3D(p, d2D_m);
    double pl_nlos = 0.0;
    switch (p.scenario) {
        case Scenario::RMa: {
            const double W = p.street_width_m, h = p.h_building_m, hb = p.h_BS_m, hu = p.h_UT_m;
            pl_nlos = 161.04 - 7.1 * fast::log10(W) + 7.5 * fast::log10(h) -
                      (24.37 - 3.7 * (h / hb) * (h / hb)) * fast::log10(hb) +
                      (43.42 - 3.1 * fast::log10(hb)) * (fast::log10(d3) - 3.0) + 20.0 * fast::log10(p.fc_GHz) -
                      (3.2 * std::pow(fast::log10(11.75 * hu), 2) - 4.97);
            r.shadow_fading_dB = 8.0;
            if (d2D_m > 5000.0) r.warnings |= kDistanceOutOfRange;
            break;
        }
        case Scenario::UMa:
            pl_nlos = 13.54 + 39.08 * fast::log10(d3) + 20.0 * fast::log10(p.fc_GHz) - 0.6 * (p.h_UT_m - 1.5);
            r.shadow_fading_dB = 6.0;
            break;
        case Scenario::UMi:
            pl_nlos = 35.3 * fast::log10(d3) + 22.4 + 21.3 * fast::log10(p.fc_GHz) - 0.3 * (p.h_UT_m - 1.5);
            r.shadow_fading_dB = 7.82;
            break;
    }
    r.loss_dB = std::max(los.loss_dB, pl_nlos);
    return r;
}

double losProbability(const Params& p, double d2D_m) {
    switch (p.scenario) {
        case Scenario::RMa:
            return d2D_m <= 10.0 ? 1.0 : std::exp(-(d2D_m - 10.0) / 1000.0);
        case Scenario::UMi:
            return d2D_m <= 18.0 ? 1.0 : 18.0 / d2D_m + std::exp(-d2D_m / 36.0) * (1.0 - 18.0 / d2D_m);
        case Scenario::UMa: {
            if (d2D_m <= 18.0) return 1.0;
            const double c = p.h_UT_m <= 13.0 ? 0.0 : std::pow((p.h_UT_m - 13.0) / 10.0, 1.5);
            return (18.0 / d2D_m + std::exp(-d2D_m / 63.0) * (1.0 - 18.0 / d2D_m)) *
                   (1.0 + c * 1.25 * std::pow(d2D_m / 100.0, 3) * std::exp(-d2D_m / 150.0));
        }
    }
    return 0.0;
}

}  // namespace phusong::models::tr38901
