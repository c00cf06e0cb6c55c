// `phusong profile`: the terrain profile between two points, as CSV, with the line of sight
// and the first Fresnel zone over the effective (k-factor) earth.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/plot.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/core/profile.hpp"

namespace phusong::cli {

namespace {
struct ProfileConfig {
    std::string dem, tx, rx, out, png;
    double tx_height_m = 30.0, rx_height_m = 1.5, freq_MHz = 900.0, k_factor = 4.0 / 3.0;
};

int runProfile(const ProfileConfig& cfg) {
    if (!(cfg.freq_MHz > 0.0)) throw InputError("--freq-mhz must be positive");
    if (!(cfg.k_factor > 0.0)) throw InputError("--k-factor must be positive");
    const Profile pr = profileFromDem(cfg.dem, cfg.tx, cfg.rx);
    const double d = pr.length_km();
    const double ae_km = cfg.k_factor * kEarthRadius_m / 1000.0;
    const double hts = pr.h_m.front() + cfg.tx_height_m, hrs = pr.h_m.back() + cfg.rx_height_m;
    const double lambda_m = kSpeedOfLight_m_s / (cfg.freq_MHz * 1e6);
    const std::string tmp = cfg.out + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream f(tmp);
        if (!f) throw InputError("--out " + cfg.out + ": cannot write; check the folder exists");
        // distance_km,height_m first: the file is a valid `pathloss --profile` input.
        f << "distance_km,height_m,earth_bulge_m,los_height_m,fresnel1_radius_m\n" << std::fixed << std::setprecision(3);
        for (size_t i = 0; i < pr.size(); ++i) {
            const double di = pr.d_km[i], d2 = d - di;
            const double bulge = 1000.0 * di * d2 / (2.0 * ae_km);  // effective-earth bulge, m
            // The straight ray drawn over a flat profile: its height above the curved earth drops by the bulge.
            const double ray = d > 0 ? hts + (hrs - hts) * di / d - bulge : hts;
            const double fresnel = d > 0 ? std::sqrt(lambda_m * di * d2 * 1000.0 / d) : 0.0;  // r1 = sqrt(lambda d1 d2 / d)
            f << std::setprecision(6) << di << std::setprecision(3) << "," << pr.h_m[i] << "," << bulge << "," << ray << ","
              << fresnel << "\n";
        }
        if (!f) throw Error(cfg.out + ": write failed");
    }
    if (!cfg.png.empty()) {
        // Earth bulge added to the terrain so that the line of sight is straight, as on a
        // path-profile chart; the first Fresnel zone drawn around it.
        std::vector<double> x, terrain, los, up, down;
        double lo = 1e300, hi = -1e300;
        for (size_t i = 0; i < pr.size(); ++i) {
            const double di = pr.d_km[i], d2 = d - di;
            const double bulge = 1000.0 * di * d2 / (2.0 * ae_km);
            const double ray = d > 0 ? hts + (hrs - hts) * di / d : hts;
            const double r1 = d > 0 ? std::sqrt(lambda_m * di * d2 * 1000.0 / d) : 0.0;
            x.push_back(di);
            terrain.push_back(pr.h_m[i] + bulge);
            los.push_back(ray);
            up.push_back(ray + r1);
            down.push_back(ray - r1);
            lo = std::min({lo, terrain.back(), down.back()});
            hi = std::max({hi, terrain.back(), up.back()});
        }
        const double pad = 0.08 * std::max(hi - lo, 10.0);
        plot::Canvas canvas(1000, 420);
        plot::Chart chart(canvas, 0.0, std::max(d, 1e-3), lo - pad, hi + pad);
        chart.fillBelow(x, terrain, {181, 150, 110});
        chart.axes("distance (km)", "height (m)", "Path profile, k = " + std::to_string(cfg.k_factor).substr(0, 4));
        chart.polyline(x, up, {70, 110, 220});
        chart.polyline(x, down, {70, 110, 220});
        chart.polyline(x, los, {210, 40, 40}, 2);
        chart.legend({{"terrain + earth bulge", {181, 150, 110}}, {"line of sight", {210, 40, 40}}, {"1st Fresnel zone", {70, 110, 220}}});
        try {
            io::writePng(cfg.png, canvas.width(), canvas.height(), canvas.pixels());
        } catch (...) {
            std::filesystem::remove(tmp);  // no partial output
            throw;
        }
    }
    std::filesystem::rename(tmp, cfg.out);
    std::cout << "phusong profile: " << pr.size() << " points over " << std::fixed << std::setprecision(3) << d << " km -> "
              << cfg.out << "\n";
    return 0;
}
}  // namespace

void addProfile(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<ProfileConfig>();
    CLI::App* sub = app.add_subcommand("profile", "Write the terrain profile between two points as CSV");
    sub->add_option("--dem", cfg->dem, "DEM raster, or a folder of tiles read as one mosaic")->required();
    sub->add_option("--tx", cfg->tx, "Transmitter LAT,LON")->required();
    sub->add_option("--rx", cfg->rx, "Receiver LAT,LON")->required();
    sub->add_option("--out", cfg->out, "Output CSV")->required();
    sub->add_option("--tx-height-m", cfg->tx_height_m, "Transmitter above ground, m")->capture_default_str();
    sub->add_option("--rx-height-m", cfg->rx_height_m, "Receiver above ground, m")->capture_default_str();
    sub->add_option("--freq-mhz", cfg->freq_MHz, "Frequency for the Fresnel zone, MHz")->capture_default_str();
    sub->add_option("--k-factor", cfg->k_factor, "Effective earth-radius factor")->capture_default_str();
    sub->add_option("--png", cfg->png, "Also draw the profile, line of sight and first Fresnel zone to this PNG");
    sub->callback([cfg, &ctx] { ctx.action = [cfg] { return runProfile(*cfg); }; });
}

}  // namespace phusong::cli
