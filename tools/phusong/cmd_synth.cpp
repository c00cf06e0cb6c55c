#include <iostream>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/synth_terrain.hpp"
#include "phusong/io/raster_writer.hpp"

namespace phusong::cli {

void addSynthTerrain(CLI::App& app, Context& ctx) {
    auto opt = std::make_shared<SynthTerrainOptions>();
    auto out = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("synth-terrain", "Generate a deterministic synthetic DEM (ridges, valleys, a river plain)");
    sub->add_option("--out", *out, "Output GeoTIFF")->required();
    sub->add_option("--size-km", opt->size_km, "Side of the square, km")->capture_default_str();
    sub->add_option("--resolution-m", opt->resolution_m, "Pixel size, m")->capture_default_str();
    sub->add_option("--seed", opt->seed, "Random seed")->capture_default_str();
    sub->add_option("--epsg", opt->epsg, "Projected CRS of the output")->capture_default_str();
    sub->add_option("--center-x-m", opt->center_x_m, "Centre easting in that CRS")->capture_default_str();
    sub->add_option("--center-y-m", opt->center_y_m, "Centre northing in that CRS")->capture_default_str();
    sub->callback([opt, out, &ctx] {
        ctx.action = [opt, out, &ctx] {
            const io::Crs crs = io::Crs::fromEpsg(opt->epsg);
            const long long side = synthTerrainSide_px(*opt);
            io::checkGridFits(side, side, opt->resolution_m, 12.0, "the terrain",  // the grid and the COG writer's copy and overviews
                              "use a coarser --resolution-m or a smaller --size-km");
            const DemGrid dem = synthesizeTerrain(*opt);
            io::RasterMeta meta{"elevation above mean sea level (synthetic, seed " + std::to_string(opt->seed) + ")", "m",
                                io::provenance(ctx.command_line)};
            io::writeCog(*out, dem, crs, meta);
            std::cout << "phusong synth-terrain: " << *out << " (" << dem.width() << "x" << dem.height() << " px, "
                      << opt->resolution_m << " m, EPSG:" << opt->epsg << ")\n";
            return 0;
        };
    });
}

}  // namespace phusong::cli
