#include "phusong/io/gdal_threads.hpp"

#include <algorithm>
#include <atomic>

namespace phusong::io {

namespace {
std::atomic<int> g_threads{0};
}  // namespace

void setGdalThreads(int threads) { g_threads = std::max(0, threads); }

std::string gdalNumThreads() {
    const int n = g_threads.load();
    return n > 0 ? std::to_string(n) : std::string("ALL_CPUS");
}

}  // namespace phusong::io
