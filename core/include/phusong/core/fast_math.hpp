#pragma once
/// @file fast_math.hpp
/// Branch-light replacements for the libm calls in the coverage engine's per-pixel path
/// (log10, exp, atan2, sine and cosine of degrees). Each is plain arithmetic on doubles, so
/// results are identical on every thread, run and SIMD level; the errors below are far under the
/// 0.01 dB the rasters are written with.
/// tests/core/test_fast_math.cpp checks them against libm over the engine's ranges.

#include <bit>
#include <cmath>
#include <cstdint>

namespace phusong::fast {

namespace detail {
/// 1/c and ln c at the centres c = 1 + (i + 0.5)/128 of the 128 mantissa intervals of [1, 2).
struct LogTable {
    double inv_c[128];
    double ln_c[128];
};
extern const LogTable kLogTable;
/// 2^(j/64), j = 0..63.
struct Exp2Table {
    double v[64];
};
extern const Exp2Table kExp2Table;
}  // namespace detail

/// Natural log for finite x > 0, absolute error < 1e-15 plus rounding: x = 2^e m, m in [1, 2);
/// the top 7 mantissa bits pick c with |m/c - 1| < 2^-8, and ln m = ln c + ln(1 + r) by its
/// series to r^6 (the table method of Tang, ACM TOMS 16(4), 1990). No division.
inline double log(double x) {
    const uint64_t bits = std::bit_cast<uint64_t>(x);
    // The biased exponent as a double without an integer conversion (none that SIMD units have
    // for 64-bit lanes before AVX-512): 2^52 + e_biased, exactly, minus 2^52 + 1023.
    const double e = std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) - 4503599627371519.0;
    const size_t i = static_cast<size_t>((bits >> 45) & 0x7f);
    const double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    const double r = m * detail::kLogTable.inv_c[i] - 1.0;
    const double series = r * (1.0 + r * (-0.5 + r * (1.0 / 3 + r * (-0.25 + r * (0.2 - r * (1.0 / 6))))));
    return e * 0.6931471805599453 + detail::kLogTable.ln_c[i] + series;
}

inline double log10(double x) { return log(x) * 0.4342944819032518; }

/// e^x for |x| < 700, relative error < 1e-15 (Tang's table method, ACM TOMS 15(2), 1989):
/// x = (64 i + j) ln2 / 64 + r with |r| <= ln2 / 128, so e^x = 2^i 2^(j/64) e^r; 2^i goes into
/// the exponent bits, 2^(j/64) comes from a table and e^r from its Taylor series to r^5 (the
/// first term left out, r^6 / 720, is below 4e-17). ln2 / 64 is split in two (Cody-Waite) so that
/// r is exact to the last bits.
inline double exp(double x) {
    constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: t + kShift - kShift rounds t to an integer
    constexpr double kLn2By64Hi = 0.01083042468962958, kLn2By64Lo = 6.619564634077006e-12;  // hi: 30 bits
    const double t = x * 92.33248261689366 + kShift;  // round(x * 64 / ln2) + kShift, exactly
    const double nd = t - kShift;
    const double r = (x - nd * kLn2By64Hi) - nd * kLn2By64Lo;
    const double p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120)))));
    // n = round(x * 64 / ln2) sits in t's low mantissa bits; u = n + 64 * 1023 >= 0 for |x| < 700,
    // so 2^(n >> 6) is (u >> 6) << 52 and n & 63 = u & 63 (logical shifts, which SIMD units have).
    const uint64_t u = std::bit_cast<uint64_t>(t) - std::bit_cast<uint64_t>(kShift) + 64 * 1023;
    return detail::kExp2Table.v[u & 63] * p * std::bit_cast<double>((u >> 6) << 52);
}

/// atan for 0 <= x <= 1, error < 1e-10 rad: for x > tan(pi/12), atan x = pi/6 + atan((sqrt3 x - 1)/(sqrt3 + x))
/// moves the argument to |u| <= tan(pi/12) = 0.268, where the Taylor series to u^15 is used
/// [Abramowitz & Stegun 4.4.42].
inline double atanUnit(double x) {
    constexpr double kSqrt3 = 1.7320508075688772, kTan15 = 0.2679491924311227;
    // Both arguments are computed and one is selected, so that a loop over pixels vectorises.
    const bool far = x > kTan15;
    const double u = far ? (kSqrt3 * x - 1.0) / (kSqrt3 + x) : x;
    const double base = far ? 0.5235987755982988 : 0.0;
    const double u2 = u * u;
    double p = -1.0 / 15;
    constexpr double c[] = {1.0 / 13, -1.0 / 11, 1.0 / 9, -1.0 / 7, 1.0 / 5, -1.0 / 3, 1.0};
    for (double ci : c) p = p * u2 + ci;
    return base + u * p;
}

/// atan2(y, x) in radians, same quadrant conventions as std::atan2 for finite inputs; 0 at the origin.
/// Branch-free (selects), so that it vectorises in loops.
inline double atan2(double y, double x) {
    const double ax = std::abs(x), ay = std::abs(y);
    const bool swap = ay > ax;
    const double lo = swap ? ax : ay, hi = swap ? ay : ax;
    double a = atanUnit(hi > 0.0 ? lo / hi : 0.0);
    a = swap ? 1.5707963267948966 - a : a;
    a = x < 0.0 ? 3.141592653589793 - a : a;
    a = y < 0.0 ? -a : a;
    return hi > 0.0 ? a : 0.0;
}

/// Sine and cosine of @p x_deg degrees, |x_deg| < 225, absolute error < 2e-15: x = 90 q + t with
/// q = round(x / 90) and |t| <= 45 degrees, whose sine and cosine come from their Taylor series to
/// t^15 and t^16 (the first terms left out are below 5e-17 at pi/4); q picks the quadrant by
/// selects (branch-free, so that a loop over pixels vectorises).
inline void sinCosDeg(double x_deg, double& s, double& c) {
    const double q = std::floor(x_deg / 90.0 + 0.5);
    const double t = (x_deg - 90.0 * q) * 0.017453292519943295;
    const double t2 = t * t;
    // Horner in t^2: sin t = t (1 - t^2/3! + ... - t^14/15!), cos t = 1 - t^2/2! + ... + t^16/16!.
    constexpr double ks[] = {1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0, 1.0};
    constexpr double kc[] = {-1.0 / 87178291200.0, 1.0 / 479001600.0, -1.0 / 3628800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -0.5, 1.0};
    double ps = -1.0 / 1307674368000.0, pc = 1.0 / 20922789888000.0;
    for (double k : ks) ps = ps * t2 + k;
    for (double k : kc) pc = pc * t2 + k;
    const double st = t * ps, ct = pc;
    // Quadrants: q = 1: (cos t, -sin t); q = -1: (-cos t, sin t); q = +-2: (-sin t, -cos t).
    const bool q1 = q == 1.0, qm1 = q == -1.0, q2 = q == 2.0 || q == -2.0;
    const double sv = q1 ? ct : (qm1 ? -ct : st), cv = q1 ? -st : (qm1 ? st : ct);
    s = q2 ? -st : sv;
    c = q2 ? -ct : cv;
}

}  // namespace phusong::fast
