#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "phusong/core/models/knife_edge.hpp"
#include "phusong/core/models/model.hpp"

using namespace phusong;
using namespace phusong::models;

constexpr double kKnifeEdgeTol_dB = 0.05;

// ITU-R P.526-15 eq. (31) and its Figure 9: J(0) = 6.0 dB, J(-0.78) = 0, and for large v
// J(v) -> 13 + 20 log10(v) (the asymptote in P.526 §4.1).
TEST(KnifeEdge, JOfV) {
    EXPECT_NEAR(knifeEdgeLoss_dB(0.0), 6.03, kKnifeEdgeTol_dB);
    EXPECT_EQ(knifeEdgeLoss_dB(-0.78), 0.0);
    EXPECT_EQ(knifeEdgeLoss_dB(-2.0), 0.0);
    EXPECT_NEAR(knifeEdgeLoss_dB(1.0), 13.93, kKnifeEdgeTol_dB);
    EXPECT_NEAR(knifeEdgeLoss_dB(10.0), 13.0 + 20.0, 0.2);
    EXPECT_NEAR(knifeEdgeLoss_dB(-0.7), 0.536, kKnifeEdgeTol_dB);  // just above the cut-off, small but positive
}

namespace {
struct Path {
    std::vector<double> d, h;
    DiffractionPath dp(double hts, double hrs, double ce, double lambda) const {
        return DiffractionPath{d.data(), h.data(), d.size(), hts, hrs, ce, lambda};
    }
};
// 10 km flat profile at 0 m sampled every 100 m, with an optional peak at index `peak`.
Path flatWithPeak(int peak, double peak_h) {
    Path p;
    for (int i = 0; i <= 100; ++i) {
        p.d.push_back(0.1 * i);
        p.h.push_back(i == peak ? peak_h : 0.0);
    }
    return p;
}
// v of a single edge on a flat earth: h sqrt(2 d / (lambda d1 d2)), distances in metres [P.526-15 eq. (26)].
double vOf(double h, double d1_m, double d2_m, double lambda) { return h * std::sqrt(2.0 * (d1_m + d2_m) / (lambda * d1_m * d2_m)); }
}  // namespace

TEST(KnifeEdge, BullingtonSingleEdgeByHand) {
    const double lambda = 299792458.0 / 1e9;
    const Path p = flatWithPeak(50, 20.0);  // 20 m edge mid-path, terminals at 10 m, flat earth
    const DiffractionResult r = bullington(p.dp(10.0, 10.0, 0.0, lambda));
    const double v = vOf(10.0, 5000.0, 5000.0, lambda);
    const double j = knifeEdgeLoss_dB(v);
    EXPECT_FALSE(r.los);
    EXPECT_NEAR(r.v_max, v, 1e-9);
    EXPECT_NEAR(r.loss_dB, j + (1 - std::exp(-j / 6.0)) * (10.0 + 0.02 * 10.0), 1e-9);  // P.452-17 eq. (22)
}

TEST(KnifeEdge, DeygoutSingleEdgeByHand) {
    const double lambda = 299792458.0 / 1e9;
    const Path p = flatWithPeak(30, 25.0);  // edge at 3 km
    const DiffractionResult r = deygout(p.dp(10.0, 10.0, 0.0, lambda));
    const double j = knifeEdgeLoss_dB(vOf(15.0, 3000.0, 7000.0, lambda));
    EXPECT_FALSE(r.los);
    // No secondary edges above -0.78 on a flat 0 m ground with 10 m/25 m chords: L = Lp + T*C.
    EXPECT_NEAR(r.loss_dB, j + (1 - std::exp(-j / 6.0)) * (10.0 + 0.04 * 10.0), 1e-9);
}

TEST(KnifeEdge, ClearPathHasNoLoss) {
    const double lambda = 0.3;
    const Path p = flatWithPeak(-1, 0.0);
    // 100 m masts over flat ground, flat earth: Fresnel zone clear, v far below -0.78.
    for (auto fn : {&bullington, &deygout}) {
        const DiffractionResult r = fn(p.dp(100.0, 100.0, 0.0, lambda));
        EXPECT_TRUE(r.los);
        EXPECT_EQ(r.loss_dB, 0.0);
    }
}

TEST(KnifeEdge, EarthBulgeObstructsLongLowPaths) {
    // 10 m masts 40 km apart over sea-level ground with k = 4/3: the bulge (~23 m) blocks the path.
    Path p;
    for (int i = 0; i <= 400; ++i) {
        p.d.push_back(0.1 * i);
        p.h.push_back(0.0);
    }
    const double ce = 1.0 / (4.0 / 3.0 * 6371.0);
    EXPECT_FALSE(bullington(p.dp(10.0, 10.0, ce, 0.3)).los);
    EXPECT_GT(bullington(p.dp(10.0, 10.0, ce, 0.3)).loss_dB, 10.0);
    EXPECT_TRUE(bullington(p.dp(10.0, 10.0, 0.0, 0.3)).los);
}

TEST(KnifeEdge, DeygoutAddsSecondaryEdges) {
    const double lambda = 0.3;
    Path p = flatWithPeak(50, 40.0);
    const double single = deygout(p.dp(10.0, 10.0, 0.0, lambda)).loss_dB;
    p.h[20] = 30.0;  // a second ridge between the transmitter and the main edge
    const double two = deygout(p.dp(10.0, 10.0, 0.0, lambda)).loss_dB;
    EXPECT_GT(two, single + 1.0);
}

TEST(TerrainModel, LossIsFreeSpacePlusDiffraction) {
    Profile pr;
    const Path p = flatWithPeak(50, 60.0);
    pr.d_km = p.d;
    pr.h_m = p.h;
    ModelParams mp;
    mp.kind = ModelKind::P526Bullington;
    const PathLoss pl = pathLossOverProfile(mp, pr, 30.0, 1.5, 900.0);
    EXPECT_FALSE(*pl.los);
    EXPECT_NEAR(pl.loss_dB, pl.free_space_dB + pl.diffraction_dB, 1e-12);
    EXPECT_GT(pl.diffraction_dB, 0.0);
    EXPECT_NEAR(pl.distance_m, 10000.0, 1e-9);
}

TEST(TerrainModel, FrequencyValidity) {
    EXPECT_THROW(checkFrequency(ModelKind::Hata, 1800.0, "x"), Error);
    EXPECT_THROW(checkFrequency(ModelKind::Cost231, 900.0, "x"), Error);
    EXPECT_NO_THROW(checkFrequency(ModelKind::Hata, 900.0, "x"));
    EXPECT_NO_THROW(checkFrequency(ModelKind::P526Deygout, 3500.0, "x"));
    EXPECT_THROW(checkFrequency(ModelKind::P526Deygout, 10.0, "x"), Error);
    EXPECT_THROW(pathLossAtDistance(ModelParams{}, 1.0, 30, 1.5, 900.0), Error);  // terrain model without terrain
    // A carrier given in GHz: the message says so, when the MHz value is within the model's range.
    auto message = [](ModelKind m, double f) {
        try {
            checkFrequency(m, f, "sites.csv line 2: field 'freq_mhz'");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message(ModelKind::P526Bullington, 1.8).find("frequency 1.8 MHz is outside the validity of model 'p526-bullington' "
                                                           "(30-100000 MHz); frequencies are in MHz: 1.8 GHz is 1800 MHz"),
              std::string::npos)
        << message(ModelKind::P526Bullington, 1.8);
    EXPECT_NE(message(ModelKind::Itm, 3.5).find("3.5 GHz is 3500 MHz"), std::string::npos);
    EXPECT_EQ(message(ModelKind::Hata, 1.8).find("GHz"), std::string::npos);  // 1800 MHz is outside Hata too
}
