// The engine's fast log/exp/atan2/sin/cos against libm, over the ranges the engine feeds them.
#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/fast_math.hpp"

using namespace phusong;

TEST(FastMath, LogMatchesLibmOverManyDecades) {
    double worst = 0.0;
    for (double x = 1e-12; x < 1e12; x *= 1.0007) worst = std::max(worst, std::abs(fast::log(x) - std::log(x)) / std::max(1.0, std::abs(std::log(x))));
    EXPECT_LT(worst, 1e-9);
    EXPECT_NEAR(fast::log(1.0), 0.0, 1e-15);
    // 20 log10 of a distance in km, as the free-space term uses it: well under a milli-dB.
    for (double d = 0.001; d < 500.0; d *= 1.01) EXPECT_NEAR(20.0 * fast::log10(d), 20.0 * std::log10(d), 1e-8);
}

TEST(FastMath, ExpMatchesLibm) {
    double worst = 0.0;
    for (double x = -699.0; x < 699.0; x += 0.00137) worst = std::max(worst, std::abs(fast::exp(x) / std::exp(x) - 1.0));
    EXPECT_LT(worst, 1e-15);
    EXPECT_DOUBLE_EQ(fast::exp(0.0), 1.0);
}

TEST(FastMath, Atan2MatchesLibmInEveryQuadrant) {
    double worst = 0.0;
    for (int i = 0; i < 100000; ++i) {
        const double a = -3.2 + 6.4 * i / 100000.0;
        for (double r : {1e-3, 1.0, 3e4}) {
            const double y = r * std::sin(a), x = r * std::cos(a);
            worst = std::max(worst, std::abs(fast::atan2(y, x) - std::atan2(y, x)));
        }
    }
    EXPECT_LT(worst, 1e-10);
    EXPECT_EQ(fast::atan2(0.0, 0.0), 0.0);
    EXPECT_NEAR(fast::atan2(1.0, 0.0), std::atan2(1.0, 0.0), 1e-10);
    EXPECT_NEAR(fast::atan2(0.0, -1.0), std::atan2(0.0, -1.0), 1e-10);
    EXPECT_NEAR(fast::atan2(-1.0, -1.0), std::atan2(-1.0, -1.0), 1e-10);
}

TEST(FastMath, SinCosDegMatchesLibm) {
    double worst = 0.0;
    for (int i = -224000; i <= 224000; ++i) {
        const double x = i / 1000.0 + 0.0003 * (i % 7);
        double s, c;
        fast::sinCosDeg(x, s, c);
        const double r = x * M_PI / 180.0;
        worst = std::max({worst, std::abs(s - std::sin(r)), std::abs(c - std::cos(r))});
    }
    EXPECT_LT(worst, 2e-15);
    for (double x : {-180.0, -90.0, 0.0, 90.0, 180.0}) {
        double s, c;
        fast::sinCosDeg(x, s, c);
        EXPECT_NEAR(s, std::sin(x * M_PI / 180.0), 1e-15) << x;
        EXPECT_NEAR(c, std::cos(x * M_PI / 180.0), 1e-15) << x;
    }
}
