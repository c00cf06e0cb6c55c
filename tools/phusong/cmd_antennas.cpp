// `phusong antennas`: the shipped antenna models that a site table's antenna_model (or a
// scenario's technologies.<tech>.antenna_model) may name.
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "phusong/core/antenna.hpp"

namespace phusong::cli {

void addAntennas(CLI::App& app, Context& ctx) {
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("antennas", "List the shipped antenna models (the site table's antenna_model)");
    sub->add_flag("--json", *json, "Print the models as JSON");
    sub->callback([json, &ctx] {
        ctx.action = [json] {
            if (*json) {
                nlohmann::json out = nlohmann::json::array();
                for (const AntennaModel& m : antennaModels()) {
                    out.push_back({{"name", m.name},
                                   {"use", m.use},
                                   {"omni", m.omni},
                                   {"h_beamwidth_deg", m.omni ? nlohmann::json(nullptr) : nlohmann::json(m.h_beamwidth_deg)},
                                   {"v_beamwidth_deg", m.v_beamwidth_deg},
                                   {"gain_dbi", m.gain_dBi},
                                   {"max_attenuation_db", m.max_attenuation_dB},
                                   {"side_lobe_attenuation_db", m.side_lobe_attenuation_dB}});
                }
                std::cout << out.dump(2) << "\n";
                return 0;
            }
            std::cout << "  " << std::left << std::setw(20) << "antenna_model" << std::setw(16) << "beam H x V" << std::setw(10)
                      << "gain" << std::setw(14) << "A_m / SLA_V" << "stands for\n";
            for (const AntennaModel& m : antennaModels()) {
                std::ostringstream beam, caps;
                beam << (m.omni ? std::string("omni") : std::to_string(static_cast<int>(m.h_beamwidth_deg))) << " x "
                     << m.v_beamwidth_deg << " deg";
                caps << m.max_attenuation_dB << " / " << m.side_lobe_attenuation_dB << " dB";
                std::ostringstream gain;
                gain << std::fixed << std::setprecision(1) << m.gain_dBi << " dBi";
                std::cout << "  " << std::setw(20) << m.name << std::setw(16) << beam.str() << std::setw(10) << gain.str()
                          << std::setw(14) << caps.str() << m.use << "\n";
            }
            std::cout << "Pattern: 3GPP TR 38.901 Table 7.3-1 with these beamwidths and caps. Name one in the site table's\n"
                         "antenna_model column (with azimuth_deg for a sector antenna, without for the omni); its gain\n"
                         "applies when the row gives tx_power_dbm instead of eirp_dbm.\n";
            return 0;
        };
    });
}

}  // namespace phusong::cli
