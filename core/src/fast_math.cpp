#include "phusong/core/fast_math.hpp"

namespace phusong::fast::detail {

const LogTable kLogTable = [] {
    LogTable t{};
    for (int i = 0; i < 128; ++i) {
        const double c = 1.0 + (i + 0.5) / 128.0;
        t.inv_c[i] = 1.0 / c;
        t.ln_c[i] = std::log(c);
    }
    return t;
}();

const Exp2Table kExp2Table = [] {
    Exp2Table t{};
    for (int j = 0; j < 64; ++j) t.v[j] = std::exp2(j / 64.0);
    return t;
}();

}  // namespace phusong::fast::detail
