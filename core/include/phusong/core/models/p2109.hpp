#pragma once
/// @file p2109.hpp
/// ITU-R P.2109-2 building entry loss (§3, eqs. (1)-(7), Table 1).

namespace phusong::models::p2109 {

enum class BuildingType { Traditional, ThermallyEfficient };

/// Building entry loss not exceeded with probability @p probability (0 < P < 1), dB.
/// @param f_GHz 0.08-100 GHz; @param elevation_deg path elevation at the facade (L_e = 0.212 |theta|).
double buildingEntryLoss_dB(double f_GHz, double probability, BuildingType type, double elevation_deg = 0.0);

}  // namespace phusong::models::p2109
