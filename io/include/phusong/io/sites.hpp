#pragma once
/// @file sites.hpp
/// Reading the site table from CSV, GeoJSON or GeoPackage.

#include <string>
#include <vector>

#include "phusong/core/csv.hpp"
#include "phusong/core/sector.hpp"

namespace phusong::io {

/// Reads a table: `.csv` with phusong's CSV reader (keeps line numbers), anything else through
/// OGR (GeoJSON, GeoPackage, ...; the first layer). For OGR point layers without lat/lon columns,
/// lat and lon come from the geometry, transformed to WGS84. Rows are located as
/// "FILE feature N".
Table readTable(const std::string& path);

/// readTable + parseSectors.
std::vector<Sector> readSectors(const std::string& path);

}  // namespace phusong::io
