#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <tuple>

#include "phusong/core/antenna.hpp"
#include "phusong/core/error.hpp"

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

// Mechanical tilt turns the antenna [TR 38.901 §7.1.3 eqs. (7.1-7), (7.1-8)]; electrical tilt
// shifts its vertical cut at every azimuth. Values worked by hand from the two equations.
TEST(Antenna, MechanicalTiltTurnsTheAntenna) {
    // beta 10 deg, 60 deg off boresight on the horizon: cos theta' = sin 10 cos 60 = 0.086824,
    // theta' = 85.019 deg (elevation 4.981 deg in the antenna's frame); phi' = atan2(sin 60,
    // cos 10 cos 60) = atan2(0.866025, 0.492404) = 60.378 deg.
    auto [phi_l, elev_l] = antennaFrameDirection(10.0, 60.0, 0.0);
    EXPECT_NEAR(phi_l, 60.37835, 1e-5);
    EXPECT_NEAR(elev_l, 4.98093, 1e-5);
    // On boresight the turn is the tilt itself; 90 deg off on the horizon it is none; behind, an uptilt.
    std::tie(phi_l, elev_l) = antennaFrameDirection(6.0, 0.0, -2.5);
    EXPECT_NEAR(phi_l, 0.0, 1e-12);
    EXPECT_NEAR(elev_l, 3.5, 1e-12);
    std::tie(phi_l, elev_l) = antennaFrameDirection(6.0, 90.0, 0.0);
    EXPECT_NEAR(phi_l, 90.0, 1e-12);
    EXPECT_NEAR(elev_l, 0.0, 1e-12);
    std::tie(phi_l, elev_l) = antennaFrameDirection(6.0, 180.0, 6.0);
    EXPECT_NEAR(std::abs(phi_l), 180.0, 1e-12);
    EXPECT_NEAR(elev_l, 0.0, 1e-12);

    ParametricPattern mech, elec;
    for (ParametricPattern* p : {&mech, &elec}) {
        p->azimuth_deg = 30.0;
        p->h_beamwidth_deg = 65.0;
        p->v_beamwidth_deg = 7.0;
    }
    mech.mechanical_tilt_deg = 6.0;
    elec.downtilt_deg = 6.0;
    EXPECT_TRUE(mech.turned());
    EXPECT_FALSE(elec.turned());
    for (double e = -30.0; e <= 30.0; e += 2.5) EXPECT_NEAR(mech.attenuation_dB(30.0, e), elec.attenuation_dB(30.0, e), 1e-9) << e;
    // The sector's edge on the horizon, 60 deg off boresight: turned, the antenna looks there
    // 60.136 deg off and 2.996 deg above its own boresight, A_H + A_V = 10.271 + 2.198 = 12.469 dB;
    // the electrical tilt keeps the whole 6 deg there: 10.225 + 8.816 = 19.041 dB.
    EXPECT_NEAR(mech.attenuation_dB(90.0, 0.0), 12.4693, 1e-4);
    EXPECT_NEAR(elec.attenuation_dB(90.0, 0.0), 19.0412, 1e-4);
    // Symmetric about boresight.
    EXPECT_NEAR(mech.attenuation_dB(-30.0, 0.0), mech.attenuation_dB(90.0, 0.0), 1e-9);
    // An omni antenna has no boresight to turn about: its mechanical tilt is a downtilt everywhere.
    ParametricPattern omni;
    omni.v_beamwidth_deg = 7.0;
    omni.mechanical_tilt_deg = 4.0;
    EXPECT_FALSE(omni.turned());
    for (double b = 0.0; b < 360.0; b += 45.0) EXPECT_NEAR(omni.attenuation_dB(b, -4.0), 0.0, 1e-12) << b;
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

// MSI/Planet parser on hand-written files.
namespace {
std::string msiText(const std::string& horizontal, const std::string& vertical, const std::string& gain = "GAIN 15.85 dBd") {
    return "NAME TEST-65-7\nMAKE Hand written\nFREQUENCY 1800\nH_WIDTH 65\n" + gain + "\nTILT ELECTRICAL 4\n" + horizontal + vertical;
}
}  // namespace

TEST(Msi, ParsesHeaderAndInterpolatesBetweenListedAngles) {
    // Sparse cuts: the parser interpolates linearly (circularly) between listed angles.
    const std::string h = "HORIZONTAL 4\n0 0\n90 10\n180 25\n270 10\n";
    const std::string v = "VERTICAL 3\n0 2\n4 0\n90 20\n";
    const phusong::MsiPattern p = phusong::parseMsi(msiText(h, v), "a.msi");
    EXPECT_EQ(p.name, "TEST-65-7");
    EXPECT_DOUBLE_EQ(p.gain_dBi, 15.85 + 2.15);  // dBd -> dBi
    EXPECT_DOUBLE_EQ(p.frequency_MHz, 1800.0);
    EXPECT_DOUBLE_EQ(p.horizontal_dB[45], 5.0);
    EXPECT_DOUBLE_EQ(p.horizontal_dB[315], 5.0);  // between 270 (10 dB) and 360 = 0 (0 dB)
    EXPECT_DOUBLE_EQ(p.vertical_dB[2], 1.0);
    EXPECT_DOUBLE_EQ(p.vertical_dB[4], 0.0);
    // Boresight, 4 degrees down (the electrical tilt in the file): no attenuation.
    EXPECT_NEAR(p.attenuation_dB(0.0, 4.0), 0.0, 1e-12);
    // 90 degrees off boresight and on the horizon: 10 + 2 dB.
    EXPECT_NEAR(p.attenuation_dB(90.0, 0.0), 12.0, 1e-12);
    EXPECT_NEAR(p.attenuation_dB(-90.0, 0.0), 12.0, 1e-12);
    // Capped at the largest tabulated attenuation.
    EXPECT_LE(p.attenuation_dB(180.0, 90.0), 25.0);
}

TEST(Msi, PatternDrivesTheSectorWithMechanicalTiltOnTop) {
    std::string h = "HORIZONTAL 360\n", v = "VERTICAL 360\n";
    for (int a = 0; a < 360; ++a) {
        const double off = std::min(a, 360 - a);
        h += std::to_string(a) + " " + std::to_string(std::min(12.0 * (off / 65.0) * (off / 65.0), 25.0)) + "\n";
        v += std::to_string(a) + " " + std::to_string(std::min(12.0 * (off / 7.0) * (off / 7.0), 20.0)) + "\n";
    }
    phusong::ParametricPattern pat;
    pat.azimuth_deg = 90.0;
    pat.mechanical_tilt_deg = 3.0;
    pat.msi = std::make_shared<const phusong::MsiPattern>(phusong::parseMsi(msiText(h, v, "GAIN 18 dBi"), "b.msi"));
    EXPECT_NEAR(pat.attenuation_dB(90.0, -3.0), 0.0, 1e-9);   // boresight, 3 degrees down
    EXPECT_NEAR(pat.attenuation_dB(90.0, 0.0), 12.0 * (3.0 / 7.0) * (3.0 / 7.0), 1e-5);  // file holds 6 decimals
    // 65 degrees off boresight, 3 cos 65 = 1.268 degrees down: in the turned antenna's frame
    // [TR 38.901 eqs. (7.1-7), (7.1-8)] azimuth 64.970 degrees, elevation 0.001 degrees (by hand:
    // cos theta' = cos 3 cos 91.268 + sin 3 cos 65 sin 91.268), so A_H(64.970) = 11.989 dB, A_V ~ 0.
    EXPECT_NEAR(pat.attenuation_dB(155.0, -3.0 * std::cos(65.0 * M_PI / 180.0)), 11.9892, 2e-4);
}

TEST(Msi, BadFilesNameTheLineAndTheFix) {
    auto fails_with = [](const std::string& text, const std::string& needle) {
        try {
            phusong::parseMsi(text, "bad.msi");
            ADD_FAILURE() << "accepted: " << needle;
        } catch (const phusong::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    fails_with(msiText("HORIZONTAL 2\n0 0\n180 20\n", ""), "no VERTICAL block");
    fails_with(msiText("HORIZONTAL 2\n0 0\n180 x\n", "VERTICAL 2\n0 0\n90 10\n"), "bad.msi line 9");
    fails_with(msiText("HORIZONTAL 2\n0 0\n400 1\n", "VERTICAL 2\n0 0\n90 10\n"), "0..359");
    fails_with(msiText("HORIZONTAL 3\n0 0\n90 -3\n180 20\n", "VERTICAL 2\n0 0\n90 10\n"),
               "bad.msi line 9: the HORIZONTAL block mixes attenuations (20 dB at 180 deg, line 10) and relative gains "
               "(-3 dB at 90 deg)");
    fails_with(msiText("HORIZONTAL 3\n0 0\n180 3\n", "VERTICAL 2\n0 0\n90 10\n"), "declares 3 points but lists 2");
    fails_with(msiText("HORIZONTAL 2\n90 0\n10 3\n", "VERTICAL 2\n0 0\n90 10\n"), "must increase");
    fails_with(msiText("HORIZONTAL\n0 0\n", "VERTICAL 2\n0 0\n90 10\n"), "needs its point count");
    fails_with(msiText("HORIZONTAL 2\n0 0\n180 20\n", "VERTICAL 2\n0 0\n90 10\n", "GAIN 17 dB"), "bad.msi line 5: GAIN unit 'db'");
}

// A block written as relative gains (every value <= 0, against the format's "no minus sign") is
// read as the attenuations they stand for.
TEST(Msi, BlockOfRelativeGainsReadsAsAttenuations) {
    const phusong::MsiPattern neg = phusong::parseMsi(
        msiText("HORIZONTAL 4\n0 0\n90 -10\n180 -25\n270 -10\n", "VERTICAL 3\n0 -2\n4 0\n90 -20\n"), "n.msi");
    const phusong::MsiPattern pos = phusong::parseMsi(
        msiText("HORIZONTAL 4\n0 0\n90 10\n180 25\n270 10\n", "VERTICAL 3\n0 2\n4 0\n90 20\n"), "p.msi");
    EXPECT_EQ(neg.horizontal_dB, pos.horizontal_dB);
    EXPECT_EQ(neg.vertical_dB, pos.vertical_dB);
    EXPECT_DOUBLE_EQ(neg.max_attenuation_dB, 25.0);
    EXPECT_FALSE(std::signbit(neg.horizontal_dB[0]));  // +0 at boresight, not -0
}

// The Planet format's GAIN is in dBd unless the value is followed by dBi (either case).
// FREQUENCY as vendors write it: a bare number is MHz, a unit may follow, a band reads as its middle.
TEST(Msi, FrequencyTakesItsUnit) {
    const std::string cuts = "HORIZONTAL 2\n0 0\n180 25\nVERTICAL 2\n0 0\n180 20\n";
    const std::pair<const char*, double> cases[] = {{"1800", 1800.0},       {"1800 MHz", 1800.0},      {"1.8 GHz", 1800.0},
                                                    {"3.5GHz", 3500.0},     {"2437000 kHz", 2437.0},   {"900000000 Hz", 900.0},
                                                    {"1710-1880 MHz", 1795.0}, {"1.71 - 1.88 GHz", 1795.0}};
    for (const auto& [text, mhz] : cases) {
        EXPECT_DOUBLE_EQ(parseMsi(std::string("FREQUENCY ") + text + "\n" + cuts, "f.msi").frequency_MHz, mhz) << text;
    }
    for (const char* bad : {"1.8 GHZZ", "fast", "-900", "0"}) {
        try {
            parseMsi(std::string("NAME X\nFREQUENCY ") + bad + "\n" + cuts, "f.msi");
            ADD_FAILURE() << bad << " was accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("f.msi line 2"), std::string::npos) << e.what();
        }
    }
}

TEST(Msi, GainWithoutAUnitIsDbd) {
    const std::string cuts = "HORIZONTAL 2\n0 0\n180 20\nVERTICAL 2\n0 0\n90 10\n";
    auto gain = [&](const std::string& line) { return phusong::parseMsi(msiText("", cuts, line), "g.msi").gain_dBi; };
    EXPECT_DOUBLE_EQ(gain("GAIN 15.85"), 18.0);
    EXPECT_DOUBLE_EQ(gain("GAIN 15.85 dBd"), 18.0);
    EXPECT_DOUBLE_EQ(gain("GAIN 18 dBi"), 18.0);
    EXPECT_DOUBLE_EQ(gain("gain 18 DBI"), 18.0);
    EXPECT_DOUBLE_EQ(gain("GAIN 18dBi"), 18.0);
}

// The shipped parametric models (antenna_model in the site table).
TEST(AntennaModels, GainsFollowFromTheBeamwidths) {
    ASSERT_GE(antennaModels().size(), 5u);
    for (const AntennaModel& m : antennaModels()) {
        SCOPED_TRACE(std::string(m.name));
        EXPECT_EQ(findAntennaModel(m.name), &m);
        if (m.name == "tr38901-element") continue;  // the standard's own numbers, below
        // Kraus's beam area with aperture efficiency 0.55 (sectors); McDonald's omni directivity.
        const double expected_dBi = m.omni ? 10.0 * std::log10(101.0 / (m.v_beamwidth_deg - 0.0027 * m.v_beamwidth_deg * m.v_beamwidth_deg))
                                           : 10.0 * std::log10(0.55 * 41253.0 / (m.h_beamwidth_deg * m.v_beamwidth_deg));
        EXPECT_NEAR(m.gain_dBi, expected_dBi, 0.5);
        EXPECT_GT(m.max_attenuation_dB, 0.0);
        EXPECT_GT(m.side_lobe_attenuation_dB, 0.0);
    }
    // 3GPP TR 38.901 v17 Table 7.3-1: 65 x 65 degrees, 8 dBi, A_m = SLA_V = 30 dB.
    const AntennaModel* e = findAntennaModel("TR38901-Element");  // case-insensitive
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->h_beamwidth_deg, 65.0);
    EXPECT_EQ(e->v_beamwidth_deg, 65.0);
    EXPECT_EQ(e->gain_dBi, 8.0);
    EXPECT_EQ(e->max_attenuation_dB, 30.0);
    EXPECT_EQ(e->side_lobe_attenuation_dB, 30.0);
    EXPECT_EQ(findAntennaModel("sector-65"), nullptr);
    EXPECT_NE(antennaModelNames().find("sector-65-midband, "), std::string::npos);
}

// A shipped model written as MSI and read back is the same pattern: at every whole degree of
// relative azimuth and depression the file's cuts, combined as phusong reads MSI files (A_H + A_V
// capped at the larger cut maximum), give the parametric pattern's attenuation to the file's
// rounding (0.0005 dB in each cut), with the electrical tilt carried in the vertical cut.
TEST(AntennaModels, ExportedMsiReadsBackAsTheSamePattern) {
    for (const AntennaModel& m : antennaModels()) {
        for (const double tilt_deg : {0.0, 4.0, -2.0, 10.5}) {
            SCOPED_TRACE(std::string(m.name) + " tilt " + std::to_string(tilt_deg));
            const MsiPattern msi = parseMsi(msiFromModel(m, tilt_deg, 1800.0), "export.msi");
            EXPECT_NEAR(msi.gain_dBi, m.gain_dBi, 0.005);
            EXPECT_EQ(msi.frequency_MHz, 1800.0);
            ParametricPattern p;
            if (!m.omni) p.azimuth_deg = 0.0;
            p.h_beamwidth_deg = m.h_beamwidth_deg;
            p.v_beamwidth_deg = m.v_beamwidth_deg;
            p.downtilt_deg = tilt_deg;
            p.max_attenuation_dB = m.max_attenuation_dB;
            p.side_lobe_attenuation_dB = m.side_lobe_attenuation_dB;
            double worst_dB = 0.0;
            for (int rel = -180; rel < 180; ++rel) {
                for (int dep = -90; dep <= 90; ++dep) {
                    const double want = p.attenuation_dB(rel, -dep);
                    const double got = msi.attenuation_dB(rel, dep);
                    worst_dB = std::max(worst_dB, std::abs(got - want));
                }
            }
            EXPECT_LE(worst_dB, 2 * 0.0005 + 1e-9);
        }
    }
    // Behind a sector antenna the vertical cut holds the front-to-back ratio; an omni has none.
    const MsiPattern sector = parseMsi(msiFromModel(*findAntennaModel("sector-65-midband"), 0.0, 0.0), "s.msi");
    EXPECT_NEAR(sector.vertical_dB[180], 25.0, 1e-9);
    EXPECT_NEAR(sector.horizontal_dB[180], 25.0, 1e-9);
    EXPECT_EQ(sector.frequency_MHz, 0.0);  // no FREQUENCY line when none is given
    const MsiPattern omni = parseMsi(msiFromModel(*findAntennaModel("omni-8"), 0.0, 0.0), "o.msi");
    EXPECT_NEAR(omni.vertical_dB[180], 0.0, 1e-9);
    EXPECT_NEAR(omni.horizontal_dB[90], 0.0, 1e-9);
}
