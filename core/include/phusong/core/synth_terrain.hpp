#pragma once
/// @file synth_terrain.hpp
/// Deterministic synthetic terrain: ridges, valleys and a river plain, for demos, tests and benches.

#include <cstdint>

#include "phusong/core/grid.hpp"

namespace phusong {

struct SynthTerrainOptions {
    double size_km = 40.0;
    double resolution_m = 30.0;
    uint64_t seed = 7;
    /// Grid centre in the output CRS (default: WGS84 / UTM 48N near Bắc Giang, 21.3 N 106.2 E).
    double center_x_m = 625000.0;
    double center_y_m = 2356000.0;
    int epsg = 32648;
    double max_relief_m = 900.0;  ///< height of the highest ridges above the plain
};

/// Builds a square DEM. Mountains rise towards the north-east, a meandering river crosses the
/// south-west with a flat alluvial plain a few kilometres wide, and hills fill the rest.
/// Bit-identical for the same options on any machine with IEEE doubles (integer hashing, no
/// std:: distributions), and independent of the thread count.
DemGrid synthesizeTerrain(const SynthTerrainOptions& opt);

/// The side of the square terrain @p opt describes, in pixels: size over resolution, rounded.
/// InputError when either is not positive.
long long synthTerrainSide_px(const SynthTerrainOptions& opt);

}  // namespace phusong
