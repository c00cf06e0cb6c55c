#pragma once
/// @file knife_edge.hpp
/// Knife-edge diffraction over terrain profiles [ITU-R P.526-15].

#include <cmath>
#include <cstddef>

#include "phusong/core/fast_math.hpp"

namespace phusong::models {

/// Single knife-edge loss J(v), dB: 6.9 + 20 log10(sqrt((v-0.1)^2 + 1) + v - 0.1) for v > -0.78,
/// else 0   [ITU-R P.526-15 eq. (31)]. Inline, with the division-free log10, because the
/// coverage sweep calls it per pixel.
inline double knifeEdgeLoss_dB(double v) {
    if (v <= -0.78) return 0.0;
    const double t = v - 0.1;
    return 6.9 + 20.0 * fast::log10(std::sqrt(t * t + 1.0) + t);
}

/// Geometry shared by the terrain methods.
struct DiffractionPath {
    const double* d_km;  ///< n+1 distances from the transmitter, d_km[0] = 0
    const double* h_m;   ///< n+1 ground heights, metres above sea level
    size_t n_points;
    double tx_height_amsl_m;   ///< h_ts: transmitter antenna, above sea level
    double rx_height_amsl_m;   ///< h_rs
    double earth_curvature_per_km;  ///< C_e = 1/a_e, a_e = k * 6371 km
    double wavelength_m;
};

struct DiffractionResult {
    double loss_dB = 0.0;
    bool los = true;  ///< no terrain point above the straight ray (geometric line of sight)
    double v_max = -1e9;  ///< largest diffraction parameter found
};

/// Bullington method [ITU-R P.526-15 §4.5; as written in P.452-17 §4.2.1 eqs. (14)-(22)]:
/// one equivalent knife edge at the intersection of the steepest rays from both terminals,
/// with the empirical correction L = L_uc + (1 - exp(-L_uc/6)) (10 + 0.02 d).
DiffractionResult bullington(const DiffractionPath& p);

/// Deygout construction with at most three edges [ITU-R P.526-15 §4.5]: the principal edge
/// (largest v), then the largest edge on each side of it, L = L_p + T (L_t + L_r + C) with
/// T = 1 - exp(-L_p/6) and C = 10 + 0.04 D (D path length, km).
DiffractionResult deygout(const DiffractionPath& p);

}  // namespace phusong::models
