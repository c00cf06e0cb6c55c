// Model calibration: least squares recovers a known offset and slope; with samples censored at a
// detection floor, least squares is biased and the truncated-regression MLE is not.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "phusong/core/calibration.hpp"

using namespace phusong::calibration;

namespace {
// measured = predicted + 6 - 12 log10(d) + N(0, sigma)
std::vector<Sample> synthetic(double sigma, double floor_dBm, unsigned seed, size_t n = 4000) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> logd(-1.0, 1.2);
    std::normal_distribution<double> noise(0.0, sigma);
    std::vector<Sample> out;
    while (out.size() < n) {
        Sample s;
        s.distance_km = std::pow(10.0, logd(rng));
        s.predicted_dBm = -80.0 - 35.0 * std::log10(s.distance_km);
        s.measured_dBm = s.predicted_dBm + 6.0 - 12.0 * std::log10(s.distance_km) + noise(rng);
        s.floor_dBm = floor_dBm;
        if (std::isfinite(floor_dBm) && s.measured_dBm < floor_dBm) continue;  // never logged
        out.push_back(s);
    }
    return out;
}
}  // namespace

TEST(Calibration, LeastSquaresRecoversOffsetAndSlope) {
    const auto s = synthetic(4.0, std::numeric_limits<double>::quiet_NaN(), 1);
    const Fit f = fitLeastSquares(s);
    EXPECT_NEAR(f.offset_dB, 6.0, 0.3);
    EXPECT_NEAR(f.slope_dB_per_decade, -12.0, 0.5);
    EXPECT_NEAR(f.sigma_dB, 4.0, 0.2);
    // After the fit the mean error vanishes and the RMSE drops to the noise.
    const Stats before = errorStats(s, nullptr), after = errorStats(s, &f);
    EXPECT_GT(before.rmse_dB, 6.0);
    EXPECT_NEAR(after.mean_error_dB, 0.0, 1e-9);
    EXPECT_NEAR(after.rmse_dB, 4.0, 0.2);
}

TEST(Calibration, TruncatedFitUndoesCensoringBias) {
    // Floor at -118 dBm cuts most far samples (true mean at 15 km: -80 - 47*1.18 + 6 = -129.3 dBm).
    const auto s = synthetic(6.0, -118.0, 2);
    const Fit ols = fitLeastSquares(s);
    const Fit mle = fitTruncated(s);
    EXPECT_TRUE(mle.truncated);
    // Least squares sees only the lucky far samples: the slope comes out too shallow.
    EXPECT_GT(ols.slope_dB_per_decade, -12.0 + 0.8);
    EXPECT_NEAR(mle.slope_dB_per_decade, -12.0, 0.5);
    EXPECT_LT(std::abs(mle.slope_dB_per_decade + 12.0), 0.5 * std::abs(ols.slope_dB_per_decade + 12.0));
    EXPECT_NEAR(mle.offset_dB, 6.0, 0.6);
    EXPECT_NEAR(mle.sigma_dB, 6.0, 0.5);
}

TEST(Calibration, StatsByDistanceBand) {
    std::vector<Sample> s{{0.5, -90, -88}, {0.7, -92, -92}, {3.0, -110, -100}};
    const Stats near = errorStats(s, nullptr, 0.0, 1.0);
    EXPECT_EQ(near.n, 2u);
    EXPECT_DOUBLE_EQ(near.mean_error_dB, 1.0);
    EXPECT_DOUBLE_EQ(near.rmse_dB, std::sqrt(2.0));
    EXPECT_DOUBLE_EQ(near.std_dB, 1.0);
    EXPECT_EQ(errorStats(s, nullptr, 1.0, 5.0).n, 1u);
}
