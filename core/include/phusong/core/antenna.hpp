#pragma once
/// @file antenna.hpp
/// Antenna radiation patterns, as attenuation relative to boresight gain.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "phusong/core/fast_math.hpp"

namespace phusong {

/// The 3GPP TR 38.901 parametric sector pattern [TR 38.901 v17 Table 7.3-1]:
///   A_H(phi)   = -min(12 (phi/phi_3dB)^2, A_m)                       (horizontal cut)
///   A_V(theta) = -min(12 ((theta - 90 deg)/theta_3dB)^2, SLA_V)      (vertical cut)
///   A(phi,theta) = -min(-(A_V + A_H), A_m)
/// with A_m = SLA_V = 30 dB. Electrical tilt shifts the vertical cut at every azimuth. Mechanical
/// tilt turns the whole antenna down about its horizontal axis: the direction to a receiver is
/// taken into the antenna's own frame by the rotation of TR 38.901 §7.1.3 eqs. (7.1-7), (7.1-8)
/// (bearing alpha, downtilt beta, slant gamma = 0), so the tilt is whole on boresight, none at
/// 90 degrees off it on the horizon, and an uptilt behind.
/// An omni antenna (no azimuth) has no horizontal attenuation, and its two tilts add.
/// A measured pattern in the MSI/Planet format (the de-facto vendor exchange format): header
/// keywords (NAME, FREQUENCY, GAIN value [dBi|dBd], TILT, ...) then `HORIZONTAL 360` and
/// `VERTICAL 360` blocks of "angle attenuation_dB" lines. Horizontal angles run clockwise from
/// boresight; vertical angles are below the horizon (90 = nadir, 270 = zenith). The vertical cut
/// already contains the antenna's electrical tilt.
struct MsiPattern {
    std::string name;
    std::string source;
    double gain_dBi = 0.0;
    double frequency_MHz = 0.0;
    std::array<double, 360> horizontal_dB{};  ///< attenuation at each whole degree
    std::array<double, 360> vertical_dB{};
    double max_attenuation_dB = 0.0;  ///< largest listed attenuation of either cut: the cap

    /// Attenuation towards @p relative_azimuth_deg (from boresight, clockwise) and
    /// @p depression_deg (below the horizon): A_H + A_V, linear between whole degrees, capped at
    /// the larger of the two cuts' maxima.
    double attenuation_dB(double relative_azimuth_deg, double depression_deg) const;
};

/// Parses MSI text; @p source names the file in errors (line numbers included). Missing blocks,
/// angles outside 0-359, repeated angles, fewer than 2 points per cut or negative attenuation
/// are InputErrors with the fix.
MsiPattern parseMsi(const std::string& text, const std::string& source);
/// Reads and parses an MSI file.
std::shared_ptr<const MsiPattern> readMsiFile(const std::string& path);

/// The direction (@p relative_azimuth_deg from the bearing, clockwise; @p elevation_deg above the
/// horizon) in the frame of an antenna turned down by @p mechanical_tilt_deg about its
/// horizontal axis [TR 38.901 §7.1.3 eqs. (7.1-7), (7.1-8), gamma = 0]:
///   cos theta' = cos beta cos theta + sin beta cos(phi - alpha) sin theta
///   phi' = arg(cos beta sin theta cos(phi - alpha) - sin beta cos theta + j sin theta sin(phi - alpha))
/// with theta = 90 deg - elevation. Returns {phi', 90 deg - theta'} in degrees, phi' in [-180, 180].
/// Computed with fast_math.hpp's sine, cosine and atan2 (errors below 1e-8 degrees), as the
/// coverage engine's antenna pass computes it, so that both give the same bits.
std::pair<double, double> antennaFrameDirection(double mechanical_tilt_deg, double relative_azimuth_deg, double elevation_deg);

/// antennaFrameDirection() with the tilt's sine and cosine given: branch-free, for loops over pixels.
inline void antennaFrameDirection(double sin_tilt, double cos_tilt, double relative_azimuth_deg, double elevation_deg,
                                  double& relative_azimuth_out_deg, double& elevation_out_deg) {
    constexpr double kDeg = 57.29577951308232;
    double s_phi, c_phi, s_el, c_el;  // theta = 90 deg - elevation: sin theta = cos el, cos theta = sin el
    fast::sinCosDeg(relative_azimuth_deg, s_phi, c_phi);
    fast::sinCosDeg(elevation_deg, s_el, c_el);
    const double z = std::clamp(cos_tilt * s_el + sin_tilt * c_phi * c_el, -1.0, 1.0);  // cos theta', eq. (7.1-7)
    elevation_out_deg = kDeg * fast::atan2(z, std::sqrt(1.0 - z * z));                  // 90 deg - theta'
    relative_azimuth_out_deg = kDeg * fast::atan2(c_el * s_phi, cos_tilt * c_el * c_phi - sin_tilt * s_el);  // eq. (7.1-8)
}

struct ParametricPattern {
    std::optional<double> azimuth_deg;  ///< boresight bearing, degrees clockwise from grid north
    /// Electrical downtilt, positive below the horizon: shifts the vertical cut at every azimuth
    /// (none with an MSI pattern, whose vertical cut holds it).
    double downtilt_deg = 0.0;
    /// Mechanical downtilt, positive below the horizon: turns the antenna (antennaFrameDirection());
    /// on an omni antenna it adds to downtilt_deg.
    double mechanical_tilt_deg = 0.0;
    double h_beamwidth_deg = 65.0;
    double v_beamwidth_deg = 10.0;
    double max_attenuation_dB = 30.0;       ///< A_m
    double side_lobe_attenuation_dB = 30.0; ///< SLA_V
    /// When set, the measured pattern replaces the parametric one (the mechanical tilt turning
    /// it as it turns the parametric one).
    std::shared_ptr<const MsiPattern> msi;

    /// Whether the mechanical tilt turns the antenna: a sector antenna with a non-zero tilt. Such
    /// an antenna's attenuation depends on more than relative azimuth and elevation through
    /// fixed downtilt, so parametric() alone does not describe it.
    bool turned() const { return azimuth_deg.has_value() && mechanical_tilt_deg != 0.0; }
    /// The tilt that shifts the vertical cut at every azimuth: the electrical one, and on an omni
    /// antenna (which nothing turns) the mechanical one too.
    double uniformDowntilt_deg() const { return downtilt_deg + (azimuth_deg ? 0.0 : mechanical_tilt_deg); }

    /// Attenuation (>= 0 dB) towards a receiver at @p bearing_deg (clockwise from grid north)
    /// and @p elevation_deg (positive above the horizon).
    double attenuation_dB(double bearing_deg, double elevation_deg) const;

    /// The parametric pattern's numbers, for loops over many directions: a copy of plain doubles
    /// that the compiler keeps in registers. Its operator() takes the azimuth relative to
    /// boresight, already within [-180, 180), and is branch-free, so such loops vectorise.
    struct Parametric {
        double h_on;  ///< 1 for a sector, 0 for an omni antenna (no horizontal attenuation)
        double h_beamwidth_deg, v_beamwidth_deg, downtilt_deg, max_attenuation_dB, side_lobe_attenuation_dB;
        double sin_tilt = 0.0, cos_tilt = 1.0;  ///< of the mechanical tilt that turns the antenna (turned())
        double operator()(double relative_azimuth_deg, double elevation_deg) const {
            const double u = relative_azimuth_deg / h_beamwidth_deg;
            const double a_h = h_on * std::min(12.0 * u * u, max_attenuation_dB);  // [38.901 T7.3-1]
            // theta - 90 deg in the TR's zenith convention equals -(elevation) here; tilt moves boresight down.
            const double v = (-elevation_deg - downtilt_deg) / v_beamwidth_deg;
            const double a_v = std::min(12.0 * v * v, side_lobe_attenuation_dB);  // [38.901 T7.3-1]
            return std::min(a_h + a_v, max_attenuation_dB);
        }
        /// A turned antenna's attenuation: the direction into the antenna's frame, then operator().
        double turnedAttenuation(double relative_azimuth_deg, double elevation_deg) const {
            double rel_l, elev_l;
            antennaFrameDirection(sin_tilt, cos_tilt, relative_azimuth_deg, elevation_deg, rel_l, elev_l);
            return (*this)(rel_l, elev_l);
        }
    };
    /// The parametric pattern in the antenna's frame (for a turned() antenna, after
    /// antennaFrameDirection()); an omni antenna's mechanical tilt added to its downtilt.
    Parametric parametric() const {
        Parametric p{azimuth_deg ? 1.0 : 0.0, h_beamwidth_deg, v_beamwidth_deg, uniformDowntilt_deg(), max_attenuation_dB, side_lobe_attenuation_dB};
        if (turned()) fast::sinCosDeg(mechanical_tilt_deg, p.sin_tilt, p.cos_tilt);
        return p;
    }
};

/// A named parametric antenna: the TR 38.901 Table 7.3-1 pattern's parameters and the boresight
/// gain of a class of base-station antennas, for site tables that name a model (`antenna_model`)
/// instead of giving beamwidths and gain. The gains follow from the beamwidths: for sector panels
/// Kraus's beam-area approximation G = 10 log10(0.55 * 41253 / (theta_H theta_V)) (aperture
/// efficiency 0.55), for omnis McDonald's D = 101 / (theta_V - 0.0027 theta_V^2), to 0.5 dB.
struct AntennaModel {
    std::string_view name;
    std::string_view use;  ///< the antennas it stands for
    bool omni;             ///< no horizontal attenuation: the row leaves azimuth_deg empty
    double h_beamwidth_deg, v_beamwidth_deg;
    double gain_dBi;
    double max_attenuation_dB;        ///< A_m, the front-to-back cap
    double side_lobe_attenuation_dB;  ///< SLA_V, the vertical side-lobe cap
};

/// The shipped models, in the order the documentation lists them.
std::span<const AntennaModel> antennaModels();
/// The model called @p name (ASCII case-insensitive), or null.
const AntennaModel* findAntennaModel(std::string_view name);
/// "a, b, c": the models' names, for error messages.
std::string antennaModelNames();

/// A shipped antenna as MSI/Planet text, for other planning tools and as a template for measured
/// patterns: @p model's TR 38.901 Table 7.3-1 pattern with @p electrical_tilt_deg of downtilt,
/// sampled at every whole degree.
///  - HORIZONTAL: the pattern in the horizontal plane, relative to boresight (A_H).
///  - VERTICAL: the pattern in the vertical plane through boresight, the tilt included, in the
///    format's angles (0 the horizon ahead, 90 nadir, 180 the horizon behind, 270 zenith); behind
///    the antenna it adds A_H(180 deg), as ParametricPattern does.
/// Attenuations are written to 0.001 dB and the gain in dBi, so parseMsi() of the text gives
/// ParametricPattern's attenuation at every whole degree ahead of and behind the antenna (the
/// site's mechanical tilt then applies on top). @p freq_MHz <= 0 leaves FREQUENCY out.
std::string msiFromModel(const AntennaModel& model, double electrical_tilt_deg, double freq_MHz);

/// Wraps an angle difference to [-180, 180).
double wrapAngle_deg(double a);

}  // namespace phusong
