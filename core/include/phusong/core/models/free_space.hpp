#pragma once
/// @file free_space.hpp
/// Free-space basic transmission loss [ITU-R P.525-4].

namespace phusong::models {

/// L_bf = 32.45 + 20 log10(f_MHz) + 20 log10(d_km)   [ITU-R P.525-4 eq. (4); the constant
/// 20 log10(4*pi*1e9/c) = 32.447 is kept to two decimals].
/// @pre freq_MHz > 0, distance_km > 0.
double freeSpaceLoss_dB(double freq_MHz, double distance_km);

}  // namespace phusong::models
