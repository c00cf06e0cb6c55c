#include <gtest/gtest.h>

#include "phusong/core/antenna.hpp"

using namespace phusong;

// 3GPP TR 38.901 Table 7.3-1 evaluated at its defining points.
TEST(Antenna, ParametricPatternDefiningPoints) {
    ParametricPattern p;
    p.azimuth_deg = 90.0;
    p.h_beamwidth_deg = 65.0;
    p.v_beamwidth_deg = 10.0;
    EXPECT_DOUBLE_EQ(p.attenuation_dB(90.0, 0.0), 0.0);                // boresight
    EXPECT_NEAR(p.attenuation_dB(90.0 + 32.5, 0.0), 3.0, 1e-12);      // half the beamwidth: 12*(1/2)^2 = 3 dB
    EXPECT_NEAR(p.attenuation_dB(90.0, -5.0), 3.0, 1e-12);            // half the vertical beamwidth
    EXPECT_DOUBLE_EQ(p.attenuation_dB(270.0, 0.0), 30.0);             // back lobe capped at A_m
    EXPECT_DOUBLE_EQ(p.attenuation_dB(90.0 + 60.0, -20.0), 30.0);     // total capped at A_m
    // Wrap-around: 350 deg is 100 deg from 90 either way.
    EXPECT_DOUBLE_EQ(p.attenuation_dB(350.0, 0.0), p.attenuation_dB(190.0, 0.0));
}

TEST(Antenna, TiltMovesBoresightDown) {
    ParametricPattern p;
    p.azimuth_deg = 0.0;
    p.downtilt_deg = 6.0;
    EXPECT_DOUBLE_EQ(p.attenuation_dB(0.0, -6.0), 0.0);
    EXPECT_GT(p.attenuation_dB(0.0, 0.0), 0.0);
}

TEST(Antenna, OmniHasNoHorizontalLoss) {
    ParametricPattern p;
    for (double b = 0.0; b < 360.0; b += 45.0) EXPECT_DOUBLE_EQ(p.attenuation_dB(b, 0.0), 0.0);
}

TEST(Antenna, WrapAngle) {
    EXPECT_DOUBLE_EQ(wrapAngle_deg(190.0), -170.0);
    EXPECT_DOUBLE_EQ(wrapAngle_deg(-190.0), 170.0);
    EXPECT_DOUBLE_EQ(wrapAngle_deg(0.0), 0.0);
}
