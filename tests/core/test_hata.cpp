#include <gtest/gtest.h>

#include "phusong/core/models/hata.hpp"

using namespace phusong::models;

constexpr double kHataTol_dB = 0.01;

// Reference table: Hata (1980) eqs. (4)-(8) and COST 231 eq. (4.4.1), evaluated independently in
// Python (double precision) for these inputs. 900 MHz / 30 m / 1.5 m / 1 km urban = 126.42 dB is the
// textbook figure quoted for the Okumura-Hata model.
struct HataCase {
    double f, hb, hm, d;
    Environment env;
    double expect_dB;
};

TEST(Hata, OkumuraHataTable) {
    const HataCase cases[] = {
        {900, 30, 1.5, 1, Environment::UrbanLarge, 126.420},  {900, 50, 1.5, 5, Environment::UrbanLarge, 146.960},
        {450, 100, 2, 10, Environment::UrbanLarge, 142.073},  {200, 30, 1.5, 2, Environment::UrbanLarge, 119.939},
        {900, 30, 1.5, 1, Environment::UrbanSmall, 126.403},  {450, 100, 2, 10, Environment::UrbanSmall, 142.020},
        {200, 30, 1.5, 2, Environment::UrbanSmall, 119.978},  {900, 30, 1.5, 1, Environment::Suburban, 116.461},
        {900, 50, 1.5, 5, Environment::Suburban, 137.000},    {450, 100, 2, 10, Environment::Suburban, 133.711},
        {900, 30, 1.5, 1, Environment::Open, 97.897},         {450, 100, 2, 10, Environment::Open, 116.064},
        {200, 30, 1.5, 2, Environment::Open, 95.907},
    };
    for (const auto& c : cases) {
        EXPECT_NEAR(okumuraHata_dB(c.f, c.hb, c.hm, c.d, c.env), c.expect_dB, kHataTol_dB)
            << c.f << " MHz " << c.d << " km env " << static_cast<int>(c.env);
    }
}

TEST(Hata, Cost231Table) {
    const HataCase cases[] = {
        {1800, 30, 1.5, 1, Environment::UrbanLarge, 139.241}, {1800, 50, 1.5, 5, Environment::UrbanLarge, 159.780},
        {2000, 100, 2, 10, Environment::UrbanLarge, 164.319}, {1800, 30, 1.5, 1, Environment::UrbanSmall, 136.197},
        {2000, 100, 2, 10, Environment::UrbanSmall, 160.852}, {1800, 50, 1.5, 5, Environment::Suburban, 144.798},
        {1800, 30, 1.5, 1, Environment::Open, 104.273},       {2000, 100, 2, 10, Environment::Open, 128.333},
    };
    for (const auto& c : cases) {
        EXPECT_NEAR(cost231Hata_dB(c.f, c.hb, c.hm, c.d, c.env), c.expect_dB, kHataTol_dB) << c.f << " MHz " << c.d << " km";
    }
}

TEST(Hata, LargeCityCmIsThreeDecibels) {
    // With h_m chosen so both a(h_m) forms agree closely, the difference is C_m = 3 dB plus the a(h_m) gap.
    const double diff = cost231Hata_dB(1800, 30, 1.5, 3, Environment::UrbanLarge) -
                        cost231Hata_dB(1800, 30, 1.5, 3, Environment::UrbanSmall);
    const double a_gap = hataMobileCorrection_dB(1800, 1.5, Environment::UrbanSmall) -
                         hataMobileCorrection_dB(1800, 1.5, Environment::UrbanLarge);
    EXPECT_NEAR(diff, 3.0 + a_gap, 1e-9);
}

TEST(Hata, ValidityWarnings) {
    uint32_t w = 0;
    okumuraHata_dB(900, 30, 1.5, 5, Environment::UrbanSmall, &w);
    EXPECT_EQ(w, 0u);
    okumuraHata_dB(900, 20, 1.5, 0.5, Environment::UrbanSmall, &w);
    EXPECT_TRUE(w & kHataDistanceOutOfRange);
    EXPECT_TRUE(w & kHataTxHeightOutOfRange);
    EXPECT_FALSE(w & kHataRxHeightOutOfRange);
}

TEST(Hata, MonotonicInDistance) {
    double prev = 0.0;
    for (double d = 1.0; d <= 20.0; d += 0.5) {
        const double l = okumuraHata_dB(900, 40, 1.5, d, Environment::Suburban);
        EXPECT_GT(l, prev);
        prev = l;
    }
}
