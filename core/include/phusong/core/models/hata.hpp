#pragma once
/// @file hata.hpp
/// Okumura-Hata [Hata, IEEE Trans. VT-29(3), 1980, eqs. (4)-(8)] and COST-231 Hata
/// [COST Action 231 final report, 1999, §4.4.1 eq. (4.4.1)] median path loss.

#include <cstdint>

namespace phusong::models {

enum class Environment { UrbanLarge, UrbanSmall, Suburban, Open };

/// Validity-range breaches, returned with the result (never thrown).
enum HataWarning : uint32_t {
    kHataDistanceOutOfRange = 1u << 0,  ///< d outside 1-20 km
    kHataTxHeightOutOfRange = 1u << 1,  ///< h_b outside 30-200 m
    kHataRxHeightOutOfRange = 1u << 2,  ///< h_m outside 1-10 m
};

/// Mobile antenna correction a(h_m), dB [Hata 1980 eqs. (5), (6a), (6b)].
double hataMobileCorrection_dB(double freq_MHz, double rx_height_m, Environment env);

/// Okumura-Hata median loss, dB. Urban: eq. (4); suburban: eq. (7); open: eq. (8).
/// Valid 150-1500 MHz (the caller checks frequency; distance and heights set @p warnings).
double okumuraHata_dB(double freq_MHz, double tx_height_m, double rx_height_m, double distance_km, Environment env,
                      uint32_t* warnings = nullptr);

/// COST-231 Hata median loss, dB: 46.3 + 33.9 log f - 13.82 log h_b - a(h_m)
/// + (44.9 - 6.55 log h_b) log d + C_m, C_m = 3 dB in large cities, 0 otherwise.
/// Suburban and open areas apply Hata's eqs. (7) and (8) corrections to the medium-city value,
/// as planning tools customarily do. Valid 1500-2000 MHz.
double cost231Hata_dB(double freq_MHz, double tx_height_m, double rx_height_m, double distance_km, Environment env,
                      uint32_t* warnings = nullptr);

}  // namespace phusong::models
