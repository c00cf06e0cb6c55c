#include "phusong/core/big_buffer.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace phusong::detail {

namespace {
constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;  // x86-64 and arm64 (4 KiB base pages) THP size

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::size_t roundUp(std::size_t bytes) { return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes; }
}  // namespace

bool usesHugePages(std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    return !kSanitized && bytes >= kHugePageBytes;
#else
    (void)bytes;
    return false;
#endif
}

void* allocateBig(std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (usesHugePages(bytes)) {
        // Map one huge page more than needed, then unmap the unaligned head and the tail, so that
        // every 2 MiB of the buffer is one aligned huge page.
        const std::size_t size = roundUp(bytes);
        if (size + kHugePageBytes < size) throw std::bad_alloc();
        void* raw = mmap(nullptr, size + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) throw std::bad_alloc();
        const auto base = reinterpret_cast<std::uintptr_t>(raw);
        const std::uintptr_t aligned = (base + kHugePageBytes - 1) & ~(std::uintptr_t{kHugePageBytes} - 1);
        const std::size_t head = aligned - base, tail = kHugePageBytes - head;
        if (head > 0) munmap(raw, head);
        if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
        void* p = reinterpret_cast<void*>(aligned);
        madvise(p, size, MADV_HUGEPAGE);  // advice only: without THP the pages are 4 KiB, as before
        return p;
    }
#endif
    return ::operator new(bytes);
}

void deallocateBig(void* p, std::size_t bytes) noexcept {
    if (!p) return;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (usesHugePages(bytes)) {
        munmap(p, roundUp(bytes));
        return;
    }
#endif
    ::operator delete(p);
}

}  // namespace phusong::detail
