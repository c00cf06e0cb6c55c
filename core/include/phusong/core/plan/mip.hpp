#pragma once
/// @file mip.hpp
/// A small mixed-integer programme (sparse rows, binary or continuous columns) and its solution by
/// COIN-OR CBC through its C interface. The planner builds these; nothing else sees CBC.

#include <limits>
#include <string>
#include <vector>

namespace phusong::plan {

struct MipProblem {
    bool maximize = false;
    std::vector<double> obj;         ///< per column
    std::vector<double> col_lower, col_upper;
    std::vector<char> is_integer;    ///< per column
    struct Row {
        std::vector<int> cols;
        std::vector<double> coefs;
        double lower = -std::numeric_limits<double>::infinity();
        double upper = std::numeric_limits<double>::infinity();
    };
    std::vector<Row> rows;

    int addColumn(double objective, double lower, double upper, bool integer) {
        obj.push_back(objective);
        col_lower.push_back(lower);
        col_upper.push_back(upper);
        is_integer.push_back(integer ? 1 : 0);
        return static_cast<int>(obj.size()) - 1;
    }
    int addBinary(double objective) { return addColumn(objective, 0.0, 1.0, true); }
    void addRow(Row r) { rows.push_back(std::move(r)); }
};

struct MipOptions {
    double time_limit_s = 60.0;
    std::vector<double> warm_start;  ///< a feasible solution, or empty
    double cutoff = std::numeric_limits<double>::quiet_NaN();  ///< prune nodes no better than this
    bool verbose = false;
};

struct MipResult {
    bool has_solution = false;
    bool optimal = false;
    bool infeasible = false;  ///< proven: no solution (better than the cutoff, when one was given)
    std::vector<double> x;
    double objective = std::numeric_limits<double>::quiet_NaN();
    double bound = std::numeric_limits<double>::quiet_NaN();  ///< CBC's best possible objective
    double time_s = 0.0;
    int nodes = 0;
};

struct LpResult {
    bool optimal = false;
    double objective = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> x;      ///< primal, per column
    std::vector<double> duals;  ///< per row
    double time_s = 0.0;
};

/// The linear relaxation of @p p (integrality dropped), by Clp's dual simplex.
LpResult solveLpRelaxation(const MipProblem& p, double time_limit_s);

/// Solves @p p with CBC (one thread, deterministic up to the time limit).
MipResult solveMip(const MipProblem& p, const MipOptions& opt);

}  // namespace phusong::plan
