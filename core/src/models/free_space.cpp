#include "phusong/core/models/free_space.hpp"

#include <cmath>

namespace phusong::models {

double freeSpaceLoss_dB(double freq_MHz, double distance_km) {
    return 32.45 + 20.0 * std::log10(freq_MHz) + 20.0 * std::log10(distance_km);  // [P.525-4 eq. 4]
}

}  // namespace phusong::models
