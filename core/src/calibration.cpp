#include "phusong/core/calibration.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>

namespace phusong::calibration {

namespace {
double x_of(const Sample& s) { return std::log10(std::max(s.distance_km, 1e-3)); }

// log of the standard normal upper tail Q(z), stable for large z.
double logQ(double z) {
    if (z < 5.0) return std::log(0.5 * std::erfc(z / std::sqrt(2.0)));
    // Asymptotic expansion of Mills' ratio.
    const double z2 = z * z;
    return -0.5 * z2 - std::log(z * std::sqrt(2.0 * M_PI)) + std::log(1.0 - 1.0 / z2 + 3.0 / (z2 * z2));
}

double negLogLikelihood(const std::vector<Sample>& s, const std::array<double, 3>& p) {
    const double sigma = std::exp(p[2]);
    double nll = 0.0;
    for (const Sample& v : s) {
        const double mu = v.predicted_dBm + p[0] + p[1] * x_of(v);
        const double z = (v.measured_dBm - mu) / sigma;
        nll += 0.5 * z * z + p[2];
        if (std::isfinite(v.floor_dBm)) nll += logQ((v.floor_dBm - mu) / sigma);  // divide by P(observed)
    }
    return nll;
}

// Nelder-Mead on three parameters (Lagarias et al. 1998 coefficients).
std::array<double, 3> nelderMead(const std::vector<Sample>& s, std::array<double, 3> start) {
    using P = std::array<double, 3>;
    std::array<P, 4> x;
    std::array<double, 4> f;
    const double steps[3] = {2.0, 2.0, 0.2};
    x[0] = start;
    for (int i = 0; i < 3; ++i) {
        x[i + 1] = start;
        x[i + 1][i] += steps[i];
    }
    for (int i = 0; i < 4; ++i) f[i] = negLogLikelihood(s, x[i]);
    for (int iter = 0; iter < 2000; ++iter) {
        std::array<int, 4> idx{0, 1, 2, 3};
        std::sort(idx.begin(), idx.end(), [&](int a, int b) { return f[a] < f[b]; });
        const int best = idx[0], worst = idx[3], second = idx[2];
        if (std::abs(f[worst] - f[best]) < 1e-10 * (1.0 + std::abs(f[best]))) break;
        P c{0, 0, 0};
        for (int k = 0; k < 3; ++k) {
            for (int j = 0; j < 3; ++j) c[j] += x[idx[k]][j] / 3.0;
        }
        auto along = [&](double t) {
            P r;
            for (int j = 0; j < 3; ++j) r[j] = c[j] + t * (x[worst][j] - c[j]);
            return r;
        };
        const P xr = along(-1.0);
        const double fr = negLogLikelihood(s, xr);
        if (fr < f[best]) {
            const P xe = along(-2.0);
            const double fe = negLogLikelihood(s, xe);
            if (fe < fr) x[worst] = xe, f[worst] = fe;
            else x[worst] = xr, f[worst] = fr;
        } else if (fr < f[second]) {
            x[worst] = xr, f[worst] = fr;
        } else {
            const P xc = fr < f[worst] ? along(-0.5) : along(0.5);
            const double fc = negLogLikelihood(s, xc);
            if (fc < std::min(fr, f[worst])) {
                x[worst] = xc, f[worst] = fc;
            } else {
                for (int k = 1; k < 4; ++k) {
                    for (int j = 0; j < 3; ++j) x[idx[k]][j] = x[best][j] + 0.5 * (x[idx[k]][j] - x[best][j]);
                    f[idx[k]] = negLogLikelihood(s, x[idx[k]]);
                }
            }
        }
    }
    return x[static_cast<size_t>(std::min_element(f.begin(), f.end()) - f.begin())];
}
}  // namespace

double corrected_dBm(const Fit& f, const Sample& s) { return s.predicted_dBm + f.offset_dB + f.slope_dB_per_decade * x_of(s); }

Fit fitLeastSquares(const std::vector<Sample>& samples) {
    Fit fit;
    const size_t n = samples.size();
    if (n == 0) return fit;
    double xmin = 1e300, xmax = -1e300;
    for (const Sample& s : samples) xmin = std::min(xmin, x_of(s)), xmax = std::max(xmax, x_of(s));
    const bool with_slope = n >= 3 && xmax - xmin > 1e-6;
    Eigen::MatrixXd A(n, with_slope ? 2 : 1);
    Eigen::VectorXd y(n);
    for (size_t i = 0; i < n; ++i) {
        A(i, 0) = 1.0;
        if (with_slope) A(i, 1) = x_of(samples[i]);
        y(i) = samples[i].measured_dBm - samples[i].predicted_dBm;
    }
    const Eigen::VectorXd beta = A.colPivHouseholderQr().solve(y);
    fit.offset_dB = beta(0);
    fit.slope_dB_per_decade = with_slope ? beta(1) : 0.0;
    const Eigen::VectorXd r = y - A * beta;
    fit.sigma_dB = std::sqrt(r.squaredNorm() / static_cast<double>(std::max<size_t>(1, n - (with_slope ? 2 : 1))));
    return fit;
}

Fit fitTruncated(const std::vector<Sample>& samples) {
    const Fit ols = fitLeastSquares(samples);
    const std::array<double, 3> p = nelderMead(samples, {ols.offset_dB, ols.slope_dB_per_decade, std::log(std::max(ols.sigma_dB, 0.5))});
    return Fit{p[0], p[1], std::exp(p[2]), true};
}

Stats errorStats(const std::vector<Sample>& samples, const Fit* fit, double lo_km, double hi_km) {
    Stats st;
    double sum = 0.0, sum2 = 0.0;
    for (const Sample& s : samples) {
        if (s.distance_km < lo_km || s.distance_km >= hi_km) continue;
        const double pred = fit ? corrected_dBm(*fit, s) : s.predicted_dBm;
        const double e = pred - s.measured_dBm;
        sum += e;
        sum2 += e * e;
        ++st.n;
    }
    if (st.n == 0) return st;
    const double n = static_cast<double>(st.n);
    st.mean_error_dB = sum / n;
    st.rmse_dB = std::sqrt(sum2 / n);
    st.std_dB = std::sqrt(std::max(0.0, sum2 / n - st.mean_error_dB * st.mean_error_dB));
    return st;
}

}  // namespace phusong::calibration
