#pragma once
/// @file raster_writer.hpp
/// Cloud-Optimized GeoTIFF writers for core grids.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/grid.hpp"
#include "phusong/io/dem.hpp"

namespace phusong::io {

/// Named classes of an integer raster, one row per pixel value: a GDAL raster attribute table
/// (gdalinfo lists it; QGIS 3.30+ and ArcGIS show it), which GDAL keeps beside a GeoTIFF in
/// PATH.aux.xml.
struct RasterClasses {
    std::vector<std::string> columns;  ///< string columns after the value; the first names the class
    std::vector<std::pair<int32_t, std::vector<std::string>>> rows;  ///< value, then one string per column
};

/// How a COG's tiles are compressed. Both are DEFLATE, which every GeoTIFF reader opens.
enum class CogCompression {
    /// Level 1 without a predictor (the default): on a province's Float32 rasters about 2.7x
    /// faster to write and 4x faster for GDAL to read than Small (bench/HISTORY.md).
    Fast,
    /// Level 6 with TIFF's predictor (floating-point for Float32, horizontal differencing for
    /// integer rasters): Float32 rasters 10-27 % smaller, for archives and sharing.
    Small,
};

/// The CogCompression called @p name ("fast" or "small"), or none.
std::optional<CogCompression> cogCompressionNamed(const std::string& name);
/// What an error about an unknown name offers instead.
inline constexpr const char* kCogCompressionChoices = "fast (DEFLATE level 1, the default) or small (DEFLATE level 6 with the predictor)";
/// cogCompressionNamed(), or an InputError naming @p what (a flag) and the choices.
CogCompression parseCogCompression(const std::string& value, const std::string& what);
const char* toString(CogCompression c);

struct RasterMeta {
    std::string description;  ///< band description, e.g. "4G RSRP best server"
    std::string unit;         ///< band unit, e.g. "dBm"
    std::map<std::string, std::string> metadata;  ///< dataset metadata (provenance)
    CogCompression compression = CogCompression::Fast;
};

/// Writes a single-band COG (DEFLATE as @p meta.compression says, 512-pixel tiles, overviews) with CRS, nodata (NaN),
/// band description and unit. Writes to a temporary name beside @p path and renames.
void writeCog(const std::string& path, const Grid<float>& grid, const Crs& crs, const RasterMeta& meta);
/// Byte variant (masks, classes); nodata is the grid's nodata value.
void writeCog(const std::string& path, const Grid<uint8_t>& grid, const Crs& crs, const RasterMeta& meta);
/// Int32 variant; nodata is the grid's nodata value. With @p classes, @p path.aux.xml holds
/// them (renamed into place before the GeoTIFF); without, a stale one is removed.
void writeCog(const std::string& path, const Grid<int32_t>& grid, const Crs& crs, const RasterMeta& meta,
              const RasterClasses& classes = {});

/// Writes an 8-bit RGB image (pixel-interleaved rows, top first) as PNG through GDAL's PNG
/// driver; temporary name and rename as for COGs.
void writePng(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb);

/// The classes stored with @p path by writeCog() (empty when it has none).
RasterClasses readClasses(const std::string& path);

/// Provenance metadata for outputs: software version and the command line.
std::map<std::string, std::string> provenance(const std::string& command_line);

}  // namespace phusong::io
