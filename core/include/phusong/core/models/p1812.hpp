#pragma once
/// @file p1812.hpp
/// Recommendation ITU-R P.1812: a path-specific propagation prediction method for point-to-area
/// terrestrial services in the frequency range 30 MHz to 6 000 MHz. Equation numbers are those of
/// P.1812-6, the edition implemented by the ITU-R Study Group 3 reference software that produced
/// the validation set in ../shared/data/validation/p1812.
/// Terminal clutter is modelled as in the Recommendation since -6: representative clutter heights
/// R_i are added to the terrain heights of the intermediate profile points (§3.2).

#include <cstdint>
#include <span>

namespace phusong::models::p1812 {

/// Radio-climatic zones of Table 2: sea, coastal land, inland.
enum Zone : int { kSea = 1, kCoastal = 3, kInland = 4 };
enum class Polarization { Horizontal = 1, Vertical = 2 };

struct Input {
    double f_GHz = 0.0;               ///< 0.03-6 GHz
    double p_pct = 50.0;              ///< time percentage, 1-50
    double pL_pct = 50.0;             ///< location percentage, 1-99
    double sigmaL_dB = 0.0;           ///< location variability (§4.8); 0 = none
    std::span<const double> d_km;     ///< profile distances from the transmitter, ascending, d[0] = 0
    std::span<const double> h_m;      ///< terrain heights above mean sea level
    std::span<const double> R_m;      ///< representative clutter heights (empty: none)
    std::span<const int> zone;        ///< radio-climatic zone per point (empty: all inland)
    double htg_m = 0.0;               ///< antenna heights above ground
    double hrg_m = 0.0;
    Polarization pol = Polarization::Vertical;
    double phi_t_deg = 0.0, lam_t_deg = 0.0;  ///< terminal latitude/longitude
    double phi_r_deg = 0.0, lam_r_deg = 0.0;
    double DN = 45.0;   ///< average refractivity lapse rate through the lowest 1 km (N-units/km), Fig. 2
    double N0 = 325.0;  ///< sea-level surface refractivity (N-units), Fig. 3
    double dct_km = 500.0;  ///< distance over land from the terminals to the coast
    double dcr_km = 500.0;
    double Ptx_kW = 1.0;    ///< e.r.p. for the field strength, kW
};

struct Result {
    double Lb_dB = 0.0;         ///< basic transmission loss not exceeded for p% time and pL% locations, Eq. (69)
    double Ep_dBuV_m = 0.0;     ///< field strength for Ptx, Eq. (70)
    double Lbfs_dB = 0.0;       ///< free space, Eq. (8)
    double Lb0p_dB = 0.0;       ///< LOS with multipath/focusing, Eq. (10)
    double Lbulla_dB = 0.0;     ///< Bullington over the actual profile, Eq. (21)
    double Lbulls_dB = 0.0;     ///< Bullington over the smooth profile, Eq. (21)
    double Ldsph_dB = 0.0;      ///< spherical-earth diffraction, Eq. (27)
    double Ld50_dB = 0.0;       ///< median delta-Bullington diffraction, Eq. (39)
    double Ldp_dB = 0.0;        ///< diffraction not exceeded for p%, Eq. (41)
    double Lbs_dB = 0.0;        ///< troposcatter, Eq. (44)
    double Lba_dB = 0.0;        ///< ducting / layer reflection, Eq. (46)
    double Lbc_dB = 0.0;        ///< combined, Eq. (63)
    bool trans_horizon = false; ///< Eq. (76)-(78) path type
    double theta_t_mrad = 0.0, theta_r_mrad = 0.0, theta_mrad = 0.0;  ///< horizon angles, angular distance
    double dlt_km = 0.0, dlr_km = 0.0;  ///< horizon distances
    double ae_km = 0.0;                 ///< median effective earth radius, Eq. (7a)
    double b0_pct = 0.0;                ///< Eq. (5)
    double omega = 0.0;                 ///< fraction of the path over sea
    uint32_t warnings = 0;
};

enum Warning : uint32_t {
    kFrequencyOutOfRange = 1u << 0,  ///< outside 0.03-6 GHz
    kDistanceOutOfRange = 1u << 1,   ///< outside 0.25-3000 km
};

/// The whole method. Throws InputError on inputs outside its domain (percentages, heights,
/// fewer than 5 profile points, zones other than 1/3/4).
Result basicTransmissionLoss(const Input& in);

/// The delta-Bullington diffraction loss of §4.3.4 (also ITU-R P.526-16 §4.5) over a profile
/// @p g_m (terrain plus clutter, amsl) with antennas at @p hts_m / @p hrs_m amsl, for effective
/// earth radius @p ap_km; @p omega is the fraction of the path over sea. Smooth-earth heights come
/// from Attachment 1 §5.6.2. Returns Eq. (39) for the chosen polarisation.
double deltaBullington_dB(std::span<const double> d_km, std::span<const double> g_m, double hts_m, double hrs_m,
                          double ap_km, double f_GHz, double omega, Polarization pol);

}  // namespace phusong::models::p1812
