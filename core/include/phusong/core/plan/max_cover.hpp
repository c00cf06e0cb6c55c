#pragma once
/// @file max_cover.hpp
/// Maximal covering location (Church & ReVelle 1974, "The maximal covering location problem",
/// Papers Reg. Sci. Assoc. 32): open candidates within a budget (p sites, or a cost budget) to
/// maximise the demand (population) covered. Greedy, then 1-swap local search as the warm start
/// of an exact CBC model: max sum_i w_i y_i s.t. y_i <= sum_{j covers i} x_j, sum_j c_j x_j <= B.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace phusong::plan {

struct MaxCoverProblem {
    int num_points = 0;
    std::vector<double> weight;             ///< demand per point (population), >= 0
    std::vector<std::vector<int>> columns;  ///< points covered by each candidate
    std::vector<double> cost;               ///< per candidate; empty = 1 each (then budget = p)
    double budget = 0.0;
    std::vector<int> fixed;                 ///< candidates already open (existing towers), within the budget
};

struct MaxCoverOptions {
    double time_limit_s = 60.0;
    bool exact = true;
    std::function<void(const std::string&)> log;
};

struct MaxCoverResult {
    std::vector<int> solution;  ///< open candidates, ascending
    double covered = 0.0;       ///< objective: covered demand
    double upper_bound = 0.0;   ///< valid bound on the optimum
    double gap = 0.0;           ///< (upper_bound - covered) / upper_bound
    bool optimal = false;
    double greedy = 0.0;
    std::string method;
    double time_s = 0.0;
    double spent = 0.0;         ///< cost of the solution
};

/// Demand covered by @p open.
double coveredDemand(const MaxCoverProblem& p, const std::vector<int>& open);

MaxCoverResult solveMaxCover(const MaxCoverProblem& p, const MaxCoverOptions& opt = {});

}  // namespace phusong::plan
