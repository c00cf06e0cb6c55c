#pragma once
/// @file vector.hpp
/// Points and polygons from any OGR vector source (GeoJSON, GeoPackage, Shapefile, ...), in
/// WGS 84. Polygons are reduced to a representative point inside them (OGR PointOnSurface) and
/// can be sampled on a grid in the analysis CRS.

#include <map>
#include <string>
#include <vector>

#include "phusong/core/geometry.hpp"
#include "phusong/io/dem.hpp"

namespace phusong::io {

struct Feature {
    std::string location;                       ///< "zones.geojson feature 3", for messages
    std::map<std::string, std::string> fields;  ///< attribute values as text, names lower-cased
    LatLon point;                               ///< the point, or a point inside the polygon
    bool polygon = false;
    std::string wkt_wgs84;                      ///< the geometry, for sampling
    LatLon bbox_min, bbox_max;                  ///< the geometry's bounding box (south-west, north-east)
};

/// Every feature of the first layer of @p path. Throws InputError naming the file.
std::vector<Feature> readFeatures(const std::string& path);

/// Whether @p path is a vector format that readFeatures handles (not CSV).
bool isVectorFile(const std::string& path);

/// Points on a @p spacing_m grid (analysis CRS) inside the polygon of @p f; at least its
/// representative point.
std::vector<PointXY> samplePolygon(const Feature& f, const Crs& crs, double spacing_m);

}  // namespace phusong::io
