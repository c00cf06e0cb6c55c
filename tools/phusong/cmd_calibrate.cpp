// `phusong calibrate`: fit a model's offset and distance slope to measured signal levels and
// report the error before and after, overall and by distance band (JSON, table, PNG).

#include <omp.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "model_options.hpp"
#include "phusong/core/calibration.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/core/plot.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/io/sites.hpp"

namespace phusong::cli {

namespace {

struct CalibrateConfig {
    ModelOptions mo;
    std::string measurements, dem, sites, out;
    double tx_height_m = 15.0, rx_height_m = 1.5;
    std::optional<double> eirp_dBm, floor_dBm, freq_MHz;
    bool no_censoring = false;
};

// First present column of @p names, or "".
std::string pick(const Table& t, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        for (const auto& c : t.columns) {
            if (c == n) return c;
        }
    }
    return "";
}

// Semtech SX1276 sensitivity at 125 kHz per spreading factor (datasheet Table 13), dBm.
double loraSensitivity_dBm(int sf) {
    static const std::map<int, double> kSens = {{6, -118.0}, {7, -123.0}, {8, -126.0}, {9, -129.0},
                                                {10, -132.0}, {11, -134.5}, {12, -137.0}};
    const auto it = kSens.find(sf);
    return it == kSens.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

struct Tx {
    LatLon pos;
    double height_m, freq_MHz, eirp_dBm;
};

int runCalibrate(const CalibrateConfig& cfg) {
    models::ModelParams mp = cfg.mo.build();
    if (!(cfg.rx_height_m > 0.0) || !(cfg.tx_height_m > 0.0)) throw InputError("--tx-height-m and --rx-height-m must be positive");
    const Table t = readCsvFile(cfg.measurements);
    const std::string rssi_col = pick(t, {"rssi_dbm", "rssi"});
    if (rssi_col.empty()) throw InputError(cfg.measurements + ": missing column 'rssi_dbm' (measured signal, dBm)");
    for (const char* c : {"lat", "lon"}) {
        if (pick(t, {c}).empty()) throw InputError(cfg.measurements + ": missing column '" + c + "' (measurement position)");
    }
    // Transmitter per row: from --sites by site_id, or from the row's own columns.
    std::map<std::string, Tx> site_tx;
    if (!cfg.sites.empty()) {
        for (const Sector& s : io::readSectors(cfg.sites)) site_tx.emplace(s.site_id, Tx{s.position, s.antenna_height_m, s.freq_MHz, s.eirp_dBm});
        if (pick(t, {"site_id"}).empty()) throw InputError(cfg.measurements + ": with --sites, a 'site_id' column must name each row's transmitter");
    }
    const std::string txlat = pick(t, {"tx_lat", "gw_lat", "site_lat"}), txlon = pick(t, {"tx_lon", "gw_lon", "site_lon"});
    const std::string freq_col = pick(t, {"freq_mhz", "frequency"}), eirp_col = pick(t, {"eirp_dbm", "tx_eirp_dbm"});
    const std::string txh_col = pick(t, {"tx_height_m", "antenna_height_m"}), floor_col = pick(t, {"floor_dbm"});
    const std::string sf_col = pick(t, {"spreading_factor", "sf"});
    if (cfg.sites.empty() && (txlat.empty() || txlon.empty())) {
        throw InputError(cfg.measurements + ": missing transmitter position; add tx_lat,tx_lon columns or give --sites with a site_id column");
    }
    if (cfg.sites.empty() && freq_col.empty() && !cfg.freq_MHz) throw InputError(cfg.measurements + ": no 'freq_mhz' column; add one or give --freq-mhz");
    if (cfg.sites.empty() && eirp_col.empty() && !cfg.eirp_dBm) throw InputError(cfg.measurements + ": no 'eirp_dbm' column; add one or give --eirp-dbm");

    struct Row {
        Tx tx;
        LatLon rx;
        double rssi, floor;
    };
    std::vector<Row> rows;
    rows.reserve(t.rows.size());
    for (const Record& r : t.rows) {
        Row row{};
        row.rx = {parseNumber(r.get("lat"), r.location, "lat"), parseNumber(r.get("lon"), r.location, "lon")};
        if (std::abs(row.rx.lat_deg) > 90.0 || std::abs(row.rx.lon_deg) > 180.0) throw InputError(r.location + ": lat/lon out of range");
        row.rssi = parseNumber(r.get(rssi_col), r.location, rssi_col);
        if (!cfg.sites.empty()) {
            const auto it = site_tx.find(r.get("site_id"));
            if (it == site_tx.end()) throw InputError(r.location + ": site_id '" + r.get("site_id") + "' is not in " + cfg.sites);
            row.tx = it->second;
        } else {
            row.tx.pos = {parseNumber(r.get(txlat), r.location, txlat), parseNumber(r.get(txlon), r.location, txlon)};
            row.tx.height_m = txh_col.empty() ? cfg.tx_height_m : parseNumber(r.get(txh_col), r.location, txh_col);
            double f = cfg.freq_MHz ? *cfg.freq_MHz : parseNumber(r.get(freq_col), r.location, freq_col);
            if (f > 1e5) f /= 1e6;  // a 'frequency' column in Hz
            row.tx.freq_MHz = f;
            row.tx.eirp_dBm = cfg.eirp_dBm ? *cfg.eirp_dBm : parseNumber(r.get(eirp_col), r.location, eirp_col);
        }
        row.floor = std::numeric_limits<double>::quiet_NaN();
        if (cfg.floor_dBm) row.floor = *cfg.floor_dBm;
        else if (!floor_col.empty()) row.floor = parseNumber(r.get(floor_col), r.location, floor_col);
        else if (!sf_col.empty()) row.floor = loraSensitivity_dBm(static_cast<int>(parseNumber(r.get(sf_col), r.location, sf_col)));
        models::checkFrequency(mp, row.tx.freq_MHz, r.location + ": frequency");
        rows.push_back(row);
    }
    if (rows.empty()) throw InputError(cfg.measurements + ": no measurements");

    // Only the DEM around the measurements and their transmitters is read (every path lies in
    // the bounding box of its two ends).
    io::DemLoadOptions dopt;
    for (const Row& row : rows) dopt.around.insert(dopt.around.end(), {row.rx, row.tx.pos});
    dopt.around_label = "the measurements of " + cfg.measurements + " and their transmitters";
    const io::Terrain terrain = io::loadDem(cfg.dem, dopt);
    io::Projector proj(terrain.crs);
    mp.latitude_deg = rows.front().rx.lat_deg;
    const double step_m = terrain.grid.geoTransform().pixel_width_m;
    std::vector<PointXY> txy(rows.size()), rxy(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) txy[i] = proj.toXY(rows[i].tx.pos), rxy[i] = proj.toXY(rows[i].rx);

    // Predictions, in parallel; each sample is independent, so any thread count gives the same.
    std::vector<calibration::Sample> all(rows.size());
    std::vector<int> status(rows.size(), 0);  // 0 ok, 1 off the DEM, 2 closer than one pixel
    ParallelErrors errors;  // a model's InputError leaves the region through it
#pragma omp parallel
    {
        Profile pr;
#pragma omp for schedule(dynamic, 64)
        for (long i = 0; i < static_cast<long>(rows.size()); ++i) errors.run(i, [&] {
            const Row& row = rows[i];
            if (!hasGroundAt(terrain.grid, txy[i].x_m, txy[i].y_m) || !hasGroundAt(terrain.grid, rxy[i].x_m, rxy[i].y_m)) {
                status[i] = 1;
                return;
            }
            const double d_m = std::hypot(rxy[i].x_m - txy[i].x_m, rxy[i].y_m - txy[i].y_m);
            if (d_m < step_m) {
                status[i] = 2;
                return;
            }
            extractProfile(terrain.grid, txy[i], rxy[i], step_m, pr);
            const models::PathLoss pl = models::pathLossOverProfile(mp, pr, row.tx.height_m, cfg.rx_height_m, row.tx.freq_MHz);
            all[i] = {d_m / 1000.0, row.rssi, row.tx.eirp_dBm - pl.loss_dB, row.floor};
        });
    }
    errors.rethrow();
    std::vector<calibration::Sample> samples;
    size_t off_dem = 0, too_close = 0;
    bool floors_known = true;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (status[i] == 1) ++off_dem;
        else if (status[i] == 2) ++too_close;
        else {
            samples.push_back(all[i]);
            floors_known = floors_known && std::isfinite(all[i].floor_dBm);
        }
    }
    if (samples.size() < 3) throw InputError(cfg.measurements + ": fewer than 3 measurements lie on the DEM at least one pixel from their transmitter");

    const calibration::Fit ols = calibration::fitLeastSquares(samples);
    const bool censored = floors_known && !cfg.no_censoring;
    const calibration::Fit fit = censored ? calibration::fitTruncated(samples) : ols;

    const std::vector<std::pair<double, double>> bands = {{0, 0.5}, {0.5, 1}, {1, 2}, {2, 5}, {5, 10}, {10, 1e9}};
    auto statsJson = [](const calibration::Stats& s) {
        return nlohmann::json{{"n", s.n}, {"mean_error_db", s.mean_error_dB}, {"std_db", s.std_dB}, {"rmse_db", s.rmse_dB}};
    };
    auto fitJson = [](const calibration::Fit& f) {
        return nlohmann::json{{"offset_db", f.offset_dB}, {"slope_db_per_decade", f.slope_dB_per_decade}, {"sigma_db", f.sigma_dB},
                              {"method", f.truncated ? "truncated-normal maximum likelihood" : "least squares"}};
    };
    nlohmann::json jb = nlohmann::json::array();
    for (auto [lo, hi] : bands) {
        jb.push_back({{"from_km", lo}, {"to_km", hi >= 1e9 ? nlohmann::json(nullptr) : nlohmann::json(hi)},
                      {"before", statsJson(calibration::errorStats(samples, nullptr, lo, hi))},
                      {"after", statsJson(calibration::errorStats(samples, &fit, lo, hi))}});
    }
    const calibration::Stats before = calibration::errorStats(samples, nullptr), after = calibration::errorStats(samples, &fit);
    const nlohmann::json j = {
        {"model", std::string(models::toString(mp.kind))},
        {"measurements_file", cfg.measurements},
        {"dem", cfg.dem},
        {"samples_used", samples.size()},
        {"skipped_off_dem", off_dem},
        {"skipped_closer_than_one_pixel", too_close},
        {"error_convention", "predicted minus measured, dB (positive: model optimistic)"},
        {"censoring", censored ? "rows carry a detection floor (floor_dbm, spreading_factor or --floor-dbm): fitted by truncated regression"
                               : "no detection floor known: least squares (biased toward strong signals if only received packets were logged)"},
        {"fit", fitJson(fit)},
        {"least_squares_fit", fitJson(ols)},
        {"correction", "predicted_dBm + offset_db + slope_db_per_decade * log10(d_km)"},
        {"before", statsJson(before)},
        {"after", statsJson(after)},
        {"by_distance_band", jb}};

    io::StagedOutput stage(cfg.out);
    {
        std::ofstream f(stage.path("calibration.json"));
        f << j.dump(2) << "\n";
        if (!f) throw Error(stage.finalPath("calibration.json") + ": cannot write");
    }
    // Error against distance, before and after.
    double emin = 1e300, emax = -1e300, xmin = 1e300, xmax = -1e300;
    std::vector<double> xb, eb, ea;
    for (const auto& s : samples) {
        xb.push_back(std::log10(s.distance_km));
        eb.push_back(s.predicted_dBm - s.measured_dBm);
        ea.push_back(calibration::corrected_dBm(fit, s) - s.measured_dBm);
        emin = std::min({emin, eb.back(), ea.back()}), emax = std::max({emax, eb.back(), ea.back()});
        xmin = std::min(xmin, xb.back()), xmax = std::max(xmax, xb.back());
    }
    plot::Canvas canvas(1000, 520);
    plot::Chart chart(canvas, xmin - 0.05, xmax + 0.05, std::max(emin, -60.0) - 2.0, std::min(emax, 60.0) + 2.0);
    chart.axes("log10 distance (km)", "predicted - measured (dB)", "Calibration of " + std::string(models::toString(mp.kind)));
    for (size_t i = 0; i < xb.size(); ++i) chart.marker(xb[i], eb[i], {230, 140, 40}, 1);
    for (size_t i = 0; i < xb.size(); ++i) chart.marker(xb[i], ea[i], {40, 90, 200}, 1);
    chart.polyline({xmin, xmax}, {0.0, 0.0}, {0, 0, 0}, 1);
    chart.legend({{"before", {230, 140, 40}}, {"after", {40, 90, 200}}});
    io::writePng(stage.path("calibration.png"), canvas.width(), canvas.height(), canvas.pixels());
    stage.commit();

    auto row = [](const std::string& name, const calibration::Stats& b, const calibration::Stats& a) {
        std::cout << "  " << std::left << std::setw(12) << name << std::right << std::setw(6) << b.n << std::fixed << std::setprecision(1)
                  << std::setw(9) << b.mean_error_dB << std::setw(7) << b.std_dB << std::setw(7) << b.rmse_dB << "   "
                  << std::setw(9) << a.mean_error_dB << std::setw(7) << a.std_dB << std::setw(7) << a.rmse_dB << "\n";
    };
    std::cout << "phusong calibrate: " << models::toString(mp.kind) << ", " << samples.size() << " samples (" << off_dem
              << " off the DEM, " << too_close << " within one pixel of the transmitter skipped)\n"
              << std::fixed << std::setprecision(2) << "  fit: offset " << fit.offset_dB << " dB, slope " << fit.slope_dB_per_decade
              << " dB/decade, sigma " << fit.sigma_dB << " dB (" << (fit.truncated ? "truncated regression" : "least squares") << ")\n"
              << "  band          n      mean    std   rmse  |   mean    std   rmse   (before | after, dB)\n";
    row("all", before, after);
    for (auto [lo, hi] : bands) {
        std::ostringstream name;
        name << lo << (hi >= 1e9 ? "+ km" : "-" + std::to_string(static_cast<int>(hi)) + " km");
        if (hi < 1) name.str(std::to_string(lo).substr(0, 3) + "-0.5 km");
        row(name.str(), calibration::errorStats(samples, nullptr, lo, hi), calibration::errorStats(samples, &fit, lo, hi));
    }
    std::cout << "  outputs: " << stage.finalPath("") << " (calibration.json, calibration.png)\n";
    return 0;
}
}  // namespace

void addCalibrate(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<CalibrateConfig>();
    CLI::App* sub = app.add_subcommand("calibrate", "Fit a model's offset and distance slope to measured signal levels");
    sub->add_option("--measurements", cfg->measurements,
                    "CSV with lat, lon, rssi_dbm and the transmitter (tx_lat, tx_lon, [tx_height_m], freq_mhz, eirp_dbm) or site_id")
        ->required();
    sub->add_option("--dem", cfg->dem, "DEM raster (or a folder of tiles) covering transmitters and measurements")->required();
    sub->add_option("--out", cfg->out, "Output directory (calibration.json, calibration.png)")->required();
    sub->add_option("--sites", cfg->sites, "Site table; each measurement's site_id names its transmitter");
    sub->add_option("--tx-height-m", cfg->tx_height_m, "Transmitter height above ground when the file has none, m")->capture_default_str();
    sub->add_option("--rx-height-m", cfg->rx_height_m, "Receiver height above ground, m")->capture_default_str();
    sub->add_option("--eirp-dbm", cfg->eirp_dBm, "Transmitter EIRP when the file has no eirp_dbm column, dBm");
    sub->add_option("--freq-mhz", cfg->freq_MHz, "Frequency when the file has no freq_mhz column, MHz");
    sub->add_option("--floor-dbm", cfg->floor_dBm,
                    "Detection floor: weaker signals were never logged (default: floor_dbm column, or LoRa sensitivity from spreading_factor)");
    sub->add_flag("--no-censoring", cfg->no_censoring, "Fit by least squares even when detection floors are known");
    cfg->mo.add(sub);
    sub->callback([cfg, &ctx] { ctx.action = [cfg] { return runCalibrate(*cfg); }; });
}

}  // namespace phusong::cli
