#include <cmath>
#include <iomanip>
#include <iostream>
#include <tuple>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "model_options.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/models/model.hpp"
#include "phusong/io/dem.hpp"

namespace phusong::cli {

Profile profileFromDem(const std::string& dem, const std::string& tx_s, const std::string& rx_s) {
    const LatLon tx = parseLatLon(tx_s, "--tx"), rx = parseLatLon(rx_s, "--rx");
    // Only the DEM around the link is read and warped (a national mosaic stays on disk).
    io::DemLoadOptions dopt;
    dopt.around = {tx, rx};
    dopt.around_label = "the link --tx " + tx_s + " --rx " + rx_s;
    const io::Terrain terrain = io::loadDem(dem, dopt);
    io::Projector proj(terrain.crs);
    const PointXY a = proj.toXY(tx), b = proj.toXY(rx);
    for (const auto& [p, name, text] : {std::tuple{a, "--tx", tx_s}, std::tuple{b, "--rx", rx_s}}) {
        if (!hasGroundAt(terrain.grid, p.x_m, p.y_m)) {
            throw InputError(std::string(name) + " " + text + " is outside the DEM " + dem + "; give a point it covers");
        }
    }
    Profile profile;
    extractProfile(terrain.grid, a, b, terrain.grid.geoTransform().pixel_width_m, profile);
    return profile;
}

namespace {
struct PathlossConfig {
    ModelOptions mo;
    std::optional<double> latitude_deg;
    double freq_MHz = 0.0;
    double tx_height_m = 30.0;
    double rx_height_m = 1.5;
    std::string dem, tx, rx, profile;
    std::optional<double> distance_km;
    bool json = false;
    bool los = false, nlos = false;
};

int runPathloss(const PathlossConfig& cfg) {
    models::ModelParams mp = cfg.mo.build();
    mp.want_details = true;  // one link: the LOS flag and the intermediate values cost nothing
    if (cfg.los && cfg.nlos) throw InputError("give at most one of --los and --nlos");
    if ((cfg.los || cfg.nlos) && !models::isTr38901(mp.kind)) {
        throw InputError("--los/--nlos apply to the 38901-* models only; other models take LOS from the terrain");
    }
    if (cfg.los) mp.force_los = true;
    if (cfg.nlos) mp.force_los = false;
    if (!(cfg.tx_height_m > 0.0)) throw InputError("--tx-height-m must be positive (metres above ground)");
    if (!(cfg.rx_height_m > 0.0)) throw InputError("--rx-height-m must be positive (metres above ground)");
    models::checkFrequency(mp, cfg.freq_MHz, "--freq-mhz");
    if (cfg.latitude_deg) {
        if (std::abs(*cfg.latitude_deg) > 90.0) throw InputError("--lat-deg must be within -90..90");
        mp.latitude_deg = *cfg.latitude_deg;
    }

    const int modes = (!cfg.dem.empty() ? 1 : 0) + (!cfg.profile.empty() ? 1 : 0) + (cfg.distance_km ? 1 : 0);
    if (modes != 1) {
        throw InputError("give exactly one of: --dem with --tx and --rx; --profile FILE; --distance-km D");
    }
    models::PathLoss pl;
    if (cfg.distance_km) {
        if (!(*cfg.distance_km > 0.0)) throw InputError("--distance-km must be positive");
        pl = models::pathLossAtDistance(mp, *cfg.distance_km, cfg.tx_height_m, cfg.rx_height_m, cfg.freq_MHz);
    } else {
        Profile profile;
        if (!cfg.profile.empty()) {
            profile = readProfileCsv(cfg.profile);
        } else {
            if (cfg.tx.empty() || cfg.rx.empty()) throw InputError("--dem needs --tx LAT,LON and --rx LAT,LON");
            profile = profileFromDem(cfg.dem, cfg.tx, cfg.rx);
            if (!cfg.latitude_deg) {
                mp.latitude_deg = 0.5 * (parseLatLon(cfg.tx, "--tx").lat_deg + parseLatLon(cfg.rx, "--rx").lat_deg);
            }
        }
        pl = models::pathLossOverProfile(mp, profile, cfg.tx_height_m, cfg.rx_height_m, cfg.freq_MHz);
    }
    const auto warnings = models::describeWarnings(pl.warnings);
    if (cfg.json) {
        nlohmann::json details = nlohmann::json::object();
        for (const auto& [k, v] : pl.details) details[k] = v;
        nlohmann::json j = {{"loss_db", pl.loss_dB},
                            {"model", std::string(models::toString(pl.model))},
                            {"mode", pl.mode.empty() ? nlohmann::json(nullptr) : nlohmann::json(pl.mode)},
                            {"details", details},
                            {"clutter_loss_db", pl.clutter_loss_dB},
                            {"building_entry_loss_db", pl.building_entry_loss_dB},
                            {"distance_m", pl.distance_m},
                            {"los", pl.los ? nlohmann::json(*pl.los) : nlohmann::json(nullptr)},
                            {"warnings", warnings},
                            {"freq_mhz", cfg.freq_MHz},
                            {"free_space_db", pl.free_space_dB},
                            {"diffraction_db", pl.diffraction_dB}};
        if (pl.los_probability) j["los_probability"] = *pl.los_probability;
        if (mp.kind == models::ModelKind::Hata || mp.kind == models::ModelKind::Cost231) {
            j["environment"] = std::string(models::toString(mp.environment));
        }
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << std::fixed << std::setprecision(2) << "loss " << pl.loss_dB << " dB (" << models::toString(pl.model)
                  << ", " << pl.distance_m / 1000.0 << " km, "
                  << (pl.los ? (*pl.los ? "line of sight" : "obstructed") : "no terrain")
                  << (pl.mode.empty() ? "" : ", mode " + pl.mode) << ")\n";
        if (pl.clutter_loss_dB != 0.0) std::cout << "  includes P.2108 clutter loss " << pl.clutter_loss_dB << " dB\n";
        if (pl.building_entry_loss_dB != 0.0) std::cout << "  includes P.2109 building entry loss " << pl.building_entry_loss_dB << " dB\n";
        for (const auto& w : warnings) std::cout << "warning: " << w << "\n";
    }
    return 0;
}
}  // namespace

void addPathloss(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<PathlossConfig>();
    CLI::App* sub = app.add_subcommand("pathloss", "Path loss of one link over a DEM, a profile, or a distance");
    cfg->mo.environment = "urban-small";
    cfg->mo.add(sub);
    sub->add_option("--lat-deg", cfg->latitude_deg, "Path-centre latitude for P.1812 with --profile (default: from --tx/--rx, else 21)");
    sub->add_option("--freq-mhz", cfg->freq_MHz, "Frequency, MHz")->required();
    sub->add_option("--tx-height-m", cfg->tx_height_m, "Transmitter height above ground, m")->capture_default_str();
    sub->add_option("--rx-height-m", cfg->rx_height_m, "Receiver height above ground, m")->capture_default_str();
    sub->add_option("--dem", cfg->dem, "DEM raster, or a folder of tiles read as one mosaic; with --tx and --rx");
    sub->add_option("--tx", cfg->tx, "Transmitter LAT,LON (degrees)");
    sub->add_option("--rx", cfg->rx, "Receiver LAT,LON (degrees)");
    sub->add_option("--profile", cfg->profile, "Profile CSV with distance_km,height_m (transmitter first)");
    sub->add_option("--distance-km", cfg->distance_km, "Horizontal distance, km (models without terrain)");
    sub->add_flag("--json", cfg->json, "Print JSON");
    sub->add_flag("--los", cfg->los, "TR 38.901 models: force line of sight");
    sub->add_flag("--nlos", cfg->nlos, "TR 38.901 models: force non-line of sight");
    sub->callback([cfg, &ctx] { ctx.action = [cfg] { return runPathloss(*cfg); }; });
}

}  // namespace phusong::cli
