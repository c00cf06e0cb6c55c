#pragma once
/// @file set_cover.hpp
/// Weighted set covering: choose columns (candidate towers) of least total cost so that every row
/// (village) is covered at least demand_i times. Solved by Lagrangian relaxation (subgradient
/// optimisation, Held-Wolfe-Crowder step rule as in Caprara, Fischetti & Toth 1999, "A heuristic
/// method for the set covering problem", Oper. Res. 47(5)), a Lagrangian-cost greedy, row-weighting
/// local search (Gao, Weise & Li 2015, "An efficient local search heuristic with row weighting for the
/// unicost set covering problem", EJOR 246(3)), and an exact branch and cut by CBC on the columns
/// that Lagrangian reduced-cost fixing cannot exclude. Every answer carries a valid lower bound.

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace phusong::plan {

struct SetCoverProblem {
    int num_rows = 0;
    std::vector<double> cost;               ///< per column, >= 0
    std::vector<std::vector<int>> columns;  ///< rows covered by each column (0-based, any order)
    std::vector<int> demand;                ///< per row coverage requirement; empty = 1 for every row
    std::vector<int> fixed;                 ///< columns forced into the solution (existing towers)
    std::vector<std::string> row_names;     ///< optional, for messages
};

struct SetCoverOptions {
    double time_limit_s = 60.0;
    bool exact = true;      ///< run CBC after the heuristics to prove (or improve) optimality
    uint64_t seed = 1;      ///< local search randomness; same seed, same answer (without a time cut)
    int threads = 0;        ///< threads of the long unicost search (one seed each); 0 = all cores
    std::function<void(const std::string&)> log;  ///< progress lines; null = silent
};

struct SetCoverResult {
    bool feasible = false;
    std::vector<int> solution;  ///< chosen columns, ascending, fixed columns included
    double objective = std::numeric_limits<double>::infinity();
    double lower_bound = 0.0;   ///< valid bound on the optimum
    double gap = 0.0;           ///< (objective - lower_bound) / objective; 0 = proven optimal
    bool optimal = false;
    std::string method;         ///< which phase found the final solution
    double time_s = 0.0;
    std::vector<int> uncoverable_rows;  ///< rows with fewer columns than their demand
    double lagrangian_bound = 0.0;
    double greedy_objective = 0.0;
};

/// Relative gap (obj - bound) / max(|obj|, tiny), clamped at 0.
double relativeGap(double objective, double bound);

/// Checks the problem's shape; throws InputError naming the column or row.
void validate(const SetCoverProblem& p);

/// Total cost of @p cols and whether they meet every row's demand.
bool isCover(const SetCoverProblem& p, const std::vector<int>& cols, double* cost = nullptr);

/// Solves @p p. An infeasible problem returns feasible = false with uncoverable_rows filled.
SetCoverResult solveSetCover(const SetCoverProblem& p, const SetCoverOptions& opt = {});

}  // namespace phusong::plan
