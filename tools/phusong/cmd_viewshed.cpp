// `phusong viewshed`: line of sight from one antenna to every pixel within a radius, with the
// coverage engine's radial sweep (Byte GeoTIFF: 1 visible, 0 hidden, 255 outside).

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_util.hpp"
#include "commands.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/engine/radial.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/raster_writer.hpp"
#include "phusong/io/sites.hpp"

namespace phusong::cli {

namespace {
struct ViewshedConfig {
    std::string dem, site, site_xy, out;
    double tx_height_m = 30.0, rx_height_m = 1.5, radius_km = 10.0, k_factor = 4.0 / 3.0, resolution_m = 0.0;
    int threads = 0;
};

PointXY parseXY(const std::string& text) {
    const size_t comma = text.find(',');
    if (comma == std::string::npos) {
        throw InputError("--site-xy '" + text + "': expected X,Y in metres in the DEM's CRS, e.g. --site-xy 712345.0,4876543.0");
    }
    return {parseNumber(text.substr(0, comma), "--site-xy", "x"), parseNumber(text.substr(comma + 1), "--site-xy", "y")};
}

int runViewshed(const ViewshedConfig& cfg, const std::string& command_line) {
    if (!(cfg.radius_km > 0.0)) throw InputError("--radius-km must be positive");
    if (!(cfg.k_factor > 0.0)) throw InputError("--k-factor must be positive");
    if (cfg.tx_height_m < 0.0 || cfg.rx_height_m < 0.0) throw InputError("--tx-height-m and --rx-height-m must be >= 0 (above ground)");
    if (cfg.site.empty() == cfg.site_xy.empty()) throw InputError("give the observer as --site LAT,LON or --site-xy X,Y (one of them)");
    useThreads(cfg.threads);
    const auto t0 = std::chrono::steady_clock::now();
    io::DemLoadOptions dopt;
    dopt.resolution_m = cfg.resolution_m;
    // Only the DEM within the radius is read, and the raster covers that window (as gdal_viewshed
    // -md crops its output), on the cell edges of the whole DEM's grid.
    const std::optional<PointXY> xy = cfg.site_xy.empty() ? std::nullopt : std::optional<PointXY>(parseXY(cfg.site_xy));
    const LatLon observer = xy ? io::demPointToLatLon(cfg.dem, *xy) : parseLatLon(cfg.site, "--site");
    dopt.around = {observer};
    dopt.around_m = cfg.radius_km * 1000.0;
    dopt.around_label = "the observer " + (cfg.site.empty() ? "--site-xy " + cfg.site_xy : "--site " + cfg.site);
    dopt.bytes_per_cell = 9.0;  // the DEM (4), the visibility raster (1), the ray plan's owner of each cell (4)
    dopt.grid_fix = "use a coarser --resolution-m or a smaller --radius-km";
    const io::Terrain terrain = io::loadDem(cfg.dem, dopt);
    // The observer on the analysis grid. --site-xy is in the DEM's CRS: taken as it is when that is
    // the analysis CRS (a projected DEM read on its own grid: the point comes back from latitude and
    // longitude within a millimetre), else through its latitude and longitude (a geographic DEM, or
    // one warped to another CRS).
    PointXY site = io::Projector(terrain.crs).toXY(observer);
    if (xy && std::hypot(site.x_m - xy->x_m, site.y_m - xy->y_m) < 1e-3) site = *xy;
    if (!hasGroundAt(terrain.grid, site.x_m, site.y_m)) {
        throw InputError("the observer is outside the DEM " + cfg.dem + " or on a void; check --site / --site-xy");
    }
    const Grid<uint8_t> vs = engine::viewshed(terrain.grid, site, cfg.tx_height_m, cfg.rx_height_m, cfg.radius_km * 1000.0, cfg.k_factor,
                                                  cfg.threads);
    io::RasterMeta meta{"line of sight from the observer (1 visible, 0 hidden)", "", io::provenance(command_line)};
    io::writeCog(cfg.out, vs, terrain.crs, meta);
    long long visible = 0, hidden = 0;
    for (uint8_t v : vs.data()) {
        visible += v == 1;
        hidden += v == 0;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "phusong viewshed: " << visible << " visible, " << hidden << " hidden pixels within " << cfg.radius_km
              << " km (" << std::fixed << std::setprecision(1) << 100.0 * visible / std::max(1LL, visible + hidden)
              << " % visible), " << std::setprecision(2) << s << " s -> " << cfg.out << "\n";
    return 0;
}
}  // namespace

void addViewshed(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<ViewshedConfig>();
    CLI::App* sub = app.add_subcommand("viewshed", "Line of sight from one antenna to every pixel within a radius (Byte GeoTIFF)");
    sub->add_option("--dem", cfg->dem, "DEM raster, or a folder of tiles read as one mosaic")->required();
    sub->add_option("--site", cfg->site, "Observer LAT,LON");
    sub->add_option("--site-xy", cfg->site_xy, "Observer X,Y in the DEM's own CRS (as gdal_viewshed -ox -oy), instead of --site");
    sub->add_option("--out", cfg->out, "Output GeoTIFF (COG)")->required();
    sub->add_option("--tx-height-m", cfg->tx_height_m, "Observer above ground, m")->capture_default_str();
    sub->add_option("--rx-height-m", cfg->rx_height_m, "Target above ground, m")->capture_default_str();
    sub->add_option("--radius-km", cfg->radius_km, "Radius, km")->capture_default_str();
    sub->add_option("--k-factor", cfg->k_factor, "Effective earth-radius factor (gdal_viewshed -cc = 1/k)")->capture_default_str();
    sub->add_option("--resolution-m", cfg->resolution_m, "Analysis pixel size, m (0 = the DEM's)")->capture_default_str();
    sub->add_option("--threads", cfg->threads, "Worker threads (0 = all cores); the same raster at any count")->capture_default_str();
    sub->callback([cfg, &ctx] { ctx.action = [cfg, &ctx] { return runViewshed(*cfg, ctx.command_line); }; });
}

}  // namespace phusong::cli
