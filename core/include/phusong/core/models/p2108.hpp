#pragma once
/// @file p2108.hpp
/// ITU-R P.2108-1 clutter loss: §3.1 height-gain terminal correction, §3.2 terrestrial
/// statistical model, §3.3 aeronautical (earth-space) statistical model.
/// Invalid inputs are reported as the NTIA reference implementation's return codes.

namespace phusong::models::p2108 {

/// Return codes, as in the NTIA/ITS reference implementation (and its test data's `rtn` column).
enum Rtn : int {
    kSuccess = 0,
    kTerrainFrequencyInvalid = 32,  ///< §3.1: 0.03 <= f <= 3 GHz
    kTerrainHeightInvalid = 33,     ///< §3.1: h > 0
    kTerrainStreetWidthInvalid = 34,///< §3.1: w_s > 0
    kTerrainClutterHeightInvalid = 35, ///< §3.1: R > 0
    kTerrainClutterTypeInvalid = 36,
    kTerrestrialFrequencyInvalid = 48, ///< §3.2: 0.5 <= f <= 67 GHz
    kTerrestrialDistanceInvalid = 49,  ///< §3.2: d >= 0.25 km
    kTerrestrialPercentageInvalid = 50,///< §3.2: 0 < p < 100
    kAeroFrequencyInvalid = 64,        ///< §3.3: 10 <= f <= 100 GHz
    kAeroAngleInvalid = 65,            ///< §3.3: 0 <= theta <= 90 deg
    kAeroPercentageInvalid = 66,       ///< §3.3: 0 < p < 100
};

/// Clutter types of P.2108-1 Table 3.
enum class ClutterType { WaterSea = 1, OpenRural = 2, Suburban = 3, Urban = 4, TreesForest = 5, DenseUrban = 6 };

struct Result {
    double loss_dB = 0.0;
    int rtn = kSuccess;
};

/// §3.1 eqs. (2a)-(6): additional loss of a terminal below the representative clutter height R.
/// @param f_GHz 0.03-3; @param h_m terminal height; @param w_s_m street width; @param R_m clutter height.
Result heightGainTerminalCorrection(double f_GHz, double h_m, double w_s_m, double R_m, ClutterType type);

/// §3.2 eqs. (3a)-(6): clutter loss not exceeded for p % of locations, one end in urban/suburban clutter.
/// @param f_GHz 0.5-67; @param d_km >= 0.25; @param p_percent 0 < p < 100.
Result terrestrialStatistical(double f_GHz, double d_km, double p_percent);

/// §3.3 eqs. (10)-(11): earth-space/aeronautical clutter loss at elevation theta.
Result aeronauticalStatistical(double f_GHz, double theta_deg, double p_percent);

}  // namespace phusong::models::p2108
