#pragma once
/// @file void_fill.hpp
/// Filling of DEM voids (NaN cells) by interpolation.

#include <cstdint>
#include <vector>

#include "phusong/core/grid.hpp"

namespace phusong {

/// Fills every NaN cell of @p dem by inverse-distance weighting of the nearest valid cell found
/// along each of the 8 compass directions (the scheme of GDAL's FillNodata, in one pass so the
/// result does not depend on visiting order). Cells with no valid cell within
/// @p max_search_px in any direction stay NaN. Cells where @p skip (one byte per cell, row by row)
/// is non-zero are left as they are (nodata outside the DEM's footprint: not a void).
/// @return the number of cells filled.
long long fillVoids(DemGrid& dem, int max_search_px = 2000, const std::vector<uint8_t>* skip = nullptr);

}  // namespace phusong
