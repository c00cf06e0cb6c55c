#pragma once
// The propagation-model flags shared by pathloss, coverage and calibrate: one registration, one
// validation, one ModelParams.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "phusong/core/models/model.hpp"

namespace phusong::cli {

struct ModelOptions {
    std::string model = "p526-bullington";
    std::string environment = "suburban";
    double k_factor = 4.0 / 3.0;
    // ITM (defaults: the customary planning values of the issue)
    double itm_epsilon = 15.0, itm_sigma = 0.005, itm_n0 = 301.0;
    int itm_climate = 5;
    std::string itm_polarization = "vertical";
    int itm_mdvar = models::itm::kAccidental;
    double itm_time = 50.0, itm_location = 50.0, itm_situation = 50.0, itm_delta_h = 90.0;
    // P.1812
    double p1812_time = 50.0, p1812_location = 50.0, p1812_sigma_l = 0.0, p1812_dn = 45.0, p1812_n0 = 325.0, p1812_clutter = 0.0;
    // Terminal losses at the receiver
    std::optional<double> clutter_loss_pct;
    std::string clutter_type;
    double clutter_height_m = 0.0;
    std::optional<double> indoor_pct;
    std::string indoor_building = "traditional";

    /// Registers --model, --environment, --k-factor, --itm-*, --p1812-*, --clutter-*, --indoor*.
    void add(CLI::App* sub);
    /// Validated ModelParams. Throws InputError naming the flag.
    models::ModelParams build() const;
};

}  // namespace phusong::cli
