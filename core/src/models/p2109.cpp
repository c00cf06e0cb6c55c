#include "phusong/core/models/p2109.hpp"

#include <cmath>

#include "phusong/core/error.hpp"
#include "phusong/core/models/inverse_normal.hpp"

namespace phusong::models::p2109 {

double buildingEntryLoss_dB(double f_GHz, double probability, BuildingType type, double elevation_deg) {
    if (f_GHz < 0.08 || f_GHz > 100.0) throw InputError("P.2109: frequency must be 0.08-100 GHz");
    if (!(probability > 0.0 && probability < 1.0)) throw InputError("P.2109: probability must be in (0, 1)");
    // [P.2109-2 Table 1] coefficients: traditional, thermally efficient.
    const bool te = type == BuildingType::ThermallyEfficient;
    const double r = te ? 28.19 : 12.64, s = te ? -3.00 : 3.72, t = te ? 8.48 : 0.96;
    const double u = te ? 13.5 : 9.6, v = te ? 3.8 : 2.0, w = te ? 27.8 : 9.1, x = te ? -2.9 : -3.0;
    const double y = te ? 9.4 : 4.5, z = te ? -2.1 : -2.0;
    const double lf = std::log10(f_GHz);
    const double L_h = r + s * lf + t * lf * lf;             // eq. (5)
    const double L_e = 0.212 * std::abs(elevation_deg);       // eq. (6)
    const double mu_1 = L_h + L_e, mu_2 = w + x * lf;         // eq. (4)
    const double sigma_1 = u + v * lf, sigma_2 = y + z * lf;  // eq. (7)
    // F^-1(P): inverse cumulative normal, = Q^-1(1 - P).
    const double finv = inverseComplementaryNormal(1.0 - probability);
    const double A = finv * sigma_1 + mu_1, B = finv * sigma_2 + mu_2, C = -3.0;  // eqs. (2), (3)
    return 10.0 * std::log10(std::pow(10.0, 0.1 * A) + std::pow(10.0, 0.1 * B) + std::pow(10.0, 0.1 * C));  // eq. (1)
}

}  // namespace phusong::models::p2109
