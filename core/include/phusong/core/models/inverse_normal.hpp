#pragma once
/// @file inverse_normal.hpp
/// Inverse of the normal distribution, used by the statistical models.

namespace phusong::models {

/// Q^-1(q): the x with Q(x) = q, where Q is the complementary cumulative standard normal.
/// Acklam's rational approximation refined by one Halley step on erfc (|error| < 1e-12).
/// @pre 0 < q < 1.
double inverseComplementaryNormal(double q);

}  // namespace phusong::models
