#include "model_options.hpp"

#include "phusong/core/error.hpp"
#include "phusong/core/models/p2108.hpp"

namespace phusong::cli {

void ModelOptions::add(CLI::App* sub) {
    sub->add_option("--model", model, "Propagation model: " + models::modelNames())->capture_default_str();
    sub->add_option("--environment", environment, "Hata/COST-231 environment: urban-large|urban-small|suburban|open")
        ->capture_default_str();
    sub->add_option("--k-factor", k_factor, "Effective earth-radius factor (P.526 models)")->capture_default_str();
    auto* itm = sub->add_option_group("ITM", "Longley-Rice parameters");
    itm->add_option("--itm-epsilon", itm_epsilon, "ITM: relative ground permittivity")->capture_default_str();
    itm->add_option("--itm-sigma", itm_sigma, "ITM: ground conductivity, S/m")->capture_default_str();
    itm->add_option("--itm-n0", itm_n0, "ITM: surface refractivity, N-units")->capture_default_str();
    itm->add_option("--itm-climate", itm_climate,
                    "ITM: radio climate 1 equatorial, 2 continental subtropical, 3 maritime subtropical, 4 desert, "
                    "5 continental temperate, 6 maritime temperate over land, 7 over sea")
        ->capture_default_str();
    itm->add_option("--itm-polarization", itm_polarization, "ITM: vertical|horizontal")->capture_default_str();
    itm->add_option("--itm-mdvar", itm_mdvar, "ITM: variability mode 0 single message, 1 accidental, 2 mobile, 3 broadcast (+10, +20)")
        ->capture_default_str();
    itm->add_option("--itm-time", itm_time, "ITM: time percentage")->capture_default_str();
    itm->add_option("--itm-location", itm_location, "ITM: location percentage")->capture_default_str();
    itm->add_option("--itm-situation", itm_situation, "ITM: situation percentage")->capture_default_str();
    itm->add_option("--itm-delta-h", itm_delta_h, "ITM area mode (--distance-km): terrain irregularity, m")->capture_default_str();
    auto* p = sub->add_option_group("P.1812", "ITU-R P.1812 parameters");
    p->add_option("--p1812-time", p1812_time, "P.1812: time percentage, 1-50")->capture_default_str();
    p->add_option("--p1812-location", p1812_location, "P.1812: location percentage")->capture_default_str();
    p->add_option("--p1812-sigma-l", p1812_sigma_l, "P.1812: location variability, dB (0 = median)")->capture_default_str();
    p->add_option("--p1812-dn", p1812_dn, "P.1812: refractivity lapse rate DN, N-units/km")->capture_default_str();
    p->add_option("--p1812-n0", p1812_n0, "P.1812: sea-level surface refractivity N0, N-units")->capture_default_str();
    p->add_option("--p1812-clutter-m", p1812_clutter, "P.1812: representative clutter height on the path, m")
        ->capture_default_str();
    auto* t = sub->add_option_group("Terminal losses", "Added at the receiver on top of the model");
    t->add_option("--clutter-loss-pct", clutter_loss_pct,
                  "ITU-R P.2108 §3.2 terrestrial clutter loss not exceeded for this % of locations");
    t->add_option("--clutter-type", clutter_type,
                  "ITU-R P.2108 §3.1 height-gain correction for: water|open|suburban|urban|trees|dense-urban");
    t->add_option("--clutter-height-m", clutter_height_m, "P.2108 §3.1 clutter height R, m (default: Table 3)");
    t->add_option("--indoor-pct", indoor_pct, "ITU-R P.2109 building entry loss not exceeded for this % (indoor coverage)");
    t->add_option("--indoor-building", indoor_building, "P.2109 building type: traditional|thermally-efficient")
        ->capture_default_str();
}

models::ModelParams ModelOptions::build() const {
    models::ModelParams mp;
    const auto kind = models::parseModel(model);
    if (!kind) throw InputError("--model '" + model + "' is unknown; use one of " + models::modelNames());
    mp.kind = *kind;
    const auto env = models::parseEnvironment(environment);
    if (!env) throw InputError("--environment '" + environment + "' is unknown; use urban-large, urban-small, suburban or open");
    mp.environment = *env;
    if (!(k_factor > 0.0)) throw InputError("--k-factor must be positive");
    mp.k_factor = k_factor;

    mp.itm.epsilon = itm_epsilon;
    mp.itm.sigma_S_per_m = itm_sigma;
    mp.itm.N0 = itm_n0;
    if (itm_climate < 1 || itm_climate > 7) throw InputError("--itm-climate must be 1-7");
    mp.itm.climate = static_cast<models::itm::Climate>(itm_climate);
    if (itm_polarization == "vertical" || itm_polarization == "v") mp.itm.polarization = models::itm::Polarization::Vertical;
    else if (itm_polarization == "horizontal" || itm_polarization == "h") mp.itm.polarization = models::itm::Polarization::Horizontal;
    else throw InputError("--itm-polarization '" + itm_polarization + "': use vertical or horizontal");
    mp.itm.mdvar = itm_mdvar;
    mp.itm.time_pct = itm_time;
    mp.itm.location_pct = itm_location;
    mp.itm.situation_pct = itm_situation;
    if (itm_delta_h < 0.0) throw InputError("--itm-delta-h must be >= 0 m");
    mp.itm_delta_h_m = itm_delta_h;

    mp.p1812_time_pct = p1812_time;
    mp.p1812_location_pct = p1812_location;
    mp.p1812_sigma_L_dB = p1812_sigma_l;
    mp.p1812_DN = p1812_dn;
    mp.p1812_N0 = p1812_n0;
    if (p1812_clutter < 0.0) throw InputError("--p1812-clutter-m must be >= 0");
    mp.p1812_clutter_m = p1812_clutter;

    mp.p2108_location_pct = clutter_loss_pct;
    if (!clutter_type.empty()) {
        using models::p2108::ClutterType;
        static const std::pair<const char*, ClutterType> kTypes[] = {
            {"water", ClutterType::WaterSea}, {"open", ClutterType::OpenRural},       {"suburban", ClutterType::Suburban},
            {"urban", ClutterType::Urban},    {"trees", ClutterType::TreesForest}, {"dense-urban", ClutterType::DenseUrban}};
        bool found = false;
        for (const auto& [name, type] : kTypes) {
            if (clutter_type == name) mp.p2108_clutter_type = static_cast<int>(type), found = true;
        }
        if (!found) throw InputError("--clutter-type '" + clutter_type + "': use water, open, suburban, urban, trees or dense-urban");
    }
    if (clutter_height_m < 0.0) throw InputError("--clutter-height-m must be >= 0");
    mp.p2108_clutter_height_m = clutter_height_m;
    if (indoor_pct) mp.p2109_probability = *indoor_pct / 100.0;
    if (indoor_building == "thermally-efficient") mp.p2109_thermally_efficient = true;
    else if (indoor_building != "traditional") {
        throw InputError("--indoor-building '" + indoor_building + "': use traditional or thermally-efficient");
    }
    return mp;
}

}  // namespace phusong::cli
