// Weighted set covering with multi-cover demands. Phases, each keeping a valid lower bound:
//   1. reduction: forced columns, rows whose demand equals their column count, zero-cost columns,
//      identical columns, columns dearer than the cheapest way to cover their rows, dominated rows;
//   2. Lagrangian relaxation of the cover rows, subgradient optimisation with the step rule of
//      Caprara, Fischetti & Toth (1999, section 3.1), and a greedy on Lagrangian costs (their score
//      sigma_j, section 3.2) every few iterations;
//   3. local search: row weighting with configuration checking (Gao, Weise & Li 2015, Algorithm 1,
//      scores divided by column cost when costs differ); on unicost problems the joint swap of Lin
//      et al. (2020), on a Lagrangian core when rows are long (rail);
//   4. CBC on reduced-cost cores, then on the columns whose Lagrangian reduced cost lets them appear
//      in a better solution (L(u) + c~_j <= UB - delta), warm-started with the incumbent. Unicost
//      problems with a wide integrality gap give CBC a short try and the search most of the time.

#include "phusong/core/plan/set_cover.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <unordered_map>

#include "phusong/core/error.hpp"
#include "phusong/core/plan/mip.hpp"
#include "phusong/core/parallel.hpp"

#include <omp.h>

namespace phusong::plan {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Compressed lists: item k's entries are idx[start[k] .. start[k+1]).
struct Csr {
    std::vector<int> start{0};
    std::vector<int> idx;
    int size() const { return static_cast<int>(start.size()) - 1; }
    const int* begin(int k) const { return idx.data() + start[k]; }
    const int* end(int k) const { return idx.data() + start[k + 1]; }
    int count(int k) const { return start[k + 1] - start[k]; }
};

Csr transpose(const Csr& a, int n_targets) {
    Csr t;
    t.start.assign(n_targets + 1, 0);
    for (int v : a.idx) ++t.start[v + 1];
    for (int k = 0; k < n_targets; ++k) t.start[k + 1] += t.start[k];
    t.idx.resize(a.idx.size());
    std::vector<int> fill(t.start.begin(), t.start.end() - 1);
    for (int k = 0; k < a.size(); ++k)
        for (const int* p = a.begin(k); p != a.end(k); ++p) t.idx[fill[*p]++] = k;
    return t;
}

/// The reduced problem the heuristics and the MIP work on.
struct Core {
    int m = 0, n = 0;
    std::vector<double> cost;
    Csr col;  ///< column -> rows
    Csr row;  ///< row -> columns
    std::vector<int> demand;
    std::vector<int> orig_col;  ///< core column -> problem column
    double delta = 0.0;         ///< cost granularity: 1 when every cost is integral, else 0
};

struct Reduction {
    std::vector<int> fixed;  ///< problem columns in every solution
    double fixed_cost = 0.0;
    std::vector<int> uncoverable;
    Core core;
};

void say(const SetCoverOptions& opt, const std::string& line) {
    if (opt.log) opt.log(line);
}

/// Phase 1. Works on sets of live rows and columns of the original problem, then compacts.
Reduction reduce(const SetCoverProblem& p) {
    const int m = p.num_rows;
    const int n = static_cast<int>(p.cost.size());
    Reduction red;
    std::vector<int> demand(m, 1);
    if (!p.demand.empty()) demand = p.demand;

    Csr cols;
    for (int j = 0; j < n; ++j) {
        std::vector<int> rows = p.columns[j];
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        cols.idx.insert(cols.idx.end(), rows.begin(), rows.end());
        cols.start.push_back(static_cast<int>(cols.idx.size()));
    }
    const Csr rows = transpose(cols, m);
    std::vector<char> col_alive(n, 1), col_fixed(n, 0);
    std::vector<int> alive_count(m);
    for (int i = 0; i < m; ++i) alive_count[i] = rows.count(i);

    auto fix = [&](int j) {
        if (col_fixed[j] || !col_alive[j]) return;
        col_fixed[j] = 1;
        col_alive[j] = 0;
        red.fixed.push_back(j);
        red.fixed_cost += p.cost[j];
        for (const int* r = cols.begin(j); r != cols.end(j); ++r) {
            --demand[*r];
            --alive_count[*r];
        }
    };
    auto drop = [&](int j) {
        if (!col_alive[j]) return;
        col_alive[j] = 0;
        for (const int* r = cols.begin(j); r != cols.end(j); ++r) --alive_count[*r];
    };
    for (int j : p.fixed) fix(j);
    for (int j = 0; j < n; ++j)
        if (p.cost[j] <= 0.0) fix(j);  // free columns never hurt

    // Rows that need every column they have.
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < m; ++i) {
            if (demand[i] <= 0 || alive_count[i] > demand[i]) continue;
            if (alive_count[i] < demand[i]) continue;  // reported below
            for (const int* c = rows.begin(i); c != rows.end(i); ++c)
                if (col_alive[*c]) fix(*c), changed = true;
        }
    }
    for (int i = 0; i < m; ++i)
        if (demand[i] > 0 && alive_count[i] < demand[i]) red.uncoverable.push_back(i);
    if (!red.uncoverable.empty()) return red;

    std::vector<char> row_alive(m);
    bool unit = true;
    for (int i = 0; i < m; ++i) {
        row_alive[i] = demand[i] > 0;
        if (row_alive[i] && demand[i] != 1) unit = false;
    }
    auto liveRows = [&](int j) {
        std::vector<int> r;
        for (const int* q = cols.begin(j); q != cols.end(j); ++q)
            if (row_alive[*q]) r.push_back(*q);
        return r;
    };
    // Columns that cover no live row.
    for (int j = 0; j < n; ++j)
        if (col_alive[j] && liveRows(j).empty()) drop(j);

    if (unit) {
        // Identical columns: keep the cheapest (then the lowest index).
        std::unordered_map<uint64_t, std::vector<int>> by_hash;
        for (int j = 0; j < n; ++j) {
            if (!col_alive[j]) continue;
            uint64_t h = 1469598103934665603ull;
            for (int r : liveRows(j)) h = (h ^ static_cast<uint64_t>(r)) * 1099511628211ull;
            by_hash[h].push_back(j);
        }
        for (auto& [h, group] : by_hash) {
            if (group.size() < 2) continue;
            for (size_t a = 0; a < group.size(); ++a) {
                const int ja = group[a];
                if (!col_alive[ja]) continue;
                const auto ra = liveRows(ja);
                for (size_t b = a + 1; b < group.size(); ++b) {
                    const int jb = group[b];
                    if (!col_alive[jb] || liveRows(jb) != ra) continue;
                    if (p.cost[jb] < p.cost[ja]) {
                        drop(ja);
                        break;
                    }
                    drop(jb);
                }
            }
        }
        // A column no cheaper than the cheapest other columns of each of its rows is never needed
        // (replace it by them). Removed one at a time so that replacements stay available.
        std::vector<std::vector<int>> by_cost(m);
        for (int i = 0; i < m; ++i) {
            if (!row_alive[i]) continue;
            for (const int* c = rows.begin(i); c != rows.end(i); ++c)
                if (col_alive[*c]) by_cost[i].push_back(*c);
            std::sort(by_cost[i].begin(), by_cost[i].end(),
                      [&](int a, int b) { return p.cost[a] < p.cost[b] || (p.cost[a] == p.cost[b] && a < b); });
        }
        std::vector<int> order;
        for (int j = 0; j < n; ++j)
            if (col_alive[j]) order.push_back(j);
        std::sort(order.begin(), order.end(),
                  [&](int a, int b) { return p.cost[a] > p.cost[b] || (p.cost[a] == p.cost[b] && a > b); });
        for (int j : order) {
            double replace = 0.0;
            for (int i : liveRows(j)) {
                double cheapest = std::numeric_limits<double>::infinity();
                for (int k : by_cost[i])
                    if (k != j && col_alive[k]) {
                        cheapest = p.cost[k];
                        break;
                    }
                replace += cheapest;
                if (replace > p.cost[j]) break;
            }
            if (replace <= p.cost[j]) drop(j);
        }
        // Row i is dominated by row k when cols(k) is a subset of cols(i): covering k covers i.
        std::vector<std::vector<int>> live_cols(m);
        for (int i = 0; i < m; ++i) {
            if (!row_alive[i]) continue;
            for (const int* c = rows.begin(i); c != rows.end(i); ++c)
                if (col_alive[*c]) live_cols[i].push_back(*c);
        }
        std::vector<std::vector<int>> bucket(n);  // rows by their first live column
        for (int i = 0; i < m; ++i)
            if (row_alive[i] && !live_cols[i].empty()) bucket[live_cols[i].front()].push_back(i);
        std::vector<int> mark(n, -1);
        for (int i = 0; i < m; ++i) {
            if (!row_alive[i]) continue;
            for (int c : live_cols[i]) mark[c] = i;
            bool dominated = false;
            for (int c : live_cols[i]) {
                for (int k : bucket[c]) {
                    if (k == i || !row_alive[k] || live_cols[k].size() > live_cols[i].size()) continue;
                    if (live_cols[k].size() == live_cols[i].size() && k > i) continue;  // equal rows: keep the first
                    bool subset = true;
                    for (int q : live_cols[k])
                        if (mark[q] != i) {
                            subset = false;
                            break;
                        }
                    if (subset) {
                        dominated = true;
                        break;
                    }
                }
                if (dominated) break;
            }
            if (dominated) row_alive[i] = 0;
        }
    }

    // Compact.
    Core& core = red.core;
    std::vector<int> row_map(m, -1);
    for (int i = 0; i < m; ++i)
        if (row_alive[i]) {
            row_map[i] = core.m++;
            core.demand.push_back(demand[i]);
        }
    for (int j = 0; j < n; ++j) {
        if (!col_alive[j]) continue;
        const size_t before = core.col.idx.size();
        for (const int* r = cols.begin(j); r != cols.end(j); ++r)
            if (row_map[*r] >= 0) core.col.idx.push_back(row_map[*r]);
        if (core.col.idx.size() == before) continue;
        core.col.start.push_back(static_cast<int>(core.col.idx.size()));
        core.cost.push_back(p.cost[j]);
        core.orig_col.push_back(j);
    }
    core.n = static_cast<int>(core.cost.size());
    core.row = transpose(core.col, core.m);
    bool integral = true;
    for (double c : core.cost) integral = integral && c == std::floor(c);
    core.delta = integral ? 1.0 : 0.0;
    return red;
}

double roundBound(const Core& c, double lb) { return c.delta > 0 ? std::ceil(lb - 1e-6) : lb; }

/// Whether an incumbent of cost @p ub is proven optimal by the bound @p lb: no cheaper cover
/// exists (integral costs: none cheaper by a whole unit).
bool gapClosed(const Core& c, double ub, double lb) {
    return ub - lb < (c.delta > 0 ? c.delta : 1e-9 * std::max(1.0, ub));
}

/// Lagrangian reduced cost c~_j = c_j - sum_{i in j} u_i.
double reducedCost(const Core& c, const std::vector<double>& u, int j) {
    double g = c.cost[j];
    for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) g -= u[*r];
    return g;
}

struct Incumbent {
    std::vector<int> cols;  ///< core columns
    double cost = std::numeric_limits<double>::infinity();
};

/// Removes columns whose rows stay covered without them, dearest first.
void dropRedundant(const Core& c, std::vector<int>& sol) {
    std::vector<int> cov(c.m, 0);
    for (int j : sol)
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) ++cov[*r];
    std::sort(sol.begin(), sol.end(), [&](int a, int b) { return c.cost[a] > c.cost[b] || (c.cost[a] == c.cost[b] && a < b); });
    std::vector<int> keep;
    for (int j : sol) {
        bool redundant = true;
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r)
            if (cov[*r] <= c.demand[*r]) {
                redundant = false;
                break;
            }
        if (redundant) {
            for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) --cov[*r];
        } else {
            keep.push_back(j);
        }
    }
    std::sort(keep.begin(), keep.end());
    sol = std::move(keep);
}

/// Greedy on Lagrangian costs: score sigma_j = gamma_j / mu_j when gamma_j > 0, else gamma_j * mu_j,
/// with gamma_j = c_j - sum of u over j's still-uncovered rows and mu_j their count
/// (Caprara, Fischetti & Toth 1999, section 3.2). Scores only grow, so a lazy heap is exact.
Incumbent lagrangianGreedy(const Core& c, const std::vector<double>& u) {
    std::vector<int> resid = c.demand;
    std::vector<double> gamma(c.n);
    std::vector<int> mu(c.n);
    for (int j = 0; j < c.n; ++j) {
        gamma[j] = reducedCost(c, u, j);
        mu[j] = c.col.count(j);
    }
    auto score = [&](int j) { return gamma[j] > 0 ? gamma[j] / mu[j] : gamma[j] * mu[j]; };
    using Entry = std::pair<double, int>;
    std::vector<Entry> heap_data;
    heap_data.reserve(c.n);
    for (int j = 0; j < c.n; ++j) heap_data.emplace_back(score(j), j);
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap(std::greater<Entry>{}, std::move(heap_data));
    std::vector<char> chosen(c.n, 0);
    int open_rows = 0;
    for (int i = 0; i < c.m; ++i) open_rows += resid[i] > 0;
    Incumbent inc;
    while (open_rows > 0 && !heap.empty()) {
        const auto [s, j] = heap.top();
        heap.pop();
        if (chosen[j] || mu[j] == 0) continue;
        const double now = score(j);
        if (now > s) {
            heap.emplace(now, j);
            continue;
        }
        chosen[j] = 1;
        inc.cols.push_back(j);
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) {
            const int i = *r;
            if (resid[i] <= 0) continue;
            if (--resid[i] == 0) {
                --open_rows;
                for (const int* k = c.row.begin(i); k != c.row.end(i); ++k) {
                    gamma[*k] += u[i];
                    --mu[*k];
                }
            }
        }
        // A row that still needs more copies keeps its columns' mu; j itself is used up.
        mu[j] = 0;
    }
    dropRedundant(c, inc.cols);
    inc.cost = 0;
    for (int j : inc.cols) inc.cost += c.cost[j];
    return inc;
}

struct LagrangianResult {
    double bound = 0.0;
    std::vector<double> u;  ///< multipliers at the best bound
};

/// Subgradient optimisation of L(u) = sum_i d_i u_i + sum_j min(0, c_j - sum_{i in j} u_i).
/// Starts from @p start (LP duals) when given, else from u_i = min_j c_j / |I_j| (CFT section 3.1).
LagrangianResult subgradient(const Core& c, Incumbent& inc, const std::vector<double>& start, double deadline_s,
                             Clock::time_point t0) {
    std::vector<double> u(c.m, std::numeric_limits<double>::infinity());
    if (start.empty()) {
        for (int j = 0; j < c.n; ++j) {
            const double share = c.cost[j] / c.col.count(j);
            for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) u[*r] = std::min(u[*r], share);
        }
    } else {
        u = start;
    }
    LagrangianResult best;
    best.u = u;
    best.bound = -std::numeric_limits<double>::infinity();
    std::vector<double> reduced(c.n), s(c.m);
    // From near-optimal multipliers small steps explore nearby u for the greedy (CFT's heuristic phase).
    double lambda = start.empty() ? 0.1 : 0.01;
    const int period = 20;
    double window_max = -1e300, window_min = 1e300;
    int last_improve = 0;
    const int max_iter = 20000;
    for (int it = 0; it < max_iter; ++it) {
        double L = 0.0;
        for (int i = 0; i < c.m; ++i) {
            L += c.demand[i] * u[i];
            s[i] = c.demand[i];
        }
        for (int j = 0; j < c.n; ++j) {
            const double g = reducedCost(c, u, j);
            reduced[j] = g;
            if (g < 0) {
                L += g;
                for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) s[*r] -= 1.0;
            }
        }
        if (L > best.bound + 1e-9 * std::max(1.0, std::abs(L))) {
            if (L > best.bound + 1e-4 * std::max(1.0, std::abs(best.bound))) last_improve = it;
            best.bound = L;
            best.u = u;
        }
        if (it % 10 == 0) {
            Incumbent g = lagrangianGreedy(c, u);
            if (g.cost < inc.cost - 1e-9) inc = std::move(g);
        }
        if (gapClosed(c, inc.cost, roundBound(c, best.bound))) break;
        if (it - last_improve > 300 || lambda < 1e-5 || secondsSince(t0) > deadline_s) break;
        window_max = std::max(window_max, L);
        window_min = std::min(window_min, L);
        if ((it + 1) % period == 0) {
            const double spread = (window_max - window_min) / std::max(1e-9, std::abs(window_max));
            if (spread > 0.01) lambda *= 0.5;
            else if (spread < 0.001) lambda *= 1.5;
            window_max = -1e300;
            window_min = 1e300;
        }
        double norm = 0.0;
        for (int i = 0; i < c.m; ++i) {
            if (u[i] <= 0.0 && s[i] < 0.0) s[i] = 0.0;  // projection (CFT section 3.1)
            norm += s[i] * s[i];
        }
        if (norm == 0.0) break;  // u is optimal for the relaxation and x(u) is a cover
        const double target = std::isfinite(inc.cost) ? inc.cost : L * 1.1 + 1.0;
        const double step = lambda * std::max(target - L, 1e-6 * std::max(1.0, std::abs(L))) / norm;
        for (int i = 0; i < c.m; ++i) u[i] = std::max(0.0, u[i] + step * s[i]);
    }
    return best;
}

/// The state both local searches move through: a (possibly infeasible) set of columns, each row's
/// coverage and weight, and each column's score: for a column out of the solution the weight it
/// would cover (rows below their demand), for a column in it minus the weight its removal would
/// uncover. Scores change only where a row crosses its demand, so updates are local.
struct WeightedCover {
    const Core& c;
    std::vector<char> in;
    std::vector<int> cov;
    std::vector<long long> cover_sum;  ///< per row, the sum of the solution columns covering it
    std::vector<long long> w, score, stamp;
    std::vector<int> open, open_pos;  ///< rows with cov < demand
    std::vector<int> sol, sol_pos;    ///< columns in, unordered
    double cost = 0.0;
    long long clock = 0;

    WeightedCover(const Core& core, const std::vector<int>& start)
        : c(core), in(c.n, 0), cov(c.m, 0), cover_sum(c.m, 0), w(c.m, 1), score(c.n, 0), stamp(c.n, 0), open_pos(c.m, -1), sol_pos(c.n, -1) {
        for (int i = 0; i < c.m; ++i) setOpen(i);
        for (int j = 0; j < c.n; ++j) recompute(j);
        for (int j : start) add(j);
        weight_sum = c.m;
    }
    long long contrib(int k, int i) const {
        if (in[k]) return cov[i] <= c.demand[i] ? -w[i] : 0;
        return cov[i] < c.demand[i] ? w[i] : 0;
    }
    void recompute(int j) {
        long long sc = 0;
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) sc += contrib(j, *r);
        score[j] = sc;
    }
    void setOpen(int i) {
        const bool want = cov[i] < c.demand[i];
        if (want && open_pos[i] < 0) {
            open_pos[i] = static_cast<int>(open.size());
            open.push_back(i);
        } else if (!want && open_pos[i] >= 0) {
            const int last = open.back();
            open[open_pos[i]] = last;
            open_pos[last] = open_pos[i];
            open.pop_back();
            open_pos[i] = -1;
        }
    }
    void changeCover(int i, int delta, int self) {
        for (const int* k = c.row.begin(i); k != c.row.end(i); ++k)
            if (*k != self) score[*k] -= contrib(*k, i);
        cov[i] += delta;
        for (const int* k = c.row.begin(i); k != c.row.end(i); ++k)
            if (*k != self) score[*k] += contrib(*k, i);
        setOpen(i);
    }
    void add(int j) {
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) {
            const int i = *r;
            if (c.demand[i] == 1 && cov[i] <= 1) {
                // Single cover, the common case: 0 -> 1 closes the row for every column out of the
                // solution; 1 -> 2 frees its sole coverer (found from cover_sum) from the row.
                if (cov[i] == 0) {
                    for (const int* k = c.row.begin(i); k != c.row.end(i); ++k)
                        if (*k != j) score[*k] -= w[i];
                } else {
                    score[cover_sum[i]] += w[i];
                }
                ++cov[i];
                cover_sum[i] += j;
                setOpen(i);
                continue;
            }
            cover_sum[i] += j;
            if (cov[i] == c.demand[i] - 1 || cov[i] == c.demand[i]) changeCover(i, +1, j);
            else ++cov[i];
        }
        in[j] = 1;
        sol_pos[j] = static_cast<int>(sol.size());
        sol.push_back(j);
        cost += c.cost[j];
        stamp[j] = ++clock;
        recompute(j);
    }
    void remove(int j) {
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r) {
            const int i = *r;
            cover_sum[i] -= j;
            if (c.demand[i] == 1 && cov[i] <= 2) {
                // 1 -> 0 opens the row to every other column; 2 -> 1 leaves one sole coverer.
                if (cov[i] == 1) {
                    for (const int* k = c.row.begin(i); k != c.row.end(i); ++k)
                        if (*k != j) score[*k] += w[i];
                } else {
                    score[cover_sum[i]] -= w[i];
                }
                --cov[i];
                setOpen(i);
                continue;
            }
            if (cov[i] == c.demand[i] || cov[i] == c.demand[i] + 1) changeCover(i, -1, j);
            else --cov[i];
        }
        in[j] = 0;
        const int last = sol.back();
        sol[sol_pos[j]] = last;
        sol_pos[last] = sol_pos[j];
        sol.pop_back();
        sol_pos[j] = -1;
        cost -= c.cost[j];
        stamp[j] = ++clock;
        recompute(j);
    }
    long long weight_sum = 0;  ///< sum of w, kept when weights change
    /// Raises the weight of every open row by one; when the mean weight passes @p decay_at (> 0),
    /// forgets: every weight is scaled by 0.3 (at least 1) and the scores rebuilt.
    void bumpOpenWeights(double decay_at = 0.0) {
        for (int r : open) {
            ++w[r];
            for (const int* k = c.row.begin(r); k != c.row.end(r); ++k) score[*k] += in[*k] ? -1 : 1;
        }
        weight_sum += static_cast<long long>(open.size());
        if (decay_at > 0.0 && static_cast<double>(weight_sum) > decay_at * c.m) {
            weight_sum = 0;
            for (int i = 0; i < c.m; ++i) weight_sum += w[i] = std::max<long long>(1, static_cast<long long>(0.3 * static_cast<double>(w[i])));
            for (int j = 0; j < c.n; ++j) recompute(j);
        }
    }
    /// Higher is better: score per unit cost; ties go to the column changed longest ago.
    bool better(int a, int b) const {
        const double sa = static_cast<double>(score[a]) / c.cost[a];
        const double sb = static_cast<double>(score[b]) / c.cost[b];
        if (sa != sb) return sa > sb;
        return stamp[a] < stamp[b];
    }
    /// Removes the solution column whose removal uncovers the least weight (not @p tabu).
    int removeBest(int tabu) {
        int pick = -1;
        for (int j : sol)
            if (j != tabu && (pick < 0 || better(j, pick))) pick = j;
        if (pick >= 0) remove(pick);
        return pick;
    }
    /// Records a feasible current solution in @p inc when it is cheaper.
    bool record(Incumbent& inc) const {
        if (!open.empty() || cost >= inc.cost - 1e-9) return false;
        inc.cols = sol;
        std::sort(inc.cols.begin(), inc.cols.end());
        inc.cost = cost;
        return true;
    }
};

/// When a local search stops, and its record of improvements.
struct SearchLimits {
    const Core& c;
    double lower_bound;
    double deadline_s;
    Clock::time_point t0;
    long long stale_limit;             ///< steps without improvement
    const std::atomic<bool>* stop;     ///< set by another thread; may be null
    long long last_improve = 0;
    /// Keeps the feasible state @p s in @p inc when cheaper; true when @p inc then meets the bound.
    bool keep(const WeightedCover& s, Incumbent& inc, long long it) {
        if (!s.record(inc)) return false;
        last_improve = it;
        return gapClosed(c, inc.cost, lower_bound);
    }
    /// Checked every 1024 steps: the time is spent, the search stalled, or another thread stopped it.
    bool over(long long it) const {
        return (it & 1023) == 0 && (secondsSince(t0) > deadline_s || it - last_improve > stale_limit || (stop && *stop));
    }
};

/// Row-weighting local search from @p inc (Gao, Weise & Li 2015, Algorithm 1): remove the column
/// whose removal costs least, add the best column of a random open row that configuration checking
/// allows, raise the weights of the rows left open. Returns when the time budget is spent, the
/// incumbent meets the bound, the search stalls or another thread stops it (@p lim); the result is
/// the number of steps taken.
long long rowWeightingSearch(const Core& c, Incumbent& inc, SearchLimits lim, uint64_t seed) {
    if (c.n == 0) return 0;
    std::mt19937_64 rng(seed);
    WeightedCover s(c, inc.cols);
    // Configuration checking (section 3.3): a removed column may come back only after a column
    // sharing a row with it has changed state; this breaks add/remove cycles.
    std::vector<char> conf(c.n, 1);
    auto touchNeighbours = [&](int j) {
        for (const int* r = c.col.begin(j); r != c.col.end(j); ++r)
            for (const int* k = c.row.begin(*r); k != c.row.end(*r); ++k) conf[*k] = 1;
    };
    const double eps = c.delta > 0 ? c.delta - 1e-9 : 1e-9 * std::max(1.0, inc.cost);
    auto removeBest = [&](int tabu) {
        const int j = s.removeBest(tabu);
        if (j >= 0) {
            touchNeighbours(j);
            conf[j] = 0;
        }
        return j;
    };
    long long it = 0;
    int tabu_add = -1;
    while (true) {
        ++it;
        if (s.open.empty()) {
            if (lim.keep(s, inc, it)) return it;
            while (!s.sol.empty() && s.cost > inc.cost - eps) removeBest(-1);
            continue;
        }
        if (lim.over(it)) return it;
        removeBest(tabu_add);
        const int i = s.open[rng() % s.open.size()];
        int pick = -1;
        for (const int* k = c.row.begin(i); k != c.row.end(i); ++k)
            if (!s.in[*k] && conf[*k] && (pick < 0 || s.better(*k, pick))) pick = *k;
        if (pick < 0)
            for (const int* k = c.row.begin(i); k != c.row.end(i); ++k)
                if (!s.in[*k] && (pick < 0 || s.better(*k, pick))) pick = *k;
        if (pick >= 0) {
            s.add(pick);
            touchNeighbours(pick);
            tabu_add = pick;
        }
        s.bumpOpenWeights();
        while (s.sol.size() > 1 && s.cost > inc.cost - eps)
            if (removeBest(tabu_add) < 0) break;
    }
}

/// Unicost local search with a joint swap (Lin et al. 2020, "Weighting-based parallel local search
/// for optimal camera placement and unicost set covering", its joint swap move): with one column
/// fewer than the incumbent, pick a random open row, and among the pairs (add j1 covering it, remove
/// j2 from the solution) take the one whose open weight after the swap is least, counting that rows
/// j1 and j2 share stay covered. Row weights rise when no swap lowers the open weight; with
/// @p decay_at > 0 they are forgotten (scaled by 0.3) whenever their mean passes it, as NuSC does
/// (Luo et al.). Stops as rowWeightingSearch does.
long long swapSearch(const Core& c, Incumbent& inc, SearchLimits lim, uint64_t seed, double decay_at) {
    if (c.n == 0 || inc.cols.empty()) return 0;
    std::mt19937_64 rng(seed);
    WeightedCover s(c, inc.cols);
    std::vector<long long> shared(c.n, 0);  // per solution column: weight it stops being alone on
    std::vector<int> touched;
    long long it = 0;
    int last_added = -1, last_removed = -1;
    while (true) {
        ++it;
        if (s.open.empty()) {
            if (lim.keep(s, inc, it)) return it;
            s.removeBest(-1);
            continue;
        }
        if (lim.over(it)) return it;
        const int e = s.open[rng() % s.open.size()];
        // The two cheapest removals ignoring interactions: the default partners of every j1.
        auto cheaper = [&](int a, int b) { return b < 0 || s.score[a] > s.score[b] || (s.score[a] == s.score[b] && s.stamp[a] < s.stamp[b]); };
        int free1 = -1, free2 = -1;
        for (int j : s.sol) {
            if (j == last_added) continue;
            if (cheaper(j, free1)) free2 = free1, free1 = j;
            else if (cheaper(j, free2)) free2 = j;
        }
        int best1 = -1, best2 = -1;
        long long best_delta = 0;
        for (const int* k = c.row.begin(e); k != c.row.end(e); ++k) {
            const int j1 = *k;
            if (s.in[j1] || j1 == last_removed) continue;
            // Adding j1 lifts rows at their demand to one above it: their sole coverer may then go.
            touched.clear();
            for (const int* r = c.col.begin(j1); r != c.col.end(j1); ++r) {
                const int i = *r;
                if (s.cov[i] != c.demand[i]) continue;
                auto share = [&](int j2) {
                    if (shared[j2] == 0) touched.push_back(j2);
                    shared[j2] += s.w[i];
                };
                if (s.cov[i] == 1) {
                    share(static_cast<int>(s.cover_sum[i]));  // the one column covering i
                } else {
                    for (const int* q = c.row.begin(i); q != c.row.end(i); ++q)
                        if (s.in[*q]) share(*q);
                }
            }
            auto consider = [&](int j2, long long removal) {
                const long long delta = -s.score[j1] + removal;
                const bool take = best1 < 0 || delta < best_delta ||
                                  (delta == best_delta && s.stamp[j1] + s.stamp[j2] < s.stamp[best1] + s.stamp[best2]);
                if (take) best1 = j1, best2 = j2, best_delta = delta;
            };
            const int free_best = free1 >= 0 && shared[free1] == 0 ? free1 : free2 >= 0 && shared[free2] == 0 ? free2 : -1;
            if (free_best >= 0) consider(free_best, -s.score[free_best]);
            for (int j2 : touched) {
                if (j2 != last_added) consider(j2, -s.score[j2] - shared[j2]);
                shared[j2] = 0;
            }
        }
        if (best1 < 0) {
            s.bumpOpenWeights(decay_at);
            continue;
        }
        s.add(best1);
        s.remove(best2);
        last_added = best1;
        last_removed = best2;
        if (best_delta >= 0) s.bumpOpenWeights(decay_at);
    }
}

/// The covering rows over core columns @p keep: sum_{j in keep covering i} x_j >= d_i.
MipProblem coreMip(const Core& c, const std::vector<int>& keep) {
    MipProblem mip;
    std::vector<std::vector<int>> row_cols(c.m);
    for (size_t k = 0; k < keep.size(); ++k) {
        mip.addBinary(c.cost[keep[k]]);
        for (const int* r = c.col.begin(keep[k]); r != c.col.end(keep[k]); ++r) row_cols[*r].push_back(static_cast<int>(k));
    }
    for (int i = 0; i < c.m; ++i) {
        MipProblem::Row row;
        row.cols = std::move(row_cols[i]);
        row.coefs.assign(row.cols.size(), 1.0);
        row.lower = c.demand[i];
        mip.addRow(std::move(row));
    }
    return mip;
}

/// Core columns (Ceria, Nobili & Sassano 1998; CFT section 2): per row the @p per_row columns of
/// smallest Lagrangian reduced cost, every column with c~_j <= 0, and the incumbent's; ascending.
std::vector<int> coreColumns(const Core& c, const std::vector<double>& reduced, const Incumbent& inc, size_t per_row) {
    std::vector<char> in_core(c.n, 0);
    for (int j : inc.cols) in_core[j] = 1;
    for (int j = 0; j < c.n; ++j)
        if (reduced[j] < 1e-9) in_core[j] = 1;
    std::vector<int> by_row;
    for (int i = 0; i < c.m; ++i) {
        by_row.assign(c.row.begin(i), c.row.end(i));
        const size_t k = std::min(by_row.size(), per_row);
        std::partial_sort(by_row.begin(), by_row.begin() + k, by_row.end(),
                          [&](int a, int b) { return reduced[a] < reduced[b] || (reduced[a] == reduced[b] && a < b); });
        for (size_t q = 0; q < k; ++q) in_core[by_row[q]] = 1;
    }
    std::vector<int> cols;
    for (int j = 0; j < c.n; ++j)
        if (in_core[j]) cols.push_back(j);
    return cols;
}

/// The problem restricted to columns @p cols (ascending); orig_col maps back to @p c's columns.
Core restrictColumns(const Core& c, const std::vector<int>& cols) {
    Core s;
    s.m = c.m;
    s.n = static_cast<int>(cols.size());
    s.demand = c.demand;
    s.delta = c.delta;
    s.orig_col = cols;
    for (int j : cols) {
        s.cost.push_back(c.cost[j]);
        s.col.idx.insert(s.col.idx.end(), c.col.begin(j), c.col.end(j));
        s.col.start.push_back(static_cast<int>(s.col.idx.size()));
    }
    s.row = transpose(s.col, s.m);
    return s;
}

/// L(u) = sum_i d_i u_i + sum_j min(0, c~_j): a valid lower bound for any u >= 0.
double lagrangianValue(const Core& c, const std::vector<double>& u) {
    double L = 0.0;
    for (int i = 0; i < c.m; ++i) L += c.demand[i] * u[i];
    for (int j = 0; j < c.n; ++j) {
        L += std::min(0.0, reducedCost(c, u, j));
    }
    return L;
}

}  // namespace

double relativeGap(double objective, double bound) {
    if (!std::isfinite(objective)) return std::numeric_limits<double>::infinity();
    const double g = (objective - bound) / std::max(std::abs(objective), 1e-12);
    return g < 1e-12 ? 0.0 : g;
}

void validate(const SetCoverProblem& p) {
    if (p.num_rows < 0) throw InputError("set cover: negative row count");
    if (p.columns.size() != p.cost.size())
        throw InputError("set cover: " + std::to_string(p.cost.size()) + " costs for " + std::to_string(p.columns.size()) +
                         " columns");
    for (size_t j = 0; j < p.cost.size(); ++j) {
        if (!std::isfinite(p.cost[j]) || p.cost[j] < 0)
            throw InputError("set cover: column " + std::to_string(j + 1) + " has cost " + std::to_string(p.cost[j]) +
                             "; costs must be finite and >= 0");
        for (int r : p.columns[j])
            if (r < 0 || r >= p.num_rows)
                throw InputError("set cover: column " + std::to_string(j + 1) + " covers row " + std::to_string(r + 1) +
                                 ", outside 1.." + std::to_string(p.num_rows));
    }
    if (!p.demand.empty() && static_cast<int>(p.demand.size()) != p.num_rows)
        throw InputError("set cover: demand has " + std::to_string(p.demand.size()) + " entries for " +
                         std::to_string(p.num_rows) + " rows");
    for (int d : p.demand)
        if (d < 0) throw InputError("set cover: negative coverage demand");
    for (int j : p.fixed)
        if (j < 0 || j >= static_cast<int>(p.cost.size())) throw InputError("set cover: fixed column out of range");
}

bool isCover(const SetCoverProblem& p, const std::vector<int>& cols, double* cost) {
    std::vector<int> cov(p.num_rows, 0);
    double total = 0.0;
    std::vector<int> sorted = cols;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (int j : sorted) {
        total += p.cost[j];
        std::vector<int> rows = p.columns[j];
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        for (int r : rows) ++cov[r];
    }
    if (cost) *cost = total;
    for (int i = 0; i < p.num_rows; ++i)
        if (cov[i] < (p.demand.empty() ? 1 : p.demand[i])) return false;
    return true;
}

SetCoverResult solveSetCover(const SetCoverProblem& p, const SetCoverOptions& opt) {
    const auto t0 = Clock::now();
    validate(p);
    SetCoverResult res;
    Reduction red = reduce(p);
    if (!red.uncoverable.empty()) {
        res.uncoverable_rows = red.uncoverable;
        res.time_s = secondsSince(t0);
        return res;
    }
    const Core& c = red.core;
    {
        std::ostringstream s;
        s << "reduced " << p.num_rows << " rows x " << p.cost.size() << " columns to " << c.m << " x " << c.n << " ("
          << red.fixed.size() << " columns fixed)";
        say(opt, s.str());
    }
    auto finish = [&](const std::vector<int>& core_cols, double lower_core, const std::string& method) {
        res.feasible = true;
        res.solution = red.fixed;
        for (int j : core_cols) res.solution.push_back(c.orig_col[j]);
        std::sort(res.solution.begin(), res.solution.end());
        double total = 0.0;
        for (int j : res.solution) total += p.cost[j];
        res.objective = total;
        res.lower_bound = std::min(total, red.fixed_cost + lower_core);
        res.gap = relativeGap(res.objective, res.lower_bound);
        res.optimal = res.gap == 0.0;
        res.method = method;
        res.time_s = secondsSince(t0);
        return res;
    };
    if (c.m == 0) return finish({}, 0.0, "reduction");

    const double limit = opt.time_limit_s;
    Incumbent inc;
    // The LP relaxation's duals are optimal Lagrangian multipliers (for set covering the Lagrangian
    // dual equals the LP bound); Clp finds them far faster than subgradient steps converge.
    std::vector<double> u_lp;
    double lp_bound = -std::numeric_limits<double>::infinity();
    if (c.col.idx.size() <= 20'000'000) {
        std::vector<int> all(c.n);
        std::iota(all.begin(), all.end(), 0);
        const LpResult lp = solveLpRelaxation(coreMip(c, all), 0.3 * limit);
        if (static_cast<int>(lp.duals.size()) == c.m) {
            u_lp.resize(c.m);
            for (int i = 0; i < c.m; ++i) u_lp[i] = std::max(0.0, lp.duals[i]);
            lp_bound = lagrangianValue(c, u_lp);
            inc = lagrangianGreedy(c, u_lp);
            say(opt, "lp relaxation " + std::to_string(red.fixed_cost + lp.objective) + " in " + std::to_string(lp.time_s) +
                         " s; L(duals) " + std::to_string(red.fixed_cost + lp_bound) + ", greedy " +
                         std::to_string(red.fixed_cost + inc.cost));
        }
    }
    LagrangianResult lag = subgradient(c, inc, u_lp, 0.25 * limit, t0);
    if (lp_bound > lag.bound) {
        lag.bound = lp_bound;
        lag.u = u_lp;
    }
    double lb = roundBound(c, lag.bound);
    res.lagrangian_bound = red.fixed_cost + lag.bound;
    res.greedy_objective = red.fixed_cost + inc.cost;
    say(opt, "lagrangian bound " + std::to_string(red.fixed_cost + lag.bound) + ", greedy " +
                 std::to_string(red.fixed_cost + inc.cost) + " (" + std::to_string(secondsSince(t0)) + " s)");
    std::string method = "lagrangian-greedy";
    auto proven = [&] { return gapClosed(c, inc.cost, lb); };
    if (proven()) return finish(inc.cols, lb, method);

    const double before_ls = inc.cost;
    std::vector<double> reduced(c.n);
    for (int j = 0; j < c.n; ++j) reduced[j] = reducedCost(c, lag.u, j);
    const bool unicost = std::all_of(c.cost.begin(), c.cost.end(), [&](double v) { return v == c.cost[0]; });
    const long long stale_limit = std::max<long long>(50000, 20LL * c.n);
    // The swap search suits the OR-Library unicost classes; on the rail instances' cores the
    // row-weighting search does better (rail507 unicost 97 vs 98 in 60 s). The swap search forgets
    // its weights (x0.3 when their mean passes 2,000, as NuSC does): single-thread 60 s runs on
    // scpa1 and scpa3, four seeds each, reached 38 on 7 of 8 with it and on 4 of 8 without.
    long long steps = 0;
    auto search = [&](const Core& on, Incumbent& start, double deadline_s, long long stale, bool rail_like, uint64_t seed,
                      const std::atomic<bool>* stop) {
        const SearchLimits lim{on, lb, deadline_s, t0, stale, stop};
        if (unicost && !rail_like) return swapSearch(on, start, lim, seed, 2000.0);
        return rowWeightingSearch(on, start, lim, seed);
    };
    // Unicost problems with many columns per row (the rail instances) make each move scan long rows:
    // the search then runs on a core of ten columns per row by Lagrangian reduced cost (weighted
    // ones keep every column: rail507's 174 comes from CBC cores seeded by that search's incumbent).
    const bool on_core = unicost && c.n > 10 * c.m;
    std::optional<Core> sub;
    if (on_core) sub.emplace(restrictColumns(c, coreColumns(c, reduced, inc, 10)));
    // Searches from @p target (columns of c) and keeps what it finds there; returns the steps taken.
    auto searchFrom = [&](Incumbent& target, double deadline_s, long long stale, uint64_t seed, const std::atomic<bool>* stop) {
        if (!on_core) return search(c, target, deadline_s, stale, false, seed, stop);
        Incumbent si;
        si.cost = target.cost;
        std::vector<int> pos(c.n, -1);
        for (int k = 0; k < sub->n; ++k) pos[sub->orig_col[k]] = k;
        for (int j : target.cols) {
            if (pos[j] < 0) return 0LL;  // the incumbent left the core (CBC found it): nothing to map
            si.cols.push_back(pos[j]);
        }
        const long long n_steps = search(*sub, si, deadline_s, stale, true, seed, stop);
        if (si.cost < target.cost) {
            target.cost = si.cost;
            target.cols.clear();
            for (int k : si.cols) target.cols.push_back(sub->orig_col[k]);
            std::sort(target.cols.begin(), target.cols.end());
        }
        return n_steps;
    };
    auto localSearch = [&](double deadline_s, long long stale) { steps = searchFrom(inc, deadline_s, stale, opt.seed, nullptr); };
    // The long search: one independent search per thread (seeds seed, seed + 1, ...), the best cover
    // wins (the lowest thread on ties); a thread that meets the bound stops the others.
    auto longSearch = [&](double deadline_s) {
        const int threads = resolveThreads(opt.threads);
        std::vector<Incumbent> found(static_cast<size_t>(threads), inc);
        std::vector<long long> taken(static_cast<size_t>(threads), 0);
        std::atomic<bool> stop{false};
        ParallelErrors errors;  // (an allocation failure) leaves the region through it
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int t = 0; t < threads; ++t) errors.run(t, [&] {
            const size_t u = static_cast<size_t>(t);
            taken[u] = searchFrom(found[u], deadline_s, std::numeric_limits<long long>::max(), opt.seed + static_cast<uint64_t>(t), &stop);
            if (gapClosed(c, found[u].cost, lb)) stop = true;
        });
        errors.rethrow();
        steps = 0;
        for (int t = 0; t < threads; ++t) {
            steps += taken[static_cast<size_t>(t)];
            if (found[static_cast<size_t>(t)].cost < inc.cost) inc = found[static_cast<size_t>(t)];
        }
    };
    auto sayLocalSearch = [&] {
        say(opt, "local search " + std::to_string(red.fixed_cost + inc.cost) + " after " + std::to_string(steps) + " steps (" +
                     std::to_string(secondsSince(t0)) + " s)");
    };
    localSearch(secondsSince(t0) + (opt.exact ? 0.05 : 1.0) * (limit - secondsSince(t0)), stale_limit);
    if (inc.cost < before_ls) method = "local-search";
    sayLocalSearch();
    if (proven() || secondsSince(t0) >= limit) return finish(inc.cols, lb, method);

    // Lagrangian reduced-cost fixing: x_j = 1 with c~_j > 0 implies cost >= L(u) + c~_j, so a column
    // with L(u) + c~_j > UB - delta appears in no solution better than the incumbent. CBC then
    // searches the survivors, warm-started with the incumbent; its bound is valid for the problem.
    auto exactOnSurvivors = [&](double time_limit_s) {
        std::vector<char> in_inc(c.n, 0);
        for (int j : inc.cols) in_inc[j] = 1;
        std::vector<int> keep;
        const double slack = inc.cost - (c.delta > 0 ? c.delta : 0.0) - lag.bound + 1e-7;
        for (int j = 0; j < c.n; ++j)
            if (in_inc[j] || reduced[j] <= slack) keep.push_back(j);
        say(opt, "exact: " + std::to_string(keep.size()) + " of " + std::to_string(c.n) + " columns survive reduced-cost fixing");
        std::vector<double> warm;
        for (int j : keep) warm.push_back(in_inc[j] ? 1.0 : 0.0);
        MipOptions mo;
        mo.time_limit_s = time_limit_s;
        mo.warm_start = warm;
        const MipResult mr = solveMip(coreMip(c, keep), mo);
        if (mr.has_solution && mr.objective < inc.cost - 1e-9) {
            inc.cols.clear();
            for (size_t k = 0; k < keep.size(); ++k)
                if (mr.x[k] > 0.5) inc.cols.push_back(keep[k]);
            inc.cost = 0;
            for (int j : inc.cols) inc.cost += c.cost[j];
            method = "cbc";
        }
        if (mr.optimal) {
            lb = inc.cost;
        } else if (std::isfinite(mr.bound)) {
            lb = std::max(lb, roundBound(c, std::min(inc.cost, mr.bound)));
        }
        say(opt, std::string("cbc ") + (mr.optimal ? "proved optimality" : "stopped") + " after " + std::to_string(mr.time_s) +
                     " s, " + std::to_string(mr.nodes) + " nodes");
        if (method != "cbc" && mr.optimal) method += "+cbc-proof";
    };

    // Unicost problems with a wide integrality gap (three or more columns between incumbent and
    // bound, as in the OR-Library unicost classes) are seldom closed by CBC: it gets a short try,
    // and when that does not prove the incumbent, the local search gets most of the time left.
    if (unicost && inc.cost - lb >= 3.0 * c.cost[0] - 1e-9) {
        if (opt.exact) exactOnSurvivors(0.15 * (limit - secondsSince(t0)));
        if (proven() || secondsSince(t0) >= limit) return finish(inc.cols, lb, method);
        const double before = inc.cost;
        longSearch(secondsSince(t0) + (opt.exact ? 0.85 : 1.0) * (limit - secondsSince(t0)));
        if (inc.cost < before) method = "local-search";
        sayLocalSearch();
        if (proven() || secondsSince(t0) >= limit) return finish(inc.cols, lb, method);
    }
    if (!opt.exact) return finish(inc.cols, lb, method);

    // Core problem (Ceria, Nobili & Sassano 1998; CFT section 2): optimal covers use mostly columns of
    // small Lagrangian reduced cost. CBC on the few columns with the smallest c~_j per row finds
    // near-optimal covers quickly; they are covers of the whole problem, so any one is an incumbent.
    // Grown while CBC proves each core optimal quickly: 5, 10, 20, ... columns per row.
    const double core_deadline = secondsSince(t0) + 0.75 * (limit - secondsSince(t0));
    for (size_t per_row = 5; c.n > 4 * c.m && secondsSince(t0) < core_deadline; per_row *= 2) {
        const std::vector<int> core_cols = coreColumns(c, reduced, inc, per_row);
        std::vector<char> in_inc(c.n, 0);
        for (int j : inc.cols) in_inc[j] = 1;
        std::vector<double> warm;
        for (int j : core_cols) warm.push_back(in_inc[j] ? 1.0 : 0.0);
        if (core_cols.size() * 2 > static_cast<size_t>(c.n)) break;  // no longer a core: the full MIP follows
        MipOptions mo;
        mo.time_limit_s = core_deadline - secondsSince(t0);
        // Only strictly better covers are of interest: with integral costs, cost <= UB - delta.
        // The cutoff prunes every node that cannot reach one (no warm start is then needed).
        if (c.delta > 0) mo.cutoff = inc.cost - c.delta + 1e-6;
        else mo.warm_start = warm;
        const MipResult mr = solveMip(coreMip(c, core_cols), mo);
        if (mr.has_solution && mr.objective < inc.cost - 1e-9) {
            inc.cols.clear();
            inc.cost = 0.0;
            for (size_t k = 0; k < core_cols.size(); ++k)
                if (mr.x[k] > 0.5) inc.cols.push_back(core_cols[k]), inc.cost += c.cost[core_cols[k]];
            method = "cbc-core";
        }
        say(opt, "core of " + std::to_string(core_cols.size()) + " columns: " + std::to_string(red.fixed_cost + inc.cost) +
                     (mr.optimal || mr.infeasible ? " (core optimal, " : " (") + std::to_string(secondsSince(t0)) + " s)");
        if (proven() || secondsSince(t0) >= limit) return finish(inc.cols, lb, method);
    }

    // CBC checks its limit between nodes: loading the survivors and the root LP run past it (by
    // 1.3 s on rail507 with 1.3 s left), so it gets 80 % of what is left, and nothing below 0.5 s.
    if (limit - secondsSince(t0) >= 0.5) exactOnSurvivors(0.8 * (limit - secondsSince(t0)));
    return finish(inc.cols, lb, method);
}

}  // namespace phusong::plan
