#include <gtest/gtest.h>

#include <cmath>

#include "phusong/core/technology.hpp"

using namespace phusong;

TEST(Technology, ParseAndNames) {
    EXPECT_EQ(parseTechnology("4g"), Technology::G4);
    EXPECT_EQ(parseTechnology("LTE"), Technology::G4);
    EXPECT_EQ(parseTechnology("nr"), Technology::G5);
    EXPECT_FALSE(parseTechnology("6G"));
    EXPECT_EQ(toString(Technology::G3), "3G");
    EXPECT_EQ(signalMeasure(Technology::G5), "SS-RSRP");
}

TEST(Technology, DefaultThresholdsFromTheIssue) {
    EXPECT_EQ(defaultThreshold_dBm(Technology::G2), -95.0);
    EXPECT_EQ(defaultThreshold_dBm(Technology::G3), -100.0);
    EXPECT_EQ(defaultThreshold_dBm(Technology::G4), -110.0);
    EXPECT_EQ(defaultThreshold_dBm(Technology::G5), -110.0);
}

TEST(Technology, ReferenceSignalOffsets) {
    // LTE 20 MHz: 100 RB x 12 subcarriers = 1200 REs [TS 36.101 Table 5.6-1] -> 30.79 dB.
    EXPECT_NEAR(*referenceSignalOffset_dB(Technology::G4, 20.0), 10 * std::log10(1200.0), 1e-12);
    EXPECT_NEAR(*referenceSignalOffset_dB(Technology::G4, 10.0), 10 * std::log10(600.0), 1e-12);
    // NR 100 MHz at 30 kHz: 273 RB [TS 38.101-1 Table 5.3.2-1] -> 3276 REs.
    EXPECT_NEAR(*referenceSignalOffset_dB(Technology::G5, 100.0), 10 * std::log10(3276.0), 1e-12);
    EXPECT_EQ(*referenceSignalOffset_dB(Technology::G3, 5.0), 10.0);
    EXPECT_EQ(*referenceSignalOffset_dB(Technology::G2, 0.2), 0.0);
    EXPECT_FALSE(referenceSignalOffset_dB(Technology::G4, 7.0));
    EXPECT_NE(validBandwidths(Technology::G4).find("1.4"), std::string::npos);
}
