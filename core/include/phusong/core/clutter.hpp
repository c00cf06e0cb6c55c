#pragma once
/// @file clutter.hpp
/// Land-cover clutter at the receiver: a class raster and a table mapping each class to a loss.

#include <map>
#include <string>

#include "phusong/core/csv.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/core/models/p2108.hpp"

namespace phusong {

/// Class code -> what the class does at the receiver. From a CSV with columns `class` and
/// `loss_db` and/or `height_m` (optional `type`, `name`), e.g. ESA WorldCover codes: 10 trees,
/// 50 built-up, 80 water.
///  - `loss_db`: a fixed loss, dB;
///  - `height_m` with `type` (water_sea, open_rural, suburban, urban, trees_forest, dense_urban):
///    the representative clutter height R of ITU-R P.2108-1 §3.1 (Table 3 gives typical values:
///    suburban 10 m, urban 15 m, trees 15 m, dense urban 20 m); a receiver below R gets the
///    height-gain terminal correction of eqs. (2a)-(6), which depends on frequency.
/// A class may have both; the losses add.
struct ClutterTable {
    std::string source;
    std::map<int, double> loss_dB;
    std::map<int, double> height_m;
    std::map<int, models::p2108::ClutterType> type;
    std::map<int, std::string> name;
    bool hasHeights() const { return !height_m.empty(); }
};

/// Validates the table: integer classes, each once, finite losses in [-10, 60] dB, heights in
/// [0, 100] m with a P.2108 type. Throws InputError naming the file, line and field.
ClutterTable parseClutterTable(const Table& table);

/// P.2108-1 §3.1 street width used with clutter heights (the Recommendation's default, 27 m).
inline constexpr double kP2108StreetWidth_m = 27.0;
/// §3.1 is defined for 0.03-3 GHz; higher carriers (5G n78) are evaluated at 3 GHz.
inline constexpr double kP2108MaxFreq_GHz = 3.0;

/// Per-pixel loss at @p freq_MHz for a receiver @p rx_height_m above ground: each class's
/// loss_db plus its P.2108 §3.1 height-gain correction. Throws as clutterLossGrid above.
Grid<float> clutterLossGrid(const Grid<float>& classes, const ClutterTable& table, const std::string& raster_path,
                            double freq_MHz, double rx_height_m);

/// Per-pixel loss from a class raster; NaN classes (no data) get no loss. Throws InputError
/// listing a class the raster has but the table lacks.
Grid<float> clutterLossGrid(const Grid<float>& classes, const ClutterTable& table, const std::string& raster_path);

}  // namespace phusong
