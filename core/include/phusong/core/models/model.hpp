#pragma once
/// @file model.hpp
/// The propagation models behind `--model`, with one entry point per kind of input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/core/models/hata.hpp"
#include "phusong/core/profile.hpp"

namespace phusong::models {

enum class ModelKind { FreeSpace, Hata, Cost231, P526Bullington, P526Deygout, Tr38901RMa, Tr38901UMa, Tr38901UMi };

/// CLI names: fspl, hata, cost231, p526-bullington, p526-deygout, 38901-rma, 38901-uma, 38901-umi.
std::string_view toString(ModelKind m);
std::optional<ModelKind> parseModel(std::string_view s);
/// All names, comma separated, for messages and help.
std::string modelNames();
std::optional<Environment> parseEnvironment(std::string_view s);
std::string_view toString(Environment e);

/// Whether the model needs a terrain profile (the P.526 terrain models).
bool needsTerrain(ModelKind m);

/// Warning flags that travel with results (validity-range breaches), bits beyond the Hata ones.
enum ModelWarning : uint32_t {
    kWarnShortPath = 1u << 8,  ///< path shorter than one profile step; free space assumed
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
};

/// Throws InputError (naming @p where) when @p freq_MHz is outside the model's validity:
/// Hata 150-1500 MHz, COST-231 1500-2000 MHz, TR 38.901 500 MHz - 100 GHz (RMa 30 GHz),
/// P.526 and free space 30 MHz - 100 GHz.
void checkFrequency(ModelKind m, double freq_MHz, const std::string& where);

struct PathLoss {
    double loss_dB = 0.0;
    double free_space_dB = 0.0;
    double diffraction_dB = 0.0;
    std::optional<bool> los;  ///< known only where terrain was given
    double distance_m = 0.0;  ///< horizontal distance
    uint32_t warnings = 0;
    std::optional<double> los_probability;  ///< TR 38.901 models
};

/// Whether the model is one of the TR 38.901 scenarios.
bool isTr38901(ModelKind m);

/// Path loss over a terrain profile. Terrain models add knife-edge diffraction to free-space loss
/// over the slant distance; empirical models use the horizontal distance and report geometric LOS.
/// @p tx_height_m, @p rx_height_m are above ground at the profile's ends.
PathLoss pathLossOverProfile(const ModelParams& mp, const Profile& profile, double tx_height_m, double rx_height_m,
                             double freq_MHz);

/// Path loss at a horizontal distance without terrain (free space, Hata, COST-231).
/// Throws InputError for terrain models.
PathLoss pathLossAtDistance(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m,
                            double freq_MHz);

}  // namespace phusong::models
