#pragma once
/// @file gis.hpp
/// What GIS users open: QGIS style sidecars (.qml) beside the COGs, KMZ ground overlays with a
/// legend for Google Earth, coverage polygons and village points in GeoPackage, and web-map
/// overlays (PNG in Web Mercator) for the HTML report. Everything is written to a temporary name
/// and renamed into place.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/geometry.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/core/technology.hpp"

namespace phusong::io {

/// One class of a discrete colour ramp: pixels <= upper (and above the previous class) get the
/// colour. The last class has upper = +inf.
struct ColorClass {
    double upper;
    uint8_t r, g, b, a;
    std::string label;
};

struct ColorRamp {
    std::string title;  ///< "4G RSRP (dBm)"
    std::vector<ColorClass> classes;
    /// The class colour of @p v, or fully transparent for NaN.
    const ColorClass* classify(double v) const;
};

/// Signal ramp: transparent below @p threshold_dBm, then 10 dB classes up to threshold + 40.
ColorRamp signalRamp(Technology t, double threshold_dBm);
/// SINR ramp (dB): < 0, 0-5, 5-10, 10-20, >= 20.
ColorRamp sinrRamp(Technology t);
/// Overlap count ramp: 1, 2, 3, 4+.
ColorRamp overlapRamp(Technology t);
/// Throughput ramp (Mbit/s).
ColorRamp throughputRamp(Technology t, double peak_Mbps);
/// Location probability ramp (%): transparent up to 50 %, then 50-75, 75-90, 90-95, above 95.
ColorRamp probabilityRamp(Technology t);

/// The QGIS 3 style document (singleband pseudocolor, discrete ramp with labels).
std::string qmlDocument(const ColorRamp& ramp);
/// Writes qmlDocument beside @p raster_path, same name with .qml: QGIS applies it on opening.
void writeQml(const std::string& raster_path, const ColorRamp& ramp);

/// The technology of a coverage raster named @p stem after @p prefix (`signal_` of `signal_4G` or
/// `signal_4G_viettel`), or none when the name does not start with the prefix and a technology.
std::optional<Technology> rasterTechnology(const std::string& stem, const std::string& prefix);
/// The colour ramp of a coverage raster named @p stem (`signal_4G`, `second_signal_3G_viettel`,
/// `sinr_4G`, `overlap_2G`, `throughput_5G`, `coverage_probability_4G`, ...), signal ramps from
/// the technology's @p threshold_dBm; none for best-server rasters (writeServerQml) and for names
/// that are not coverage rasters.
std::optional<ColorRamp> coverageRamp(const std::string& stem, const std::function<double(Technology)>& threshold_dBm);
/// Writes a QGIS style beside every coverage raster (`*.tif`) in @p dir: coverageRamp's ramp, or
/// the paletted best-server style. Returns how many.
int writeCoverageStyles(const std::filesystem::path& dir, const std::function<double(Technology)>& threshold_dBm);

/// A colour per class (index into a palette of @p palette_size) such that classes whose pixels
/// touch in @p labels (4-neighbourhood) differ wherever the palette allows: greedy in the order of
/// @p values, each class taking the first colour none of its coloured neighbours has, or else the
/// one whose classes share the shortest boundary with it. Pixels of values not listed (nodata)
/// are ignored.
std::vector<int> classColours(const Grid<int32_t>& labels, const std::vector<int32_t>& values, int palette_size);

/// Writes a QGIS paletted style beside a best-server raster written with its classes
/// (writeCog(..., RasterClasses)): one entry per server, labelled by the first class column
/// (site_id), coloured by classColours() so that neighbouring service areas differ.
void writeServerQml(const std::string& raster_path, const std::string& title);

/// KMZ (doc.kml, overlay.png, legend.png): the raster warped to WGS 84 (at most @p max_px on its
/// long side), coloured by @p ramp, as a GroundOverlay, and the legend as a ScreenOverlay.
void writeKmz(const std::string& kmz_path, const std::string& raster_path, const ColorRamp& ramp, const std::string& name,
              int max_px = 2048);

struct WebOverlay {
    double south = 0, west = 0, north = 0, east = 0;  ///< WGS 84 bounds of the image (Web Mercator pixels)
    int width = 0, height = 0;
};
/// The raster warped to Web Mercator (at most @p max_px on its long side), coloured, as RGBA PNG.
WebOverlay writeWebOverlay(const std::string& png_path, const std::string& raster_path, const ColorRamp& ramp, int max_px = 1400);

/// A grey hillshade of a DEM in Web Mercator (the report's base map: no tiles, no network).
WebOverlay writeHillshadeOverlay(const std::string& png_path, const std::string& dem_path, int max_px = 1400);

/// A legend image (classes as swatches with their labels) as RGBA PNG.
void writeLegendPng(const std::string& png_path, const ColorRamp& ramp);

/// Polygons where the raster is >= each threshold, one feature per threshold (dissolved), into
/// layer @p layer of the GeoPackage @p gpkg_path (created or appended to), in the raster's CRS.
/// Fields: tech, measure, threshold_dbm, area_km2.
void writeCoveragePolygons(const std::string& gpkg_path, const std::string& layer, const std::string& raster_path,
                           Technology tech, const std::vector<double>& thresholds_dBm);

/// A point layer in WGS 84. Columns are written as text, integer or real as declared.
struct PointLayer {
    struct Column {
        std::string name;
        char type;  ///< 's' text, 'i' integer, 'r' real
    };
    std::string name;
    std::vector<Column> columns;
    std::vector<LatLon> points;
    std::vector<std::vector<std::string>> values;  ///< per point, per column ("" = null)
};
/// Writes (or appends) the layer to a GeoPackage.
void writePointLayer(const std::string& gpkg_path, const PointLayer& layer);
/// A polygon layer in WGS 84 (rings as lat/lon), same column rules.
struct PolygonLayer {
    std::string name;
    std::vector<PointLayer::Column> columns;
    std::vector<std::vector<LatLon>> rings;
    std::vector<std::vector<std::string>> values;
};
void writePolygonLayer(const std::string& gpkg_path, const PolygonLayer& layer);

/// Band 1 of a raster as floats (NaN at nodata), with its grid and CRS.
struct FloatRaster {
    Grid<float> grid;
    Crs crs;
};
FloatRaster readFloatRaster(const std::string& raster_path);

/// Sets @p grid to NaN outside the union of the polygons (WKT in WGS 84); returns the cells kept.
long long maskOutside(DemGrid& grid, const Crs& crs, const std::vector<std::string>& polygons_wkt_wgs84);

/// Values of band 1 of @p raster_path at each point (NaN outside or at nodata).
std::vector<double> sampleRaster(const std::string& raster_path, const std::vector<LatLon>& points);

}  // namespace phusong::io
