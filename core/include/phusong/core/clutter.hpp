#pragma once
/// @file clutter.hpp
/// Land-cover clutter at the receiver: a class raster and a table mapping each class to a loss.

#include <map>
#include <string>

#include "phusong/core/csv.hpp"
#include "phusong/core/grid.hpp"

namespace phusong {

/// Class code -> loss at the receiver, dB. From a CSV with columns `class,loss_db` (optional
/// `name`), e.g. ESA WorldCover codes: 10 trees, 50 built-up, 80 water.
struct ClutterTable {
    std::string source;
    std::map<int, double> loss_dB;
    std::map<int, std::string> name;
};

/// Validates the table: integer classes, each once, finite losses in [-10, 60] dB. Throws
/// InputError naming the file, line and field.
ClutterTable parseClutterTable(const Table& table);

/// Per-pixel loss from a class raster; NaN classes (no data) get no loss. Throws InputError
/// listing a class the raster has but the table lacks.
Grid<float> clutterLossGrid(const Grid<float>& classes, const ClutterTable& table, const std::string& raster_path);

}  // namespace phusong
