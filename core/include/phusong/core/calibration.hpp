#pragma once
/// @file calibration.hpp
/// Fitting a propagation model to drive-test or IoT measurements: an offset and a distance slope,
///   measured = predicted + offset_dB + slope_dB_per_decade * log10(d / 1 km) + e,
/// by ordinary least squares, or, when the receiver only logs what it could decode, by maximum
/// likelihood for a normal error truncated at each sample's detection floor (truncated regression,
/// Hausman & Wise 1977), which removes the bias that censoring gives least squares at range.

#include <cstddef>
#include <limits>
#include <vector>

namespace phusong::calibration {

struct Sample {
    double distance_km = 0.0;
    double measured_dBm = 0.0;
    double predicted_dBm = 0.0;
    /// Detection floor below which nothing would have been logged; NaN when unknown.
    double floor_dBm = std::numeric_limits<double>::quiet_NaN();
};

struct Fit {
    double offset_dB = 0.0;
    double slope_dB_per_decade = 0.0;
    double sigma_dB = 0.0;  ///< residual standard deviation (of the untruncated error for the MLE)
    bool truncated = false; ///< maximum-likelihood fit with detection floors
};

/// Error statistics of prediction minus measurement (positive: the model is optimistic).
struct Stats {
    size_t n = 0;
    double mean_error_dB = 0.0;
    double std_dB = 0.0;
    double rmse_dB = 0.0;
};

/// Corrected prediction for one sample.
double corrected_dBm(const Fit& f, const Sample& s);

/// Least-squares offset and slope. Needs at least two distinct distances for the slope;
/// otherwise fits the offset only.
Fit fitLeastSquares(const std::vector<Sample>& samples);

/// Truncated-normal maximum likelihood (Nelder-Mead on offset, slope, log sigma, started from
/// least squares). Samples without a floor contribute an untruncated term.
Fit fitTruncated(const std::vector<Sample>& samples);

/// Statistics of the samples with @p lo_km <= d < @p hi_km, before (no fit) or after @p fit.
Stats errorStats(const std::vector<Sample>& samples, const Fit* fit, double lo_km = 0.0,
                 double hi_km = std::numeric_limits<double>::infinity());

}  // namespace phusong::calibration
