#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

#include "phusong/core/big_buffer.hpp"
#include "phusong/core/grid.hpp"

namespace phusong {
namespace {

constexpr std::size_t kHuge = std::size_t{2} << 20;

TEST(BigBuffer, LargeBuffersAreHugePageAlignedAndKeepTheirValues) {
    // 3 MiB of floats: above the 2 MiB threshold (in builds without AddressSanitizer).
    const std::size_t n = (3u << 20) / sizeof(float);
    BigVector<float> v(n);
    std::iota(v.begin(), v.end(), 0.0f);
    if (detail::usesHugePages(n * sizeof(float))) {
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % kHuge, 0u);
    }
    // Growing moves the values into a new mapping and unmaps the old one.
    v.resize(3 * n, -1.0f);
    for (std::size_t i = 0; i < n; i += 4099) ASSERT_EQ(v[i], static_cast<float>(i)) << i;
    EXPECT_EQ(v[2 * n], -1.0f);
    EXPECT_EQ(v.back(), -1.0f);
    // Copies and moves keep every element.
    const BigVector<float> copy = v;
    EXPECT_EQ(copy, v);
    BigVector<float> moved = std::move(v);
    EXPECT_EQ(moved, copy);
    moved.clear();
    moved.shrink_to_fit();
    EXPECT_EQ(moved.capacity(), 0u);
}

TEST(BigBuffer, SmallBuffersUseTheHeapAndTheThresholdIsTwoMebibytes) {
    EXPECT_FALSE(detail::usesHugePages(1000));
    EXPECT_FALSE(detail::usesHugePages(kHuge - 1));
    BigVector<int64_t> small(100, 7);
    EXPECT_EQ(std::accumulate(small.begin(), small.end(), int64_t{0}), 700);
}

TEST(BigBuffer, GridsOnBigBuffersBehaveAsBefore) {
    const GeoTransform gt{500000.0, 2300000.0, 30.0, 30.0};
    Grid<float> g(1024, 1024, gt, 2.5f, -9999.0f);  // 4 MiB
    g.at(1023, 1023) = 7.0f;
    Grid<float> h = g;
    EXPECT_EQ(h.at(1023, 1023), 7.0f);
    EXPECT_EQ(h.at(0, 0), 2.5f);
    EXPECT_EQ(h.data(), g.data());
    h.at(5, 5) = 1.0f;
    EXPECT_NE(h.data(), g.data());
}

}  // namespace
}  // namespace phusong
