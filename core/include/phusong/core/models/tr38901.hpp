#pragma once
/// @file tr38901.hpp
/// 3GPP TR 38.901 v17.0.0 path loss (§7.4.1, Table 7.4.1-1) and LOS probability (§7.4.2,
/// Table 7.4.2-1) for the RMa, UMa and UMi-Street Canyon scenarios.

#include <cstdint>

namespace phusong::models::tr38901 {

enum class Scenario { RMa, UMa, UMi };

/// Validity-range breaches, returned with the result.
enum Warning : uint32_t {
    kDistanceOutOfRange = 1u << 12,   ///< d_2D outside the scenario's applicability range
    kFrequencyOutOfRange = 1u << 13,  ///< f_c outside 0.5-100 GHz (RMa: 0.5-30 GHz)
    kHeightOutOfRange = 1u << 14,     ///< h_BS or h_UT outside the scenario's range
};

struct Params {
    Scenario scenario = Scenario::UMa;
    double fc_GHz = 3.5;
    double h_BS_m = 25.0;
    double h_UT_m = 1.5;
    double h_building_m = 5.0;  ///< RMa average building height h
    double street_width_m = 20.0;  ///< RMa average street width W
};

struct Result {
    double loss_dB = 0.0;
    double shadow_fading_dB = 0.0;  ///< sigma_SF of the branch used
    double breakpoint_m = 0.0;
    uint32_t warnings = 0;
};

/// LOS path loss at horizontal distance @p d2D_m.
Result pathLossLos(const Params& p, double d2D_m);
/// NLOS path loss: the maximum of the LOS and NLOS formulas, as the TR specifies.
Result pathLossNlos(const Params& p, double d2D_m);
/// LOS probability, Table 7.4.2-1.
double losProbability(const Params& p, double d2D_m);

}  // namespace phusong::models::tr38901
