#pragma once
/// @file geometry.hpp
/// Geodesy helpers and strong types for geographic positions.

#include <string>

namespace phusong {

/// WGS84 geographic position in degrees. A struct, not a pair, so latitude and longitude
/// cannot be swapped silently.
struct LatLon {
    double lat_deg = 0.0;
    double lon_deg = 0.0;
};

/// Projected position in metres in the analysis CRS.
struct PointXY {
    double x_m = 0.0;
    double y_m = 0.0;
};

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kEarthRadius_m = 6371000.0;  ///< mean Earth radius [ITU-R P.1812-7 §3]
inline constexpr double kSpeedOfLight_m_s = 299792458.0;

inline double deg2rad(double d) { return d * kPi / 180.0; }
inline double rad2deg(double r) { return r * 180.0 / kPi; }

/// Great-circle distance by the haversine formula, metres.
double haversine_m(LatLon a, LatLon b);

/// EPSG code of the WGS84 UTM zone containing @p p (326zz north, 327zz south).
int utmEpsgFor(LatLon p);

/// Parses "LAT,LON" in degrees, checking ranges. Throws InputError naming @p what.
LatLon parseLatLon(const std::string& text, const std::string& what);

/// Horizontal distance in the projected plane, metres.
double planarDistance_m(PointXY a, PointXY b);

}  // namespace phusong
