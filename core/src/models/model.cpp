#include "phusong/core/models/model.hpp"

#include <algorithm>
#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/models/free_space.hpp"
#include "phusong/core/models/knife_edge.hpp"
#include "phusong/core/models/p1812.hpp"
#include "phusong/core/models/p2108.hpp"
#include "phusong/core/models/p2109.hpp"
#include "phusong/core/models/tr38901.hpp"

namespace phusong::models {

namespace {
constexpr std::pair<ModelKind, std::string_view> kModels[] = {{ModelKind::FreeSpace, "fspl"},
                                                              {ModelKind::Hata, "hata"},
                                                              {ModelKind::Cost231, "cost231"},
                                                              {ModelKind::Itm, "itm"},
                                                              {ModelKind::P1812, "p1812"},
                                                              {ModelKind::P526Bullington, "p526-bullington"},
                                                              {ModelKind::P526Deygout, "p526-deygout"},
                                                              {ModelKind::P526DeltaBullington, "p526-delta-bullington"},
                                                              {ModelKind::Tr38901RMa, "38901-rma"},
                                                              {ModelKind::Tr38901UMa, "38901-uma"},
                                                              {ModelKind::Tr38901UMi, "38901-umi"},
                                                              {ModelKind::Auto, "auto"}};
constexpr std::pair<Environment, std::string_view> kEnvs[] = {{Environment::UrbanLarge, "urban-large"},
                                                              {Environment::UrbanSmall, "urban-small"},
                                                              {Environment::Suburban, "suburban"},
                                                              {Environment::Open, "open"}};

tr38901::Scenario scenarioOf(ModelKind m) {
    if (m == ModelKind::Tr38901RMa) return tr38901::Scenario::RMa;
    if (m == ModelKind::Tr38901UMi) return tr38901::Scenario::UMi;
    return tr38901::Scenario::UMa;
}

// TR 38.901's parameters for a link.
tr38901::Params tr38901Params(const ModelParams& mp, double freq_MHz, double tx_h, double rx_h) {
    tr38901::Params p;
    p.scenario = scenarioOf(mp.kind);
    p.fc_GHz = freq_MHz / 1000.0;
    p.h_BS_m = tx_h;
    p.h_UT_m = rx_h;
    return p;
}

// The LOS or NLOS formula by @p los, from 1 m.
tr38901::Result tr38901Result(const tr38901::Params& p, double d_km, bool los) {
    const double d2D_m = std::max(d_km * 1000.0, 1.0);
    return los ? tr38901::pathLossLos(p, d2D_m) : tr38901::pathLossNlos(p, d2D_m);
}

// The loss and warnings by @p los into @p out, with the LOS probability reported alongside.
void tr38901Loss(const ModelParams& mp, double freq_MHz, double tx_h, double rx_h, double d_km, bool los, PathLoss& out) {
    const tr38901::Params p = tr38901Params(mp, freq_MHz, tx_h, rx_h);
    const tr38901::Result r = tr38901Result(p, d_km, los);
    out.loss_dB = r.loss_dB;
    out.warnings |= r.warnings;
    out.los_probability = tr38901::losProbability(p, std::max(d_km * 1000.0, 1.0));
}

// Equally spaced elevations for ITM: the profile's own heights when it is uniform, else
// resampled linearly at the same number of points into @p scratch.
std::span<const double> uniformElevations(const Profile& pr, std::vector<double>& scratch) {
    const size_t n = pr.size();
    const double step = pr.length_km() / static_cast<double>(n - 1);
    bool uniform = true;
    for (size_t i = 1; i < n && uniform; ++i) uniform = std::abs(pr.d_km[i] - pr.d_km[i - 1] - step) < 1e-6 * std::max(step, 1e-9);
    if (uniform) return pr.h_m;
    scratch.resize(n);
    size_t j = 0;
    for (size_t i = 0; i < n; ++i) {
        const double x = step * static_cast<double>(i);
        while (j + 2 < n && pr.d_km[j + 1] < x) ++j;
        const double t = (x - pr.d_km[j]) / (pr.d_km[j + 1] - pr.d_km[j]);
        scratch[i] = pr.h_m[j] + std::clamp(t, 0.0, 1.0) * (pr.h_m[j + 1] - pr.h_m[j]);
    }
    return scratch;
}

void itmOverProfile(const ModelParams& mp, const Profile& pr, double tx_h, double rx_h, double f, PathLoss& out) {
    std::vector<double> scratch;
    const std::span<const double> z = uniformElevations(pr, scratch);
    const itm::Result r = itm::pointToPoint(mp.itm, tx_h, rx_h, z, pr.length_km() * 1000.0 / static_cast<double>(z.size() - 1), f);
    out.loss_dB = r.loss_dB;
    out.free_space_dB = r.free_space_dB;
    out.diffraction_dB = r.loss_dB - r.free_space_dB;
    out.mode = itm::toString(r.mode);  // ITM's own regions: "line of sight" means d < smooth-earth horizon sum
    out.warnings |= r.warnings << kWarnItmShift;
    if (!mp.want_details) return;
    out.details = {{"A_ref_db", r.A_ref_dB},
                   {"tx_horizon_distance_m", r.d_hzn_m[0]},
                   {"rx_horizon_distance_m", r.d_hzn_m[1]},
                   {"tx_horizon_angle_mrad", r.theta_hzn_rad[0] * 1e3},
                   {"rx_horizon_angle_mrad", r.theta_hzn_rad[1] * 1e3},
                   {"tx_effective_height_m", r.h_e_m[0]},
                   {"rx_effective_height_m", r.h_e_m[1]},
                   {"delta_h_m", r.delta_h_m},
                   {"surface_refractivity_n", r.N_s}};
}

void p1812OverProfile(const ModelParams& mp, const Profile& pr, double tx_h, double rx_h, double f, PathLoss& out) {
    p1812::Input in;
    in.f_GHz = f / 1000.0;
    in.p_pct = mp.p1812_time_pct;
    in.pL_pct = mp.p1812_location_pct;
    in.sigmaL_dB = mp.p1812_sigma_L_dB;
    in.d_km = pr.d_km;
    in.h_m = pr.h_m;
    const std::vector<double> R(mp.p1812_clutter_m > 0.0 ? pr.size() : 0, mp.p1812_clutter_m);
    in.R_m = R;
    in.htg_m = tx_h;
    in.hrg_m = rx_h;
    in.phi_t_deg = in.phi_r_deg = mp.latitude_deg;
    in.DN = mp.p1812_DN;
    in.N0 = mp.p1812_N0;
    const p1812::Result r = p1812::basicTransmissionLoss(in);
    out.loss_dB = r.Lb_dB;
    out.free_space_dB = r.Lbfs_dB;
    out.diffraction_dB = r.Ldp_dB;
    out.los = !r.trans_horizon;
    out.mode = r.trans_horizon ? "trans-horizon" : "line-of-sight";
    if (r.warnings & p1812::kFrequencyOutOfRange) out.warnings |= kWarnP1812Frequency;
    if (r.warnings & p1812::kDistanceOutOfRange) out.warnings |= kWarnP1812Distance;
    if (!mp.want_details) return;
    out.details = {{"Lbfs_db", r.Lbfs_dB},         {"Lb0p_db", r.Lb0p_dB},        {"Lbulla_db", r.Lbulla_dB},
                   {"Lbulls_db", r.Lbulls_dB},     {"Ldsph_db", r.Ldsph_dB},      {"Ld50_db", r.Ld50_dB},
                   {"Ldp_db", r.Ldp_dB},           {"Lbs_db", r.Lbs_dB},          {"Lba_db", r.Lba_dB},
                   {"Lbc_db", r.Lbc_dB},           {"Ep_dbuv_m_1kw", r.Ep_dBuV_m}, {"theta_t_mrad", r.theta_t_mrad},
                   {"theta_r_mrad", r.theta_r_mrad}, {"theta_mrad", r.theta_mrad}, {"dlt_km", r.dlt_km},
                   {"dlr_km", r.dlr_km},           {"ae_km", r.ae_km},            {"b0_pct", r.b0_pct}};
}

// Horizon of each terminal over the profile on an earth of curvature @p ce_per_km: the point of
// highest elevation angle seen from it (the other terminal when the path is clear).
void addHorizons(const Profile& pr, double hts, double hrs, double ce_per_km, std::vector<std::pair<std::string, double>>& d) {
    const size_t n = pr.size();
    const double D = pr.length_km();
    auto bulge = [&](double x) { return 500.0 * ce_per_km * x * (D - x); };  // m
    double best_t = (hrs - hts) / D, best_r = (hts - hrs) / D;
    double dt = D, dr = D;
    for (size_t i = 1; i + 1 < n; ++i) {
        const double g = pr.h_m[i] + bulge(pr.d_km[i]);
        const double st = (g - hts) / pr.d_km[i], sr = (g - hrs) / (D - pr.d_km[i]);
        if (st > best_t) best_t = st, dt = pr.d_km[i];
        if (sr > best_r) best_r = sr, dr = D - pr.d_km[i];
    }
    d.emplace_back("tx_horizon_distance_m", dt * 1000.0);
    d.emplace_back("rx_horizon_distance_m", dr * 1000.0);
    d.emplace_back("tx_horizon_angle_mrad", best_t);  // m/km = mrad above the horizontal
    d.emplace_back("rx_horizon_angle_mrad", best_r);
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

bool needsTerrain(ModelKind m) {
    return m == ModelKind::P526Bullington || m == ModelKind::P526Deygout || m == ModelKind::P526DeltaBullington ||
           m == ModelKind::Itm || m == ModelKind::P1812 || m == ModelKind::Auto;
}

ModelKind autoModel(double freq_MHz) { return freq_MHz <= 6000.0 ? ModelKind::P1812 : ModelKind::P526Deygout; }

std::vector<std::string> describeWarnings(uint32_t f) {
    std::vector<std::string> out;
    if (f & kHataDistanceOutOfRange) out.emplace_back("distance outside the Hata validity range 1-20 km");
    if (f & kHataTxHeightOutOfRange) out.emplace_back("base station height outside the Hata validity range 30-200 m");
    if (f & kHataRxHeightOutOfRange) out.emplace_back("mobile height outside the Hata validity range 1-10 m");
    if (f & kWarnShortPath) out.emplace_back("path shorter than one profile step; free-space loss only");
    if (f & kWarnP1812Frequency) out.emplace_back("frequency outside the P.1812 range 30-6000 MHz");
    if (f & kWarnP1812Distance) out.emplace_back("distance outside the P.1812 range 0.25-3000 km");
    for (auto& w : itm::describeWarnings(f >> kWarnItmShift)) out.push_back(std::move(w));
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
    if (m == ModelKind::Itm) lo = 20.0, hi = 20000.0;  // ITM domain; 40 MHz-10 GHz without warning
    if (m == ModelKind::P1812) lo = 30.0, hi = 6000.0;
    if (f < lo || f > hi) {
        std::string hint = "; choose a model valid at this frequency";
        if (m == ModelKind::Hata && f > hi && f <= 2000.0) hint = "; use --model cost231 for 1500-2000 MHz";
        if (m == ModelKind::Cost231 && f < lo && f >= 150.0) hint = "; use --model hata for 150-1500 MHz";
        if (m == ModelKind::Hata || m == ModelKind::Cost231) {
            if (f > 2000.0) hint = "; use --model p526-deygout (terrain) or fspl above 2000 MHz";
        }
        if (m == ModelKind::P1812 && f > hi) hint = "; use --model p526-deygout or 38901-uma above 6 GHz, or --model auto";
        // A carrier given in GHz (1.8 for 1800 MHz) lands below every model's range.
        if (f < 20.0 && f * 1000.0 >= lo && f * 1000.0 <= hi) {
            hint = "; frequencies are in MHz: " + formatNumber(f) + " GHz is " + formatNumber(f * 1000.0) + " MHz";
        }
        throw InputError(where + ": frequency " + formatNumber(f) +
                         " MHz is outside the validity of model '" + std::string(toString(m)) + "' (" +
                         std::to_string(static_cast<int>(lo)) + "-" + std::to_string(static_cast<int>(hi)) + " MHz)" + hint);
    }
}

namespace {
// Table 3 of P.2108: default representative clutter heights per type.
double defaultClutterHeight_m(p2108::ClutterType t) {
    switch (t) {
        case p2108::ClutterType::WaterSea:
        case p2108::ClutterType::OpenRural: return 10.0;
        case p2108::ClutterType::Suburban: return 10.0;
        case p2108::ClutterType::Urban:
        case p2108::ClutterType::TreesForest: return 15.0;
        case p2108::ClutterType::DenseUrban: return 20.0;
    }
    return 10.0;
}

PathLoss pathLossOverProfileBare(const ModelParams& mp, const Profile& pr, double tx_height_m, double rx_height_m,
                                 double freq_MHz);
PathLoss pathLossAtDistanceBare(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m,
                                double freq_MHz);
}  // namespace

void checkFrequency(const ModelParams& mp, double freq_MHz, const std::string& where) {
    checkFrequency(mp.kind, freq_MHz, where);
    const double f = freq_MHz / 1000.0;
    auto fail = [&](const std::string& what) {
        throw InputError(where + ": frequency " + std::to_string(static_cast<long long>(std::llround(freq_MHz))) + " MHz " + what);
    };
    if (mp.p2108_location_pct) {
        if (f < 0.5 || f > 67.0) fail("is outside P.2108 §3.2 (500 MHz-67 GHz); drop --clutter-loss-pct");
        if (!(*mp.p2108_location_pct > 0.0 && *mp.p2108_location_pct < 100.0)) {
            throw InputError("--clutter-loss-pct must be strictly between 0 and 100");
        }
    }
    if (mp.p2108_clutter_type && (f < 0.03 || f > 3.0)) fail("is outside P.2108 §3.1 (30 MHz-3 GHz); drop --clutter-type");
    if (mp.p2109_probability) {
        if (f < 0.08 || f > 100.0) fail("is outside P.2109 (80 MHz-100 GHz); drop --indoor");
        if (!(*mp.p2109_probability > 0.0 && *mp.p2109_probability < 1.0)) {
            throw InputError("--indoor-pct must be strictly between 0 and 100");
        }
    }
}

void addTerminalLosses(const ModelParams& mp, double freq_MHz, double rx_h, PathLoss& out) {
    const double f_GHz = freq_MHz / 1000.0;
    const double d_km = out.distance_m / 1000.0;
    if (mp.p2108_location_pct && d_km >= 0.25) {  // §3.2 applies from 0.25 km
        const p2108::Result r = p2108::terrestrialStatistical(f_GHz, d_km, *mp.p2108_location_pct);
        if (r.rtn == p2108::kSuccess) out.clutter_loss_dB += r.loss_dB;
    }
    if (mp.p2108_clutter_type) {
        const auto type = static_cast<p2108::ClutterType>(*mp.p2108_clutter_type);
        const double R = mp.p2108_clutter_height_m > 0.0 ? mp.p2108_clutter_height_m : defaultClutterHeight_m(type);
        const p2108::Result r = p2108::heightGainTerminalCorrection(f_GHz, rx_h, mp.p2108_street_width_m, R, type);
        if (r.rtn == p2108::kSuccess) out.clutter_loss_dB += r.loss_dB;
    }
    if (mp.p2109_probability) {
        out.building_entry_loss_dB = p2109::buildingEntryLoss_dB(
            f_GHz, *mp.p2109_probability,
            mp.p2109_thermally_efficient ? p2109::BuildingType::ThermallyEfficient : p2109::BuildingType::Traditional);
    }
    out.loss_dB += out.clutter_loss_dB + out.building_entry_loss_dB;
}

PathLoss pathLossOverProfile(const ModelParams& mp, const Profile& pr, double tx_height_m, double rx_height_m, double freq_MHz) {
    PathLoss out = pathLossOverProfileBare(mp, pr, tx_height_m, rx_height_m, freq_MHz);
    addTerminalLosses(mp, freq_MHz, rx_height_m, out);
    return out;
}

double lossWithLos_dB(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m, double freq_MHz,
                      bool los, uint32_t* warnings) {
    if (mp.kind == ModelKind::Hata || mp.kind == ModelKind::Cost231) {
        return empirical(mp, freq_MHz, tx_height_m, rx_height_m, std::max(distance_km, 1e-3), warnings);  // or-es its warnings
    }
    if (!isTr38901(mp.kind)) throw Error("lossWithLos_dB: only Hata, COST-231 and TR 38.901 take a known LOS state");
    const tr38901::Result r =
        tr38901Result(tr38901Params(mp, freq_MHz, tx_height_m, rx_height_m), distance_km, mp.force_los.value_or(los));
    if (warnings) *warnings |= r.warnings;
    return r.loss_dB;
}

PathLoss pathLossAtDistance(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m, double freq_MHz) {
    PathLoss out = pathLossAtDistanceBare(mp, distance_km, tx_height_m, rx_height_m, freq_MHz);
    addTerminalLosses(mp, freq_MHz, rx_height_m, out);
    return out;
}

namespace {
PathLoss pathLossOverProfileBare(const ModelParams& mp_in, const Profile& pr, double tx_height_m, double rx_height_m,
                             double freq_MHz) {
    ModelParams mp = mp_in;
    mp.kind = kindAt(mp.kind, freq_MHz);
    PathLoss out;
    out.model = mp.kind;
    const size_t n = pr.size();
    const double d_km = pr.length_km();
    out.distance_m = d_km * 1000.0;
    const double hts = pr.h_m.front() + tx_height_m;
    const double hrs = pr.h_m.back() + rx_height_m;
    const double slant_km = std::hypot(d_km, (hts - hrs) / 1000.0);
    const double ce_per_km = 1.0 / (mp.k_factor * kEarthRadius_m / 1000.0);
    DiffractionPath dp{pr.d_km.data(), pr.h_m.data(), n, hts, hrs, ce_per_km, kSpeedOfLight_m_s / (freq_MHz * 1e6)};
    // Too short for a terrain model (within the site's own pixel or a handful of samples): free space.
    const size_t min_points = mp.kind == ModelKind::P1812 ? 5 : 3;
    if (n < min_points) out.warnings |= kWarnShortPath;
    if (needsTerrain(mp.kind) && n < min_points) {
        out.free_space_dB = freeSpaceLoss_dB(freq_MHz, std::max(slant_km, 1e-3));
        out.loss_dB = out.free_space_dB;
        out.los = true;
        return out;
    }
    if (mp.kind == ModelKind::Itm) {
        itmOverProfile(mp, pr, tx_height_m, rx_height_m, freq_MHz, out);
        // The geometric LOS flag (at the k-factor) for one-off links; per-pixel loops skip it.
        if (mp.want_details) out.los = deygout(dp).los;
        return out;
    }
    if (mp.kind == ModelKind::P1812) {
        p1812OverProfile(mp, pr, tx_height_m, rx_height_m, freq_MHz, out);
        return out;
    }
    if (needsTerrain(mp.kind) || mp.kind == ModelKind::FreeSpace) {
        out.free_space_dB = freeSpaceLoss_dB(freq_MHz, std::max(slant_km, 1e-3));
        DiffractionResult dr;
        if (mp.kind == ModelKind::P526Bullington) dr = bullington(dp);
        else dr = deygout(dp);  // free space: geometry only, for the LOS flag
        out.los = dr.los;
        if (mp.kind == ModelKind::P526DeltaBullington) {
            // P.526-16 §4.5: Bullington over the profile corrected by the smooth-earth term.
            out.diffraction_dB = p1812::deltaBullington_dB(pr.d_km, pr.h_m, hts, hrs, 1.0 / ce_per_km, freq_MHz / 1000.0, 0.0,
                                                           p1812::Polarization::Vertical);
        } else if (needsTerrain(mp.kind)) {
            out.diffraction_dB = dr.loss_dB;
        }
        out.loss_dB = out.free_space_dB + out.diffraction_dB;
        if (needsTerrain(mp.kind) && mp.want_details) {
            out.details.emplace_back("diffraction_db", out.diffraction_dB);
            addHorizons(pr, hts, hrs, ce_per_km, out.details);
        }
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

PathLoss pathLossAtDistanceBare(const ModelParams& mp, double distance_km, double tx_height_m, double rx_height_m,
                                double freq_MHz) {
    PathLoss out;
    out.model = mp.kind;
    out.distance_m = distance_km * 1000.0;
    if (mp.kind == ModelKind::Itm) {
        // Area mode: terrain described by delta_h only, terminals sited at random [Algorithm, §3].
        const itm::Result r = itm::area(mp.itm, tx_height_m, rx_height_m, itm::Siting::Random, itm::Siting::Random,
                                        distance_km, mp.itm_delta_h_m, freq_MHz);
        out.loss_dB = r.loss_dB;
        out.free_space_dB = r.free_space_dB;
        out.diffraction_dB = r.loss_dB - r.free_space_dB;
        out.mode = itm::toString(r.mode);
        out.warnings |= r.warnings << kWarnItmShift;
        if (mp.want_details) {
            out.details = {{"A_ref_db", r.A_ref_dB},
                           {"delta_h_m", r.delta_h_m},
                           {"tx_horizon_distance_m", r.d_hzn_m[0]},
                           {"rx_horizon_distance_m", r.d_hzn_m[1]},
                           {"tx_effective_height_m", r.h_e_m[0]},
                           {"rx_effective_height_m", r.h_e_m[1]}};
        }
        return out;
    }
    if (needsTerrain(mp.kind)) {
        throw InputError("model '" + std::string(toString(mp.kind)) +
                         "' needs terrain; give --dem with --tx/--rx, or --profile, instead of --distance-km");
    }
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

}  // namespace

}  // namespace phusong::models
