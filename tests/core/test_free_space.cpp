#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/models/free_space.hpp"

using namespace phusong::models;

constexpr double kFreeSpaceTol_dB = 0.01;

// ITU-R P.525-4 eq. (4): L_bf = 32.4 + 20 log f(MHz) + 20 log d(km); the exact constant is
// 20 log10(4 pi 10^9 / c) = 32.4478 dB, so 1 km at 1 GHz is 92.45 dB.
TEST(FreeSpace, P525Reference) {
    EXPECT_NEAR(freeSpaceLoss_dB(1000.0, 1.0), 92.45, kFreeSpaceTol_dB);
    EXPECT_NEAR(freeSpaceLoss_dB(900.0, 10.0), 32.45 + 20 * std::log10(900.0) + 20.0, kFreeSpaceTol_dB);
    // Exact form (4 pi d / lambda)^2 at 3.5 GHz, 250 m.
    const double lambda = 299792458.0 / 3.5e9;
    EXPECT_NEAR(freeSpaceLoss_dB(3500.0, 0.25), 20 * std::log10(4 * M_PI * 250.0 / lambda), kFreeSpaceTol_dB);
}

TEST(FreeSpace, SixDecibelsPerDistanceDoubling) {
    for (double d = 0.1; d < 50.0; d *= 2.0) {
        EXPECT_NEAR(freeSpaceLoss_dB(1800.0, 2 * d) - freeSpaceLoss_dB(1800.0, d), 20 * std::log10(2.0), 1e-9);
    }
}
