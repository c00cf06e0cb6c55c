#pragma once
/// @file parallel.hpp
/// What a `threads` option means (resolveThreads), and exceptions out of OpenMP regions.
///
/// An exception may not leave a parallel region: the runtime calls std::terminate and the process
/// aborts, whatever the thread count (a region of one thread is a region too). Each iteration that
/// may throw runs its body through ParallelErrors::run(); after the region, rethrow() rethrows the
/// exception of the lowest iteration that threw, the one a serial loop would have thrown, so the
/// error message does not depend on the thread count.

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>

namespace phusong {

/// The thread count a `threads` option means: itself when positive, else (0: all cores) the size
/// of OpenMP's default team, which `--threads` bounds (cli::useThreads).
inline int resolveThreads(int threads) { return threads > 0 ? threads : std::max(1, omp_get_max_threads()); }

class ParallelErrors {
public:
    /// Runs @p body for iteration @p index, unless a lower iteration has already thrown (a serial
    /// loop would have stopped there). An exception from @p body is kept if it comes from the
    /// lowest iteration that threw so far.
    template <class Body>
    void run(long long index, Body&& body) noexcept {
        if (index > m_first.load(std::memory_order_acquire)) return;
        try {
            body();
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (index < m_first.load(std::memory_order_relaxed)) {
                m_error = std::current_exception();
                m_first.store(index, std::memory_order_release);
            }
        }
    }

    /// Whether some iteration has thrown.
    bool failed() const { return m_first.load(std::memory_order_acquire) != kNone; }

    /// After the region: rethrows the kept exception, if any.
    void rethrow() const {
        if (m_error) std::rethrow_exception(m_error);
    }

private:
    static constexpr long long kNone = std::numeric_limits<long long>::max();
    std::atomic<long long> m_first{kNone};
    std::mutex m_mutex;
    std::exception_ptr m_error;
};

}  // namespace phusong
