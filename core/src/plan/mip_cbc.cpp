// CBC through its C interface (Cbc_C_Interface.h, CBC 2.10): the MIP is handed over in compressed
// sparse column form, solved on one thread, and read back.

#include "phusong/core/plan/mip.hpp"

#include <coin/Cbc_C_Interface.h>
#include <coin/Clp_C_Interface.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>

#include "phusong/core/error.hpp"

namespace phusong::plan {

namespace {

constexpr double kInf = 1e30;  // CBC's COIN_DBL_MAX stand-in for an absent bound

double clampInf(double v) { return std::isinf(v) ? (v > 0 ? kInf : -kInf) : v; }

/// The problem in compressed sparse column form, as Cbc_loadProblem and Clp_loadProblem take it.
struct Csc {
    std::vector<CoinBigIndex> start;
    std::vector<int> index;
    std::vector<double> value, col_lb, col_ub, row_lb, row_ub;
};

Csc toCsc(const MipProblem& p) {
    const int ncols = static_cast<int>(p.obj.size());
    const int nrows = static_cast<int>(p.rows.size());
    if (p.col_lower.size() != p.obj.size() || p.col_upper.size() != p.obj.size() ||
        p.is_integer.size() != p.obj.size())
        throw Error("solveMip: column arrays differ in length");

    // Row-wise to column-wise.
    std::vector<int> count(ncols + 1, 0);
    for (const auto& r : p.rows) {
        if (r.cols.size() != r.coefs.size()) throw Error("solveMip: row with mismatched cols/coefs");
        for (int c : r.cols) {
            if (c < 0 || c >= ncols) throw Error("solveMip: row refers to column " + std::to_string(c));
            ++count[c + 1];
        }
    }
    std::vector<CoinBigIndex> start(ncols + 1, 0);
    for (int c = 0; c < ncols; ++c) start[c + 1] = start[c] + count[c + 1];
    std::vector<int> index(start[ncols]);
    std::vector<double> value(start[ncols]);
    std::vector<CoinBigIndex> fill(start.begin(), start.end() - 1);
    std::vector<double> row_lb(nrows), row_ub(nrows);
    for (int r = 0; r < nrows; ++r) {
        const auto& row = p.rows[r];
        for (size_t k = 0; k < row.cols.size(); ++k) {
            const CoinBigIndex at = fill[row.cols[k]]++;
            index[at] = r;
            value[at] = row.coefs[k];
        }
        row_lb[r] = clampInf(row.lower);
        row_ub[r] = clampInf(row.upper);
    }
    std::vector<double> col_lb(ncols), col_ub(ncols);
    for (int c = 0; c < ncols; ++c) {
        col_lb[c] = clampInf(p.col_lower[c]);
        col_ub[c] = clampInf(p.col_upper[c]);
    }

    return Csc{std::move(start), std::move(index), std::move(value), std::move(col_lb), std::move(col_ub),
               std::move(row_lb), std::move(row_ub)};
}

}  // namespace

LpResult solveLpRelaxation(const MipProblem& p, double time_limit_s) {
    const auto t0 = std::chrono::steady_clock::now();
    const Csc m = toCsc(p);
    const int ncols = static_cast<int>(p.obj.size());
    const int nrows = static_cast<int>(p.rows.size());
    std::unique_ptr<Clp_Simplex, void (*)(Clp_Simplex*)> lp(Clp_newModel(), Clp_deleteModel);
    Clp_loadProblem(lp.get(), ncols, nrows, m.start.data(), m.index.data(), m.value.data(), m.col_lb.data(),
                    m.col_ub.data(), p.obj.data(), m.row_lb.data(), m.row_ub.data());
    Clp_setOptimizationDirection(lp.get(), p.maximize ? -1.0 : 1.0);
    Clp_setLogLevel(lp.get(), 0);
    Clp_setMaximumSeconds(lp.get(), std::max(0.01, time_limit_s));
    Clp_initialDualSolve(lp.get());
    LpResult r;
    r.optimal = Clp_status(lp.get()) == 0;
    r.objective = Clp_objectiveValue(lp.get());
    const double* x = Clp_getColSolution(lp.get());
    const double* y = Clp_getRowPrice(lp.get());
    if (x) r.x.assign(x, x + ncols);
    if (y) r.duals.assign(y, y + nrows);
    r.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

MipResult solveMip(const MipProblem& p, const MipOptions& opt) {
    const auto t0 = std::chrono::steady_clock::now();
    const int ncols = static_cast<int>(p.obj.size());
    const int nrows = static_cast<int>(p.rows.size());
    const Csc m = toCsc(p);
    std::unique_ptr<Cbc_Model, void (*)(Cbc_Model*)> model(Cbc_newModel(), Cbc_deleteModel);
    Cbc_loadProblem(model.get(), ncols, nrows, m.start.data(), m.index.data(), m.value.data(), m.col_lb.data(),
                    m.col_ub.data(), p.obj.data(), m.row_lb.data(), m.row_ub.data());
    for (int c = 0; c < ncols; ++c)
        if (p.is_integer[c]) Cbc_setInteger(model.get(), c);
    Cbc_setObjSense(model.get(), p.maximize ? -1.0 : 1.0);
    Cbc_setLogLevel(model.get(), opt.verbose ? 1 : 0);
    Cbc_setMaximumSeconds(model.get(), std::max(0.01, opt.time_limit_s));
    Cbc_setParameter(model.get(), "threads", "1");
    // Wall-clock limits: CBC counts CPU seconds by default, which overran a 60 s limit by 3-4 s
    // whenever another process shared the core.
    Cbc_setParameter(model.get(), "timeMode", "elapsed");
    // The LP solver's own log (e.g. Clp presolve's "Presolved problem not optimal" when a cutoff
    // leaves nothing) stays quiet with CBC's.
    Cbc_setParameter(model.get(), "slogLevel", opt.verbose ? "1" : "0");
    Cbc_setAllowableGap(model.get(), 1e-9);
    if (!std::isnan(opt.cutoff)) Cbc_setCutoff(model.get(), opt.cutoff);
    if (!opt.warm_start.empty()) {
        if (static_cast<int>(opt.warm_start.size()) != ncols) throw Error("solveMip: warm start of wrong length");
        Cbc_setInitialSolution(model.get(), opt.warm_start.data());
    }
    Cbc_solve(model.get());

    MipResult res;
    res.optimal = Cbc_isProvenOptimal(model.get()) != 0;
    res.infeasible = Cbc_isProvenInfeasible(model.get()) != 0;
    const double* best = Cbc_bestSolution(model.get());
    if (best) {
        res.has_solution = true;
        res.x.assign(best, best + ncols);
        res.objective = Cbc_getObjValue(model.get());
    }
    res.bound = Cbc_getBestPossibleObjValue(model.get());
    res.nodes = Cbc_getNodeCount(model.get());
    res.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

}  // namespace phusong::plan
