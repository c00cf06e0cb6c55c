#include "phusong/core/antenna.hpp"

#include <algorithm>
#include <cmath>

namespace phusong {

double wrapAngle_deg(double a) {
    a = std::fmod(a + 180.0, 360.0);
    if (a < 0) a += 360.0;
    return a - 180.0;
}

double ParametricPattern::attenuation_dB(double bearing_deg, double elevation_deg) const {
    double a_h = 0.0;
    if (azimuth_deg) {
        const double phi = wrapAngle_deg(bearing_deg - *azimuth_deg);
        a_h = std::min(12.0 * (phi / h_beamwidth_deg) * (phi / h_beamwidth_deg), max_attenuation_dB);  // [38.901 T7.3-1]
    }
    // theta - 90 deg in the TR's zenith convention equals -(elevation) here; tilt moves boresight down.
    const double theta_off = -elevation_deg - downtilt_deg;
    const double a_v = std::min(12.0 * (theta_off / v_beamwidth_deg) * (theta_off / v_beamwidth_deg),
                                side_lobe_attenuation_dB);  // [38.901 T7.3-1]
    return std::min(a_h + a_v, max_attenuation_dB);
}

}  // namespace phusong
