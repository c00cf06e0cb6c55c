#include "phusong/core/models/hata.hpp"

#include <cmath>

namespace phusong::models {

namespace {
void checkRanges(double tx_height_m, double rx_height_m, double distance_km, uint32_t* warnings) {
    if (!warnings) return;
    if (distance_km < 1.0 || distance_km > 20.0) *warnings |= kHataDistanceOutOfRange;
    if (tx_height_m < 30.0 || tx_height_m > 200.0) *warnings |= kHataTxHeightOutOfRange;
    if (rx_height_m < 1.0 || rx_height_m > 10.0) *warnings |= kHataRxHeightOutOfRange;
}

// Suburban [Hata 1980 eq. (7)] and open-area [eq. (8)] corrections, subtracted from the urban loss.
double areaCorrection_dB(double freq_MHz, Environment env) {
    const double lf = std::log10(freq_MHz);
    if (env == Environment::Suburban) return 2.0 * std::pow(std::log10(freq_MHz / 28.0), 2) + 5.4;
    if (env == Environment::Open) return 4.78 * lf * lf - 18.33 * lf + 40.94;
    return 0.0;
}
}  // namespace

double hataMobileCorrection_dB(double freq_MHz, double rx_height_m, Environment env) {
    if (env == Environment::UrbanLarge) {
        if (freq_MHz <= 300.0) return 8.29 * std::pow(std::log10(1.54 * rx_height_m), 2) - 1.1;  // eq. (6a)
        return 3.2 * std::pow(std::log10(11.75 * rx_height_m), 2) - 4.97;                      // eq. (6b)
    }
    const double lf = std::log10(freq_MHz);
    return (1.1 * lf - 0.7) * rx_height_m - (1.56 * lf - 0.8);  // eq. (5), small/medium city
}

double okumuraHata_dB(double freq_MHz, double tx_height_m, double rx_height_m, double distance_km, Environment env,
                      uint32_t* warnings) {
    checkRanges(tx_height_m, rx_height_m, distance_km, warnings);
    // Suburban and open corrections apply to the small/medium-city urban loss.
    const Environment urban = env == Environment::UrbanLarge ? env : Environment::UrbanSmall;
    const double lhb = std::log10(tx_height_m);
    const double l_urban = 69.55 + 26.16 * std::log10(freq_MHz) - 13.82 * lhb -
                           hataMobileCorrection_dB(freq_MHz, rx_height_m, urban) +
                           (44.9 - 6.55 * lhb) * std::log10(distance_km);  // eq. (4)
    return l_urban - areaCorrection_dB(freq_MHz, env);
}

double cost231Hata_dB(double freq_MHz, double tx_height_m, double rx_height_m, double distance_km, Environment env,
                      uint32_t* warnings) {
    checkRanges(tx_height_m, rx_height_m, distance_km, warnings);
    const Environment urban = env == Environment::UrbanLarge ? env : Environment::UrbanSmall;
    const double c_m = env == Environment::UrbanLarge ? 3.0 : 0.0;
    const double lhb = std::log10(tx_height_m);
    const double l_urban = 46.3 + 33.9 * std::log10(freq_MHz) - 13.82 * lhb -
                           hataMobileCorrection_dB(freq_MHz, rx_height_m, urban) +
                           (44.9 - 6.55 * lhb) * std::log10(distance_km) + c_m;  // COST 231 eq. (4.4.1)
    return l_urban - areaCorrection_dB(freq_MHz, env);
}

}  // namespace phusong::models
