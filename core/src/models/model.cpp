#include "phusong/core/models/model.hpp"

#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/models/free_space.hpp"
#include "phusong/core/models/knife_edge.hpp"
#include "phusong/core/models/tr38901.hpp"

namespace phusong::models {

namespace {
constexpr std::pair<ModelKind, std::string_view> kModels[] = {{ModelKind::FreeSpace, "fspl"},
                                                              {ModelKind::Hata, "hata"},
                                                              {ModelKind::Cost231, "cost231"},
                                                              {ModelKind::P526Bullington, "p526-bullington"},
                                                              {ModelKind::P526Deygout, "p526-deygout"},
                                                              {ModelKind::Tr38901RMa, "38901-rma"},
                                                              {ModelKind::Tr38901UMa, "38901-uma"},
                                                              {ModelKind::Tr38901UMi, "38901-umi"}};
constexpr std::pair<Environment, std::string_view> kEnvs[] = {{Environment::UrbanLarge, "urban-large"},
                                                              {Environment::UrbanSmall, "urban-small"},
                                                              {Environment::Suburban, "suburban"},
                                                              {Environment::Open, "open"}};

tr38901::Scenario scenarioOf(ModelKind m) {
    if (m == ModelKind::Tr38901RMa) return tr38901::Scenario::RMa;
    if (m == ModelKind::Tr38901UMi) return tr38901::Scenario::UMi;
    return tr38901::Scenario::UMa;
}

// TR 38.901: LOS or NLOS formula by @p los; the LOS probability is reported alongside.
void tr38901Loss(const ModelParams& mp, double freq_MHz, double tx_h, double rx_h, double d_km, bool los, PathLoss& out) {
    tr38901::Params p;
    p.scenario = scenarioOf(mp.kind);
    p.fc_GHz = freq_MHz / 1000.0;
    p.h_BS_m = tx_h;
    p.h_UT_m = rx_h;
    const double d2D_m = std::max(d_km * 1000.0, 1.0);
    const tr38901::Result r = los ? tr38901::pathLossLos(p, d2D_m) : tr38901::pathLossNlos(p, d2D_m);
    out.loss_dB = r.loss_dB;
    out.warnings |= r.warnings;
    out.los_probability = tr38901::losProbability(p, d2D_m);
}

double empirical(const ModelParams& mp, double freq_MHz, double tx_h, double rx_h, double d_km, uint32_t* w) {
    if (mp.kind == ModelKind::Hata) return okumuraHata_dB(freq_MHz, tx_h, rx_h, d_km, mp.environment, w);
    return cost231Hata_dB(freq_MHz, tx_h, rx_h, d_km, mp.environment, w);
}
}  // namespace

std::string_view toString(ModelKind m) {
    for (const auto& [k, n] : kModels) {
        if (k == m) return n;
    }
    return "?";
}

std::optional<ModelKind> parseModel(std::string_view s) {
    for (const auto& [k, n] : kModels) {
        if (n == s) return k;
    }
    if (s == "terrain" || s == "p526") return ModelKind::P526Deygout;
    return std::nullopt;
}

std::string modelNames() {
    std::string out;
    for (const auto& [k, n] : kModels) out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

std::optional<Environment> parseEnvironment(std::string_view s) {
    for (const auto& [e, n] : kEnvs) {
        if (n == s) return e;
    }
    return std::nullopt;
}

std::string_view toString(Environment e) {
    for (const auto& [k, n] : kEnvs) {
        if (k == e) return n;
    }
    return "?";
}

bool isTr38901(ModelKind m) {
    return m == ModelKind::Tr38901RMa || m == ModelKind::Tr38901UMa || m == ModelKind::Tr38901UMi;
}

bool needsTerrain(ModelKind m) { return m == ModelKind::P526Bullington || m == ModelKind::P526Deygout; }

std::vector<std::string> describeWarnings(uint32_t f) {
    std::vector<std::string> out;
    if (f & kHataDistanceOutOfRange) out.emplace_back("distance outside the Hata validity range 1-20 km");
    if (f & kHataTxHeightOutOfRange) out.emplace_back("base station height outside the Hata validity range 30-200 m");
    if (f & kHataRxHeightOutOfRange) out.emplace_back("mobile height outside the Hata validity range 1-10 m");
    if (f & kWarnShortPath) out.emplace_back("path shorter than one profile step; free-space loss only");
    if (f & tr38901::kDistanceOutOfRange) out.emplace_back("distance outside the TR 38.901 applicability range");
    if (f & tr38901::kFrequencyOutOfRange) out.emplace_back("frequency outside the TR 38.901 applicability range");
    if (f & tr38901::kHeightOutOfRange) out.emplace_back("antenna height outside the TR 38.901 applicability range");
    return out;
}

void checkFrequency(ModelKind m, double f, const std::string& where) {
    double lo = 30.0, hi = 100000.0;
    if (m == ModelKind::Hata) lo = 150.0, hi = 1500.0;
    if (m == ModelKind::Cost231) lo = 1500.0, hi = 2000.0;
    if (isTr38901(m)) lo = 500.0, hi = (m == ModelKind::Tr38901RMa ? 30000.0 : 100000.0);
    if (f < lo || f > hi) {
        std::string hint = "; choose a model valid at this frequency";
        if (m == ModelKind::Hata && f > hi && f <= 2000.0) hint = "; use --model cost231 for 1500-2000 MHz";
        if (m == ModelKind::Cost231 && f < lo && f >= 150.0) hint = "; use --model hata for 150-1500 MHz";
        if (m == ModelKind::Hata || m == ModelKind::Cost231) {
            if (f > 2000.0) hint = "; use --model p526-deygout (terrain) or fspl above 2000 MHz";
        }
        throw InputError(where + ": frequency " + std::to_string(static_cast<long long>(std::llround(f))) +
                         " MHz is outside the validity of model '" + std::string(toString(m)) + "' (" +
                         std::to_string(static_cast<int>(lo)) + "-" + std::to_string(static_cast<int>(hi)) + " MHz)" + hint);
    }
}

PathLoss pathLossOverProfile(const ModelParams& mp, const Profile& pr, double tx_height_m, double rx_height_m,
                             double freq_MHz) {
    PathLoss out;
    const size_t n = pr.size();
    const double d_km = pr.length_km();
    out.distance_m = d_km * 1000.0;
    const double hts = pr.h_m.front() + tx_height_m;
    const double hrs = pr.h_m.back() + rx_height_m;
    const double slant_km = std::hypot(d_km, (hts - hrs) / 1000.0);
    DiffractionPath dp{pr.d_km.data(), pr.h_m.data(), n, hts, hrs,
                       1.0 / (mp.k_factor * kEarthRadius_m / 1000.0), kSpeedOfLight_m_s / (freq_MHz * 1e6)};
    if (n < 3) out.warnings |= kWarnShortPath;
    if (needsTerrain(mp.kind) || mp.kind == ModelKind::FreeSpace) {
        out.free_space_dB = freeSpaceLoss_dB(freq_MHz, std::max(slant_km, 1e-3));
        DiffractionResult dr;
        if (mp.kind == ModelKind::P526Bullington) dr = bullington(dp);
        else dr = deygout(dp);  // free space: geometry only, for the LOS flag
        out.los = dr.los;
        if (needsTerrain(mp.kind)) out.diffraction_dB = dr.loss_dB;
        out.loss_dB = out.free_space_dB + out.diffraction_dB;
        return out;
    }
    out.los = deygout(dp).los;
    if (isTr38901(mp.kind)) {
        tr38901Loss(mp, freq_MHz, tx_height_m, rx_height_m, d_km, mp.force_los.value_or(*out.los), out);
        return out;
    }
    out.loss_dB = empirical(mp, freq_MHz, tx_height_m, rx_height_m, std::max(d_km, 1e-3), &out.warnings);
    return out;
}

PathLoss pathLossAtDistance(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m,
                            double freq_MHz) {
    if (needsTerrain(mp.kind)) {
        throw InputError("model '" + std::string(toString(mp.kind)) +
                         "' needs terrain; give --dem with --tx/--rx, or --profile, instead of --distance-km");
    }
    PathLoss out;
    out.distance_m = distance_km * 1000.0;
    if (mp.kind == ModelKind::FreeSpace) {
        const double slant_km = std::hypot(distance_km, (tx_height_m - rx_height_m) / 1000.0);
        out.free_space_dB = freeSpaceLoss_dB(freq_MHz, slant_km);
        out.loss_dB = out.free_space_dB;
        return out;
    }
    if (isTr38901(mp.kind)) {
        tr38901::Params p;
        p.scenario = scenarioOf(mp.kind);
        p.h_BS_m = tx_height_m;
        p.h_UT_m = rx_height_m;
        const bool los = mp.force_los.value_or(tr38901::losProbability(p, distance_km * 1000.0) >= 0.5);
        tr38901Loss(mp, freq_MHz, tx_height_m, rx_height_m, distance_km, los, out);
        out.los = los;
        return out;
    }
    out.loss_dB = empirical(mp, freq_MHz, tx_height_m, rx_height_m, distance_km, &out.warnings);
    return out;
}

}  // namespace phusong::models
