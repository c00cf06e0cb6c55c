#include "phusong/core/profile.hpp"

#include <cmath>

#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"

namespace phusong {

void extractProfile(const DemGrid& dem, PointXY a, PointXY b, double step_m, Profile& out) {
    const double dist_m = planarDistance_m(a, b);
    const int n = std::max(1, static_cast<int>(std::ceil(dist_m / step_m)));
    out.d_km.resize(static_cast<size_t>(n) + 1);
    out.h_m.resize(static_cast<size_t>(n) + 1);
    const GeoTransform& gt = dem.geoTransform();
    const double c0 = gt.colOf(a.x_m), r0 = gt.rowOf(a.y_m);
    const double dc = (gt.colOf(b.x_m) - c0) / n, dr = (gt.rowOf(b.y_m) - r0) / n;
    const double dd_km = dist_m / n / 1000.0;
    for (int i = 0; i <= n; ++i) {
        out.d_km[i] = i * dd_km;
        out.h_m[i] = sampleBilinear(dem, c0 + i * dc, r0 + i * dr);
    }
}

void extractProfileAtCrossings(const DemGrid& dem, PointXY a, PointXY b, Profile& out) {
    const GeoTransform& gt = dem.geoTransform();
    const double c0 = gt.colOf(a.x_m), r0 = gt.rowOf(a.y_m), c1 = gt.colOf(b.x_m), r1 = gt.rowOf(b.y_m);
    const double dist_km = planarDistance_m(a, b) / 1000.0;
    out.d_km.assign(1, 0.0);
    out.h_m.assign(1, sampleBilinear(dem, c0, r0));
    const bool x_major = std::abs(c1 - c0) >= std::abs(r1 - r0);
    const double m0 = x_major ? c0 : r0, m1 = x_major ? c1 : r1;
    if (m1 != m0) {
        const double dir = m1 > m0 ? 1.0 : -1.0;
        // Grid lines strictly between the ends, outward from a.
        for (double g = dir > 0 ? std::floor(m0) + 1.0 : std::ceil(m0) - 1.0; dir * (m1 - g) > 1e-9; g += dir) {
            const double t = (g - m0) / (m1 - m0);
            out.d_km.push_back(t * dist_km);
            out.h_m.push_back(x_major ? sampleBilinear(dem, g, r0 + t * (r1 - r0)) : sampleBilinear(dem, c0 + t * (c1 - c0), g));
        }
    }
    out.d_km.push_back(dist_km);
    out.h_m.push_back(sampleBilinear(dem, c1, r1));
}

Profile readProfileCsv(const std::string& path) {
    const Table t = readCsvFile(path);
    for (const char* col : {"distance_km", "height_m"}) {
        bool found = false;
        for (const auto& c : t.columns) found = found || c == col;
        if (!found) {
            throw InputError(path + ": missing column '" + col + "'; a profile CSV needs the header distance_km,height_m");
        }
    }
    Profile p;
    for (const Record& r : t.rows) {
        const double d = parseNumber(r.get("distance_km"), r.location, "distance_km");
        const double h = parseNumber(r.get("height_m"), r.location, "height_m");
        if (p.d_km.empty() && d != 0.0) {
            throw InputError(r.location + ": field 'distance_km' must start at 0 (the transmitter), got " + r.get("distance_km"));
        }
        if (!p.d_km.empty() && d <= p.d_km.back()) {
            throw InputError(r.location + ": field 'distance_km' must increase strictly along the profile");
        }
        p.d_km.push_back(d);
        p.h_m.push_back(h);
    }
    if (p.size() < 2) throw InputError(path + ": a profile needs at least 2 points (transmitter and receiver)");
    return p;
}

}  // namespace phusong
