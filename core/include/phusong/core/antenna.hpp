#pragma once
/// @file antenna.hpp
/// Antenna radiation patterns, as attenuation relative to boresight gain.

#include <optional>

namespace phusong {

/// The 3GPP TR 38.901 parametric sector pattern [TR 38.901 v17 Table 7.3-1]:
///   A_H(phi)   = -min(12 (phi/phi_3dB)^2, A_m)                       (horizontal cut)
///   A_V(theta) = -min(12 ((theta - 90 deg)/theta_3dB)^2, SLA_V)      (vertical cut)
///   A(phi,theta) = -min(-(A_V + A_H), A_m)
/// with A_m = SLA_V = 30 dB. Tilt (mechanical + electrical) shifts the vertical cut; adding the
/// two is exact on the boresight plane and a common approximation off it.
/// An omni antenna (no azimuth) has no horizontal attenuation.
struct ParametricPattern {
    std::optional<double> azimuth_deg;  ///< boresight bearing, degrees clockwise from grid north
    double downtilt_deg = 0.0;          ///< positive below the horizon
    double h_beamwidth_deg = 65.0;
    double v_beamwidth_deg = 10.0;
    double max_attenuation_dB = 30.0;       ///< A_m
    double side_lobe_attenuation_dB = 30.0; ///< SLA_V

    /// Attenuation (>= 0 dB) towards a receiver at @p bearing_deg (clockwise from grid north)
    /// and @p elevation_deg (positive above the horizon).
    double attenuation_dB(double bearing_deg, double elevation_deg) const;
};

/// Wraps an angle difference to [-180, 180).
double wrapAngle_deg(double a);

}  // namespace phusong
