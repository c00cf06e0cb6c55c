#include "phusong/core/void_fill.hpp"

#include <cmath>
#include <vector>

namespace phusong {

long long fillVoids(DemGrid& dem, int max_search_px, const std::vector<uint8_t>* skip) {
    const int w = dem.width(), h = dem.height();
    static constexpr int kDirs[8][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
    // Read from the untouched source so filled cells never feed other fills (order independence).
    const BigVector<float> src = dem.data();
    long long filled = 0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : filled)
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            const size_t i = static_cast<size_t>(r) * w + c;
            if (!std::isnan(src[i]) || (skip && (*skip)[i])) continue;
            double sum = 0.0, wsum = 0.0;
            for (const auto& d : kDirs) {
                for (int k = 1; k <= max_search_px; ++k) {
                    const int cc = c + d[0] * k, rr = r + d[1] * k;
                    if (cc < 0 || rr < 0 || cc >= w || rr >= h) break;
                    const float v = src[static_cast<size_t>(rr) * w + cc];
                    if (!std::isnan(v)) {
                        const double dist = k * std::hypot(d[0], d[1]);
                        const double wt = 1.0 / (dist * dist);
                        sum += wt * v;
                        wsum += wt;
                        break;
                    }
                }
            }
            if (wsum > 0.0) {
                dem.at(c, r) = static_cast<float>(sum / wsum);
                ++filled;
            }
        }
    }
    return filled;
}

}  // namespace phusong
