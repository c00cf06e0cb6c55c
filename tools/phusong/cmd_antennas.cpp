// `phusong antennas`: the shipped antenna models that a site table's antenna_model (or a
// scenario's technologies.<tech>.antenna_model) may name, and `--export` to write one as an
// MSI/Planet file.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "phusong/core/antenna.hpp"
#include "phusong/core/error.hpp"

namespace phusong::cli {

namespace {
struct ExportConfig {
    std::string model, out;
    double electrical_tilt_deg = 0.0;
    double freq_MHz = 0.0;
};

// Writes the model's MSI text to cfg.out through a temporary file, so that a failed write
// leaves nothing behind.
int exportMsi(const ExportConfig& cfg) {
    const AntennaModel* m = findAntennaModel(cfg.model);
    if (!m) throw InputError("--export '" + cfg.model + "' is not a shipped antenna; use one of " + antennaModelNames());
    if (cfg.out.empty()) throw InputError("--export needs --out FILE.msi (the file to write)");
    if (!(std::abs(cfg.electrical_tilt_deg) <= 90.0)) {
        throw InputError("--electrical-tilt-deg " + formatNumber(cfg.electrical_tilt_deg) +
                         " is outside [-90, 90]; downtilt in degrees, positive below the horizon");
    }
    if (!(cfg.freq_MHz >= 0.0) || !std::isfinite(cfg.freq_MHz)) {
        throw InputError("--freq-mhz " + formatNumber(cfg.freq_MHz) + " must be a frequency in MHz (or 0 to leave it out)");
    }
    const std::string text = msiFromModel(*m, cfg.electrical_tilt_deg, cfg.freq_MHz);
    const std::string tmp = cfg.out + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw InputError("--out " + cfg.out + ": cannot write; check that the folder exists");
        f << text;
        f.close();
        if (!f) {
            std::filesystem::remove(tmp);
            throw Error(cfg.out + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, cfg.out, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw Error(cfg.out + ": cannot move the finished file into place (" + ec.message() + ")");
    }
    std::cout << "phusong antennas: " << m->name << " with " << formatNumber(cfg.electrical_tilt_deg)
              << " deg electrical tilt -> " << cfg.out << " (MSI/Planet, 360 + 360 points, gain "
              << formatNumber(m->gain_dBi) << " dBi)\n";
    return 0;
}
}  // namespace

void addAntennas(CLI::App& app, Context& ctx) {
    auto json = std::make_shared<bool>(false);
    auto exp = std::make_shared<ExportConfig>();
    CLI::App* sub = app.add_subcommand("antennas", "List the shipped antenna models (the site table's antenna_model), or write one as an MSI file");
    sub->add_flag("--json", *json, "Print the models as JSON");
    CLI::Option* export_opt = sub->add_option("--export", exp->model, "Write this model's pattern as an MSI/Planet file (needs --out)");
    CLI::Option* out_opt = sub->add_option("--out", exp->out, "The MSI file --export writes");
    CLI::Option* tilt_opt = sub->add_option("--electrical-tilt-deg", exp->electrical_tilt_deg,
                                            "Electrical downtilt written into the file's vertical cut (degrees, default 0)");
    CLI::Option* freq_opt = sub->add_option("--freq-mhz", exp->freq_MHz, "FREQUENCY written into the file (MHz; default none)");
    out_opt->needs(export_opt);
    tilt_opt->needs(export_opt);
    freq_opt->needs(export_opt);
    export_opt->excludes("--json");
    sub->callback([json, exp, export_opt, &ctx] {
        if (export_opt->count() > 0) {
            ctx.action = [exp] { return exportMsi(*exp); };
            return;
        }
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
                         "applies when the row gives tx_power_dbm instead of eirp_dbm. `phusong antennas --export NAME\n"
                         "--out FILE.msi [--electrical-tilt-deg T]` writes one as an MSI/Planet file.\n";
            return 0;
        };
    });
}

}  // namespace phusong::cli
