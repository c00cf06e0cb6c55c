#pragma once
/// @file simd_dispatch.hpp
/// Internal to the engine: runs a vectorised pass built for the widest instruction set the CPU
/// has (simdLevel()).
///
/// A pass is an always-inline body taking one argument struct. It is compiled three times, for
/// AVX-512, AVX2 and baseline x86-64, and all three do the same IEEE operations in the same order
/// (no fused multiply-add: phusong_core builds with -ffp-contract=off; the bodies use correctly
/// rounded operations and fast_math.hpp only), so every level gives the same bits.

#include <string>

#include "phusong/core/engine/radial.hpp"

namespace phusong::engine::simd {

template <class Args, void (*Body)(const Args&)>
void atBaseline(const Args& a) {
    Body(a);
}
template <class Args, void (*Body)(const Args&)>
__attribute__((target("avx2"))) void atAvx2(const Args& a) {
    Body(a);
}
template <class Args, void (*Body)(const Args&)>
__attribute__((target("avx512f"))) void atAvx512(const Args& a) {
    Body(a);
}

/// The span [c0, c1) of a row of @p n values from its first to its last that is not NaN (in a
/// square window, the disc's chord); c0 == c1 when every value is NaN. The merge and the deferred
/// pass run their vectorised loops over it only.
template <class T>
inline void valueSpan(const T* row, int n, int& c0, int& c1) {
    c0 = 0, c1 = n;
    while (c0 < c1 && row[c0] != row[c0]) ++c0;
    while (c1 > c0 && row[c1 - 1] != row[c1 - 1]) --c1;
}

/// Body(a) at the widest level simdLevel() allows.
template <class Args, void (*Body)(const Args&)>
void byIsa(const Args& a) {
    static const std::string level = simdLevel();
    if (level == "avx512f") atAvx512<Args, Body>(a);
    else if (level == "avx2") atAvx2<Args, Body>(a);
    else atBaseline<Args, Body>(a);
}

}  // namespace phusong::engine::simd
