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
