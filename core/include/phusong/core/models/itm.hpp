#pragma once
/// @file itm.hpp
/// The ITS Irregular Terrain Model (Longley-Rice), version 1.2.2 as maintained by NTIA/ITS
/// ("ITM"), in point-to-point and area mode.
///
/// References used throughout, by the tags the comments cite:
/// - [Algorithm]   G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: the Algorithm", 1995.
/// - [ERL 79]      A. G. Longley, P. L. Rice, "Prediction of tropospheric radio transmission loss over
///                 irregular terrain: a computer method", ESSA Tech. Rep. ERL 79-ITS 67, 1968.
/// - [TN101]       P. L. Rice et al., NBS Technical Note 101, 1967.
/// - [Vogler 1964] L. E. Vogler, "Calculation of groundwave attenuation in the far diffraction region".
/// - [Hufford 1982] Hufford, Longley, Kissick, "A guide to the use of the ITS Irregular Terrain Model
///                 in the area prediction mode", NTIA Report 82-100.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "phusong/core/function_ref.hpp"

namespace phusong::models::itm {

enum class Climate {
    Equatorial = 1,
    ContinentalSubtropical = 2,
    MaritimeSubtropical = 3,
    Desert = 4,
    ContinentalTemperate = 5,
    MaritimeTemperateOverLand = 6,
    MaritimeTemperateOverSea = 7,
};
enum class Polarization { Horizontal = 0, Vertical = 1 };
enum class Siting { Random = 0, Careful = 1, VeryCareful = 2 };
/// Mode of variability [Hufford 1982, §4]; add 10 to drop location variability, 20 to drop
/// direct situation variability (the mdvar convention of the reference implementation).
enum VariabilityMode : int { kSingleMessage = 0, kAccidental = 1, kMobile = 2, kBroadcast = 3 };

/// Propagation mode reported with every result.
enum class Mode { LineOfSight = 1, Diffraction = 2, Troposcatter = 3 };
const char* toString(Mode m);

/// Inputs shared by both modes; defaults are the customary ones for a planning tool.
struct Params {
    double epsilon = 15.0;         ///< relative permittivity of the ground
    double sigma_S_per_m = 0.005;  ///< ground conductivity
    double N0 = 301.0;             ///< surface refractivity at sea level, N-units
    Climate climate = Climate::ContinentalTemperate;
    Polarization polarization = Polarization::Vertical;
    int mdvar = kAccidental;
    double time_pct = 50.0;
    double location_pct = 50.0;
    double situation_pct = 50.0;
    bool operator==(const Params&) const = default;
};

/// Warning flags; the same bit values as the NTIA reference implementation.
enum Warning : uint32_t {
    kTxTerminalHeight = 0x0001,
    kRxTerminalHeight = 0x0002,
    kFrequency = 0x0004,
    kPathDistanceTooBig1 = 0x0008,
    kPathDistanceTooBig2 = 0x0010,
    kPathDistanceTooSmall1 = 0x0020,
    kPathDistanceTooSmall2 = 0x0040,
    kTxHorizonAngle = 0x0080,
    kRxHorizonAngle = 0x0100,
    kTxHorizonDistance1 = 0x0200,
    kRxHorizonDistance1 = 0x0400,
    kTxHorizonDistance2 = 0x0800,
    kRxHorizonDistance2 = 0x1000,
    kExtremeVariabilities = 0x2000,
    kSurfaceRefractivity = 0x4000,
};
/// One sentence per set bit.
std::vector<std::string> describeWarnings(uint32_t flags);

struct Result {
    double loss_dB = 0.0;        ///< basic transmission loss
    double free_space_dB = 0.0;  ///< P.525 free space over the path distance
    double A_ref_dB = 0.0;       ///< reference attenuation (median, before variability)
    Mode mode = Mode::LineOfSight;
    uint32_t warnings = 0;
    double d_km = 0.0;
    double theta_hzn_rad[2] = {0, 0};  ///< terminal horizon elevation angles
    double d_hzn_m[2] = {0, 0};        ///< terminal horizon distances
    double h_e_m[2] = {0, 0};          ///< effective heights
    double N_s = 0.0;                  ///< surface refractivity, N-units
    double delta_h_m = 0.0;            ///< terrain irregularity parameter
};

/// Point-to-point mode. @p elevation_m holds np+1 equally spaced ground heights above mean sea
/// level from transmitter to receiver, @p step_m apart (the "pfl" of the reference code without
/// its two header values). Throws InputError on inputs outside the model's domain.
Result pointToPoint(const Params& p, double h_tx_m, double h_rx_m, std::span<const double> elevation_m, double step_m,
                    double f_MHz);

/// What point-to-point mode reads from a profile, for callers that keep it incrementally (the
/// radial engine updates horizons and running sums as the receiver moves outward) instead of
/// handing over the samples. pointToPoint() is this with the callbacks bound to a sample array.
struct ProfileSummary {
    double d_m = 0.0;                 ///< path length
    double z_tx_ground_m = 0.0;       ///< ground at the transmitter (profile's first point)
    double z_rx_ground_m = 0.0;       ///< ground at the receiver (last point)
    double h_sys_m = 0.0;             ///< mean ground height over the middle 80 % [Algorithm, Eqn 2.2]
    /// The terminals' horizon angles and distances ("hzns") for an effective earth radius a_e,
    /// with the structure heights of the call; starts from the line-of-sight values.
    /// The callbacks are references (see function_ref.hpp): the callables must outlive the summary.
    FunctionRef<void(double a_e_m, double theta_rad[2], double d_hzn_m[2])> horizons;
    /// delta_h of the terrain between two distances ("dlthx"), see terrainIrregularity_m.
    FunctionRef<double(double d_start_m, double d_end_m)> delta_h;
    /// The least-squares line through the terrain between two distances ("zlsq1"), evaluated at
    /// both ends of the path.
    FunctionRef<void(double d_start_m, double d_end_m, double& z_at_tx, double& z_at_rx)> fit;
};
Result pointToPoint(const Params& p, double h_tx_m, double h_rx_m, const ProfileSummary& profile, double f_MHz);

/// Area mode: no profile; the terrain is described by its irregularity @p delta_h_m.
Result area(const Params& p, double h_tx_m, double h_rx_m, Siting tx_siting, Siting rx_siting, double d_km,
            double delta_h_m, double f_MHz);

/// Terrain irregularity parameter delta_h of a profile between two distances [ERL 79, Eqn 3]
/// (interdecile range of the deviations from a least-squares line, extrapolated to infinite length).
double terrainIrregularity_m(std::span<const double> elevation_m, double step_m, double d_start_m, double d_end_m);
/// The two halves of terrainIrregularity_m, for callers that resample the terrain themselves:
/// how many points dlthx takes between the distances (0 = too short: delta_h is 0; at most 245),
/// and delta_h from those points (2..245 of them), equally spaced from @p d_start_m to @p d_end_m
/// (overwrites them with their deviations from the fitted line).
int irregularitySampleCount(double step_m, double d_start_m, double d_end_m);
double irregularityOfSamples(std::span<double> samples, double d_start_m, double d_end_m);

}  // namespace phusong::models::itm
