#pragma once
/// @file model.hpp
/// The propagation models behind `--model`, with one entry point per kind of input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/core/models/hata.hpp"
#include "phusong/core/models/itm.hpp"
#include "phusong/core/profile.hpp"

namespace phusong::models {

enum class ModelKind {
    FreeSpace,
    Hata,
    Cost231,
    Itm,
    P1812,
    P526Bullington,
    P526Deygout,
    P526DeltaBullington,
    Tr38901RMa,
    Tr38901UMa,
    Tr38901UMi,
    Auto,  ///< resolved per frequency by autoModel()
};

/// CLI names: fspl, hata, cost231, itm, p1812, p526-bullington, p526-deygout, p526-delta-bullington,
/// 38901-rma, 38901-uma, 38901-umi, auto.
std::string_view toString(ModelKind m);
std::optional<ModelKind> parseModel(std::string_view s);
/// All names, comma separated, for messages and help.
std::string modelNames();
std::optional<Environment> parseEnvironment(std::string_view s);
std::string_view toString(Environment e);

/// Whether the model needs a terrain profile (ITM, P.1812, the P.526 terrain models).
/// ITM also has an area mode without a profile, used by pathLossAtDistance().
bool needsTerrain(ModelKind m);

/// What `--model auto` uses at @p freq_MHz: ITU-R P.1812 (the ITU point-to-area method for
/// terrestrial services) from 30 to 6000 MHz, P.526 Deygout over terrain above.
ModelKind autoModel(double freq_MHz);

/// The model that runs at @p freq_MHz: @p kind itself, or autoModel() for ModelKind::Auto.
inline ModelKind kindAt(ModelKind kind, double freq_MHz) { return kind == ModelKind::Auto ? autoModel(freq_MHz) : kind; }

/// Warning flags that travel with results (validity-range breaches), bits beyond the Hata ones.
enum ModelWarning : uint32_t {
    kWarnShortPath = 1u << 8,  ///< path shorter than one profile step; free space assumed
    kWarnP1812Frequency = 1u << 9,  ///< P.1812 outside 30-6000 MHz
    kWarnP1812Distance = 1u << 10,  ///< P.1812 path outside 0.25-3000 km
    kWarnItmShift = 16,             ///< ITM warning flags (itm::Warning) occupy bits 16-30
};
/// Human-readable text for each set warning bit.
std::vector<std::string> describeWarnings(uint32_t flags);

struct ModelParams {
    ModelKind kind = ModelKind::P526Deygout;
    Environment environment = Environment::Suburban;  ///< Hata and COST-231 only
    double k_factor = 4.0 / 3.0;  ///< effective earth-radius factor [ITU-R P.453]
    /// TR 38.901 only: force LOS (true) or NLOS (false). Unset: the terrain decides over a
    /// profile; without terrain the more probable state by Table 7.4.2-1.
    std::optional<bool> force_los;
    itm::Params itm;               ///< ITM ground, climate and variability
    double itm_delta_h_m = 90.0;   ///< ITM area mode: terrain irregularity (90 m: hills, [Hufford 1982, Table 1])
    double p1812_time_pct = 50.0;  ///< P.1812 time percentage (1-50)
    double p1812_location_pct = 50.0;
    double p1812_sigma_L_dB = 0.0;  ///< P.1812 location variability; 0 = median
    double p1812_DN = 45.0;         ///< P.1812 refractivity lapse rate, N-units/km (P.453 maps; ~45 in temperate)
    double p1812_N0 = 325.0;        ///< P.1812 sea-level refractivity, N-units
    double p1812_clutter_m = 0.0;   ///< P.1812 representative clutter height on intermediate points
    double latitude_deg = 21.0;     ///< path-centre latitude (P.1812 beta0); callers with coordinates set it
    bool want_details = false;      ///< fill PathLoss::details (one-off links; off in per-pixel loops)

    // Terminal losses added at the receiver on top of any model.
    std::optional<double> p2108_location_pct;  ///< ITU-R P.2108 §3.2 terrestrial clutter loss at this percentage
    std::optional<int> p2108_clutter_type;     ///< ITU-R P.2108 §3.1 height-gain correction: p2108::ClutterType
    double p2108_clutter_height_m = 0.0;       ///< §3.1 representative clutter height R (0: Table 3 default)
    double p2108_street_width_m = 27.0;        ///< §3.1 street width w_s
    std::optional<double> p2109_probability;   ///< ITU-R P.2109 building entry loss not exceeded with this probability (0-1)
    bool p2109_thermally_efficient = false;    ///< P.2109 building type
    /// Whether any of those terminal losses applies.
    bool hasTerminalLosses() const { return p2108_location_pct || p2108_clutter_type || p2109_probability; }
};


/// Throws InputError (naming @p where) when @p freq_MHz is outside the model's validity:
/// Hata 150-1500 MHz, COST-231 1500-2000 MHz, TR 38.901 500 MHz - 100 GHz (RMa 30 GHz),
/// P.526 and free space 30 MHz - 100 GHz.
void checkFrequency(ModelKind m, double freq_MHz, const std::string& where);
/// The same for @p mp.kind, and also for the terminal losses @p mp asks for (P.2108 §3.1:
/// 30 MHz-3 GHz, §3.2: 0.5-67 GHz; P.2109: 80 MHz-100 GHz) and their percentages.
void checkFrequency(const ModelParams& mp, double freq_MHz, const std::string& where);

struct PathLoss {
    double loss_dB = 0.0;
    double free_space_dB = 0.0;
    double diffraction_dB = 0.0;
    std::optional<bool> los;  ///< known only where terrain was given
    double distance_m = 0.0;  ///< horizontal distance
    uint32_t warnings = 0;
    std::optional<double> los_probability;  ///< TR 38.901 models
    ModelKind model = ModelKind::FreeSpace;  ///< the model that ran (resolved from Auto)
    std::string mode;  ///< propagation mode where the model names one (ITM, P.1812)
    /// Intermediate values that matter for the model (horizons, diffraction terms), name -> value;
    /// names carry units. Filled only when ModelParams::want_details is set.
    std::vector<std::pair<std::string, double>> details;
    double clutter_loss_dB = 0.0;        ///< P.2108 at the receiver (included in loss_dB)
    double building_entry_loss_dB = 0.0; ///< P.2109 (included in loss_dB)
};

/// Whether the model is one of the TR 38.901 scenarios.
bool isTr38901(ModelKind m);

/// Path loss over a terrain profile. Terrain models add knife-edge diffraction to free-space loss
/// over the slant distance; empirical models use the horizontal distance and report geometric LOS.
/// @p tx_height_m, @p rx_height_m are above ground at the profile's ends.
PathLoss pathLossOverProfile(const ModelParams& mp, const Profile& profile, double tx_height_m, double rx_height_m,
                             double freq_MHz);

/// Adds the terminal losses @p mp asks for (P.2108 §3.1/§3.2 clutter, P.2109 building entry) to
/// @p out, whose distance_m must be set; pathLossOverProfile/AtDistance call it themselves.
void addTerminalLosses(const ModelParams& mp, double freq_MHz, double rx_height_m, PathLoss& out);

/// Empirical (Hata, COST-231) and TR 38.901 loss at a horizontal distance with the line-of-sight
/// state already known (from terrain; TR 38.901 takes its LOS or NLOS formula by @p los unless
/// mp.force_los is set), before terminal losses (addTerminalLosses()), without the LOS
/// probability or a PathLoss record: the sweep calls it once per pixel. Warnings are or-ed into
/// @p warnings when given. Other kinds throw Error.
double lossWithLos_dB(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m, double freq_MHz,
                      bool los, uint32_t* warnings);

/// Path loss at a horizontal distance without terrain (free space, Hata, COST-231).
/// Throws InputError for terrain models.
PathLoss pathLossAtDistance(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m,
                            double freq_MHz);

}  // namespace phusong::models
