#pragma once
/// @file profile.hpp
/// Terrain path profiles: distances and ground heights from transmitter to receiver.

#include <string>
#include <vector>

#include "phusong/core/geometry.hpp"
#include "phusong/core/grid.hpp"

namespace phusong {

/// A terrain profile. d_km[0] = 0 at the transmitter, d_km.back() = path length at the receiver;
/// h_m are ground heights above mean sea level (no earth-curvature bulge: models add it).
struct Profile {
    std::vector<double> d_km;
    std::vector<double> h_m;

    size_t size() const { return d_km.size(); }
    double length_km() const { return d_km.empty() ? 0.0 : d_km.back(); }
};

/// Samples the straight path from @p a to @p b on @p dem every at most @p step_m metres
/// (at least 2 points, both ends included) with bilinear interpolation.
/// @p out is reused to avoid allocation in loops.
void extractProfile(const DemGrid& dem, PointXY a, PointXY b, double step_m, Profile& out);

/// Samples the straight path from @p a to @p b where it crosses the grid lines of its major axis
/// (every column when it runs more east-west than north-south, else every row), interpolating
/// linearly between the two pixels there, plus both ends (bilinear). This is how the radial
/// sweep samples its rays, so the reference engine uses it to compare the two on equal terms.
void extractProfileAtCrossings(const DemGrid& dem, PointXY a, PointXY b, Profile& out);

/// Reads a profile CSV with columns distance_km,height_m (distances strictly increasing,
/// starting at 0). Throws InputError naming the file and line on bad rows.
Profile readProfileCsv(const std::string& path);

}  // namespace phusong
