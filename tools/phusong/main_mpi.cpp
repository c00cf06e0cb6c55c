// phusong-mpi: the phusong CLI under MPI. `mpirun -np N phusong-mpi coverage ...` splits the
// sectors over the ranks (round robin by path-loss class: the sectors of one site on one carrier
// stay together), each rank using its OpenMP threads, then combines the per-pixel compositions
// with all-reduces. Every merge is order independent (top-k multiset, best signal with the lower
// sector index on ties: MPI_MAXLOC's rule, integer power sums), so the rasters are bit-identical
// to one process. Rank 0 writes the outputs.

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <vector>

#include "commands.hpp"

namespace {

int g_top_k = 8;

// Combines blocks of g_top_k signals (each sorted descending) into the g_top_k largest of both.
void mergeTopK(void* in, void* inout, int* len, MPI_Datatype*) {
    const float* a = static_cast<const float*>(in);
    float* b = static_cast<float*>(inout);
    std::vector<float> merged(static_cast<size_t>(g_top_k));
    for (int blk = 0; blk < *len; ++blk) {
        const float* x = a + static_cast<size_t>(blk) * g_top_k;
        float* y = b + static_cast<size_t>(blk) * g_top_k;
        int i = 0, j = 0;
        for (int k = 0; k < g_top_k; ++k) merged[static_cast<size_t>(k)] = (j >= g_top_k || (i < g_top_k && x[i] >= y[j])) ? x[i++] : y[j++];
        std::copy(merged.begin(), merged.end(), y);
    }
}

// MPI counts are ints: reduce large arrays in chunks.
template <class F>
void chunked(size_t n, F&& f) {
    const size_t chunk = static_cast<size_t>(INT_MAX / 16);
    for (size_t off = 0; off < n; off += chunk) f(off, static_cast<int>(std::min(chunk, n - off)));
}

void combine(phusong::engine::PartialComposition& pc) {
    g_top_k = pc.top_k;
    // Best server: (best signal, sector index) with MPI_MAXLOC, which keeps the lower index on ties.
    struct FloatInt {
        float v;
        int i;
    };
    std::vector<FloatInt> best(pc.pixels);
    for (size_t p = 0; p < pc.pixels; ++p) best[p] = {pc.topk[p * static_cast<size_t>(pc.top_k)], pc.best_idx[p]};
    chunked(pc.pixels, [&](size_t off, int n) { MPI_Allreduce(MPI_IN_PLACE, best.data() + off, n, MPI_FLOAT_INT, MPI_MAXLOC, MPI_COMM_WORLD); });
    for (size_t p = 0; p < pc.pixels; ++p) pc.best_idx[p] = best[p].i;
    // The top-k signals per pixel.
    MPI_Datatype block;
    MPI_Type_contiguous(pc.top_k, MPI_FLOAT, &block);
    MPI_Type_commit(&block);
    MPI_Op op;
    MPI_Op_create(&mergeTopK, 1, &op);
    chunked(pc.pixels, [&](size_t off, int n) {
        MPI_Allreduce(MPI_IN_PLACE, pc.topk + off * static_cast<size_t>(pc.top_k), n, block, op, MPI_COMM_WORLD);
    });
    MPI_Op_free(&op);
    MPI_Type_free(&block);
    // Co-channel power sums (integer units: exact in any order).
    for (int64_t* pw : pc.power) {
        if (!pw) continue;
        chunked(pc.pixels, [&](size_t off, int n) { MPI_Allreduce(MPI_IN_PLACE, pw + off, n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD); });
    }
}

}  // namespace

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    auto& so = phusong::cli::scaleOut();
    MPI_Comm_rank(MPI_COMM_WORLD, &so.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &so.size);
    so.combine = combine;
    so.combine_warnings = [](std::vector<long long>& counts, uint32_t& flags) {
        MPI_Allreduce(MPI_IN_PLACE, counts.data(), static_cast<int>(counts.size()), MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, &flags, 1, MPI_UINT32_T, MPI_BOR, MPI_COMM_WORLD);
    };
    const int rc = phusong::cli::runCli(argc, argv);
    if (rc != 0 && so.size > 1) {
        std::fprintf(stderr, "phusong-mpi: rank %d failed (exit %d); stopping all ranks\n", so.rank, rc);
        MPI_Abort(MPI_COMM_WORLD, rc);
    }
    MPI_Finalize();
    return rc;
}
