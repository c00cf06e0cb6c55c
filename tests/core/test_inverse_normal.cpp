#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/models/inverse_normal.hpp"

using phusong::models::inverseComplementaryNormal;

// Standard normal quantiles (Abramowitz & Stegun Table 26.5 / any statistics table).
TEST(InverseNormal, KnownQuantiles) {
    EXPECT_NEAR(inverseComplementaryNormal(0.5), 0.0, 1e-12);
    EXPECT_NEAR(inverseComplementaryNormal(0.05), 1.6448536269514722, 1e-9);
    EXPECT_NEAR(inverseComplementaryNormal(0.975), -1.959963984540054, 1e-9);
    EXPECT_NEAR(inverseComplementaryNormal(0.001), 3.090232306167813, 1e-9);
    EXPECT_NEAR(inverseComplementaryNormal(1e-6), 4.753424308822899, 1e-8);
}

TEST(InverseNormal, RoundTripThroughErfc) {
    for (double q = 0.0005; q < 1.0; q += 0.0173) {
        const double x = inverseComplementaryNormal(q);
        EXPECT_NEAR(0.5 * std::erfc(x / std::sqrt(2.0)), q, 1e-12);
    }
}
