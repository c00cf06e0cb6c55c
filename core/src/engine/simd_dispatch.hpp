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

/// Body(a) at the widest level simdLevel() allows.
template <class Args, void (*Body)(const Args&)>
void byIsa(const Args& a) {
    static const std::string level = simdLevel();
    if (level == "avx512f") atAvx512<Args, Body>(a);
    else if (level == "avx2") atAvx2<Args, Body>(a);
    else atBaseline<Args, Body>(a);
}

}  // namespace phusong::engine::simd
