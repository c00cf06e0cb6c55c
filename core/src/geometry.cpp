#include "phusong/core/geometry.hpp"

#include <algorithm>
#include <cmath>

#include "phusong/core/csv.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/grid.hpp"

namespace phusong {

double haversine_m(LatLon a, LatLon b) {
    const double p1 = deg2rad(a.lat_deg), p2 = deg2rad(b.lat_deg);
    const double dp = p2 - p1, dl = deg2rad(b.lon_deg - a.lon_deg);
    const double h = std::sin(dp / 2) * std::sin(dp / 2) + std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
    return 2.0 * kEarthRadius_m * std::asin(std::min(1.0, std::sqrt(h)));
}

int utmEpsgFor(LatLon p) {
    int zone = static_cast<int>(std::floor((p.lon_deg + 180.0) / 6.0)) + 1;
    zone = std::clamp(zone, 1, 60);
    return (p.lat_deg >= 0 ? 32600 : 32700) + zone;
}

LatLon parseLatLon(const std::string& text, const std::string& what) {
    const auto comma = text.find(',');
    if (comma == std::string::npos) {
        throw InputError(what + " = '" + text + "': expected LAT,LON in decimal degrees, e.g. 16.05,108.20");
    }
    LatLon p{parseNumber(text.substr(0, comma), what, "latitude"), parseNumber(text.substr(comma + 1), what, "longitude")};
    if (p.lat_deg < -90 || p.lat_deg > 90) {
        throw InputError(what + ": latitude " + text.substr(0, comma) + " is outside [-90, 90]; did you swap LAT and LON?");
    }
    if (p.lon_deg < -180 || p.lon_deg > 180) {
        throw InputError(what + ": longitude " + text.substr(comma + 1) + " is outside [-180, 180]");
    }
    return p;
}

double planarDistance_m(PointXY a, PointXY b) { return std::hypot(a.x_m - b.x_m, a.y_m - b.y_m); }

float sampleBilinear(const DemGrid& g, double col, double row) {
    const int c0 = static_cast<int>(std::floor(col));
    const int r0 = static_cast<int>(std::floor(row));
    const double fc = col - c0, fr = row - r0;
    double sum = 0.0, wsum = 0.0;
    const int cs[2] = {c0, c0 + 1};
    const int rs[2] = {r0, r0 + 1};
    const double wc[2] = {1.0 - fc, fc};
    const double wr[2] = {1.0 - fr, fr};
    for (int j = 0; j < 2; ++j) {
        for (int i = 0; i < 2; ++i) {
            const double w = wc[i] * wr[j];
            if (w <= 0.0) continue;
            // Clamp to the edge so that points within half a pixel of the border still sample.
            const int c = std::clamp(cs[i], 0, g.width() - 1);
            const int r = std::clamp(rs[j], 0, g.height() - 1);
            if (std::abs(cs[i] - c) > 1 || std::abs(rs[j] - r) > 1) continue;
            const float v = g.at(c, r);
            if (std::isnan(v)) continue;
            sum += w * v;
            wsum += w;
        }
    }
    if (wsum <= 0.0) return std::numeric_limits<float>::quiet_NaN();
    return static_cast<float>(sum / wsum);
}

bool hasGroundAt(const DemGrid& g, double x_m, double y_m) {
    const double col = g.geoTransform().colOf(x_m), row = g.geoTransform().rowOf(y_m);
    const bool inside = col >= -0.5 && row >= -0.5 && col <= g.width() - 0.5 && row <= g.height() - 0.5;
    return inside && !std::isnan(sampleBilinear(g, col, row));
}

}  // namespace phusong
