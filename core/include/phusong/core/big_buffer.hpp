#pragma once
/// @file big_buffer.hpp
/// BigVector<T>: a std::vector for raster-sized buffers (grids, sector windows, per-pixel
/// accumulators), backed by transparent huge pages where the kernel offers them.
///
/// Why: every 4 KiB page of a fresh buffer costs a page fault on first touch. A 900 x 900 run
/// touches about 130 MB of such buffers (32,000 faults); under virtualisation a fault costs
/// several microseconds, so that was half of a one-site coverage run's time. Linux's default THP
/// mode ("madvise") gives 2 MiB pages only to ranges that ask: buffers of 2 MiB and more are
/// mapped 2 MiB-aligned and marked MADV_HUGEPAGE, 512 times fewer faults. Smaller buffers, and
/// every buffer in AddressSanitizer builds (whose redzones guard only the heap), use operator new.
/// Contents are unaffected: the same values, bit for bit.

#include <cstddef>
#include <limits>
#include <new>
#include <vector>

namespace phusong {

namespace detail {
/// @p bytes of storage aligned for any object; huge-page backed from kHugePageBytes on.
void* allocateBig(std::size_t bytes);
/// Frees what allocateBig(@p bytes) returned.
void deallocateBig(void* p, std::size_t bytes) noexcept;
/// Whether allocations of @p bytes are huge-page backed in this build.
bool usesHugePages(std::size_t bytes) noexcept;
}  // namespace detail

/// Stateless allocator for BigVector.
template <class T>
struct BigBufferAllocator {
    using value_type = T;
    BigBufferAllocator() noexcept = default;
    template <class U>
    BigBufferAllocator(const BigBufferAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(detail::allocateBig(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { detail::deallocateBig(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const BigBufferAllocator<U>&) const noexcept {
        return true;
    }
};

template <class T>
using BigVector = std::vector<T, BigBufferAllocator<T>>;

}  // namespace phusong
