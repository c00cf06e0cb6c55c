#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/core/models/p2109.hpp"

using namespace phusong::models::p2109;

// No official test vectors ship with P.2109; these are the Recommendation's equations (1)-(7) and
// Table 1 evaluated by hand at log10(f) = 0 (f = 1 GHz), where every term is a table coefficient.
TEST(P2109, MedianAtOneGigahertzByHand) {
    // Traditional: A = mu_1 = r = 12.64, B = mu_2 = w = 9.1, C = -3 (F^-1(0.5) = 0).
    const double trad = 10 * std::log10(std::pow(10, 1.264) + std::pow(10, 0.91) + std::pow(10, -0.3));
    EXPECT_NEAR(buildingEntryLoss_dB(1.0, 0.5, BuildingType::Traditional), trad, 1e-9);
    // Thermally efficient: A = 28.19, B = 27.8.
    const double te = 10 * std::log10(std::pow(10, 2.819) + std::pow(10, 2.78) + std::pow(10, -0.3));
    EXPECT_NEAR(buildingEntryLoss_dB(1.0, 0.5, BuildingType::ThermallyEfficient), te, 1e-9);
    // Elevation adds 0.212 |theta| to mu_1.
    const double trad_el = 10 * std::log10(std::pow(10, 0.1 * (12.64 + 0.212 * 20)) + std::pow(10, 0.91) + std::pow(10, -0.3));
    EXPECT_NEAR(buildingEntryLoss_dB(1.0, 0.5, BuildingType::Traditional, 20.0), trad_el, 1e-9);
}

TEST(P2109, Properties) {
    // Thermally-efficient buildings lose more; loss grows with the probability not exceeded.
    for (double f : {0.7, 1.8, 3.5, 28.0}) {
        EXPECT_GT(buildingEntryLoss_dB(f, 0.5, BuildingType::ThermallyEfficient), buildingEntryLoss_dB(f, 0.5, BuildingType::Traditional));
        EXPECT_GT(buildingEntryLoss_dB(f, 0.9, BuildingType::Traditional), buildingEntryLoss_dB(f, 0.5, BuildingType::Traditional));
    }
    EXPECT_THROW(buildingEntryLoss_dB(0.05, 0.5, BuildingType::Traditional), phusong::InputError);
    EXPECT_THROW(buildingEntryLoss_dB(1.0, 1.0, BuildingType::Traditional), phusong::InputError);
}
