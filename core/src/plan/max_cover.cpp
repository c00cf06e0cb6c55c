#include "phusong/core/plan/max_cover.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "phusong/core/error.hpp"
#include "phusong/core/plan/mip.hpp"
#include "phusong/core/plan/set_cover.hpp"

namespace phusong::plan {

namespace {

using Clock = std::chrono::steady_clock;

struct Merged {
    std::vector<double> weight;             ///< per merged point
    std::vector<std::vector<int>> columns;  ///< merged points per candidate
};

/// Points with identical candidate sets behave as one point carrying their summed demand.
Merged mergePoints(const MaxCoverProblem& p) {
    std::vector<std::vector<int>> by_point(p.num_points);
    for (size_t j = 0; j < p.columns.size(); ++j)
        for (int i : p.columns[j]) by_point[i].push_back(static_cast<int>(j));
    std::map<std::vector<int>, int> ids;
    Merged m;
    m.columns.resize(p.columns.size());
    for (int i = 0; i < p.num_points; ++i) {
        auto& key = by_point[i];
        if (key.empty() || p.weight[i] <= 0) continue;
        std::sort(key.begin(), key.end());
        key.erase(std::unique(key.begin(), key.end()), key.end());
        auto [it, fresh] = ids.emplace(key, static_cast<int>(m.weight.size()));
        if (fresh) {
            m.weight.push_back(0.0);
            for (int j : key) m.columns[j].push_back(it->second);
        }
        m.weight[it->second] += p.weight[i];
    }
    return m;
}

double candidateCost(const MaxCoverProblem& p, int j) { return p.cost.empty() ? 1.0 : p.cost[j]; }

}  // namespace

double coveredDemand(const MaxCoverProblem& p, const std::vector<int>& open) {
    std::vector<char> hit(p.num_points, 0);
    for (int j : open)
        for (int i : p.columns[j]) hit[i] = 1;
    double total = 0.0;
    for (int i = 0; i < p.num_points; ++i)
        if (hit[i]) total += p.weight[i];
    return total;
}

MaxCoverResult solveMaxCover(const MaxCoverProblem& p, const MaxCoverOptions& opt) {
    const auto t0 = Clock::now();
    const int n = static_cast<int>(p.columns.size());
    if (static_cast<int>(p.weight.size()) != p.num_points) throw InputError("max cover: one weight per point is required");
    if (!p.cost.empty() && static_cast<int>(p.cost.size()) != n) throw InputError("max cover: one cost per candidate");
    for (int j = 0; j < n; ++j) {
        for (int i : p.columns[j])
            if (i < 0 || i >= p.num_points) throw InputError("max cover: candidate " + std::to_string(j + 1) + " covers an unknown point");
        if (!(candidateCost(p, j) >= 0)) throw InputError("max cover: negative candidate cost");
    }
    for (double w : p.weight)
        if (!(w >= 0)) throw InputError("max cover: demand weights must be >= 0");

    const Merged m = mergePoints(p);
    const int pts = static_cast<int>(m.weight.size());
    std::vector<int> cov(pts, 0);
    std::vector<char> open(n, 0);
    double spent = 0.0, covered = 0.0;
    auto openIt = [&](int j) {
        open[j] = 1;
        spent += candidateCost(p, j);
        for (int i : m.columns[j])
            if (cov[i]++ == 0) covered += m.weight[i];
    };
    auto closeIt = [&](int j) {
        open[j] = 0;
        spent -= candidateCost(p, j);
        for (int i : m.columns[j])
            if (--cov[i] == 0) covered -= m.weight[i];
    };
    for (int j : p.fixed)
        if (!open[j]) openIt(j);
    if (spent > p.budget + 1e-9) throw InputError("max cover: the fixed candidates already exceed the budget");

    // Greedy: best marginal demand per unit cost among the affordable candidates.
    for (;;) {
        int best = -1;
        double best_ratio = 0.0;
        for (int j = 0; j < n; ++j) {
            if (open[j] || spent + candidateCost(p, j) > p.budget + 1e-9) continue;
            double gain = 0.0;
            for (int i : m.columns[j])
                if (cov[i] == 0) gain += m.weight[i];
            const double ratio = gain / std::max(candidateCost(p, j), 1e-12);
            if (gain > 0 && ratio > best_ratio) best_ratio = ratio, best = j;
        }
        if (best < 0) break;
        openIt(best);
    }
    MaxCoverResult res;
    res.greedy = covered;
    res.method = "greedy";

    // 1-swap local search: close one non-fixed candidate, open the best affordable replacement.
    std::vector<char> fixed(n, 0);
    for (int j : p.fixed) fixed[j] = 1;
    for (bool improved = true; improved;) {
        improved = false;
        for (int out = 0; out < n && !improved; ++out) {
            if (!open[out] || fixed[out]) continue;
            closeIt(out);
            int best = -1;
            double best_gain = 0.0;
            for (int in = 0; in < n; ++in) {
                if (open[in] || in == out || spent + candidateCost(p, in) > p.budget + 1e-9) continue;
                double gain = 0.0;
                for (int i : m.columns[in])
                    if (cov[i] == 0) gain += m.weight[i];
                if (gain > best_gain) best_gain = gain, best = in;
            }
            double out_gain = 0.0;
            for (int i : m.columns[out])
                if (cov[i] == 0) out_gain += m.weight[i];
            if (best >= 0 && best_gain > out_gain + 1e-9) {
                openIt(best);
                improved = true;
                res.method = "local-search";
            } else {
                openIt(out);
            }
        }
    }

    // Upper bound without the MIP: f is submodular, so f(S) <= sum of singletons; a fractional
    // knapsack over singleton values within the remaining budget bounds every completion.
    double total = std::accumulate(m.weight.begin(), m.weight.end(), 0.0);
    double bound = total;
    {
        std::vector<int> fc(pts, 0);
        double base = 0.0, fixed_cost = 0.0;
        for (int j : p.fixed) {
            fixed_cost += candidateCost(p, j);
            for (int i : m.columns[j])
                if (fc[i]++ == 0) base += m.weight[i];
        }
        std::vector<std::pair<double, double>> items;  // value, cost
        for (int j = 0; j < n; ++j) {
            if (fixed[j]) continue;
            double v = 0.0;
            for (int i : m.columns[j])
                if (fc[i] == 0) v += m.weight[i];
            if (v > 0) items.emplace_back(v, candidateCost(p, j));
        }
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
            return a.first * std::max(b.second, 1e-12) > b.first * std::max(a.second, 1e-12);
        });
        double room = p.budget - fixed_cost, extra = 0.0;
        for (const auto& [v, c] : items) {
            if (c <= room) {
                extra += v;
                room -= c;
            } else {
                extra += v * (c > 0 ? room / c : 1.0);
                break;
            }
        }
        bound = std::min(total, base + extra);
    }

    auto openList = [&] {
        std::vector<int> s;
        for (int j = 0; j < n; ++j)
            if (open[j]) s.push_back(j);
        return s;
    };
    res.solution = openList();
    res.covered = covered;
    if (opt.log) opt.log("greedy " + std::to_string(res.greedy) + ", local search " + std::to_string(covered) +
                         ", bound " + std::to_string(bound));

    if (opt.exact && covered < bound - 1e-9) {
        MipProblem mip;
        mip.maximize = true;
        std::vector<double> warm;
        for (int j = 0; j < n; ++j) {
            mip.addColumn(0.0, fixed[j] ? 1.0 : 0.0, 1.0, true);
            warm.push_back(open[j] ? 1.0 : 0.0);
        }
        std::vector<std::vector<int>> covering(pts);
        for (int j = 0; j < n; ++j)
            for (int i : m.columns[j]) covering[i].push_back(j);
        for (int i = 0; i < pts; ++i) {
            const int y = mip.addColumn(m.weight[i], 0.0, 1.0, false);
            warm.push_back(cov[i] > 0 ? 1.0 : 0.0);
            MipProblem::Row r;  // y_i - sum_j x_j <= 0
            r.cols = covering[i];
            r.coefs.assign(r.cols.size(), -1.0);
            r.cols.push_back(y);
            r.coefs.push_back(1.0);
            r.upper = 0.0;
            mip.addRow(std::move(r));
        }
        MipProblem::Row budget;
        for (int j = 0; j < n; ++j) {
            budget.cols.push_back(j);
            budget.coefs.push_back(candidateCost(p, j));
        }
        budget.upper = p.budget;
        mip.addRow(std::move(budget));
        MipOptions mo;
        mo.time_limit_s = std::max(0.01, opt.time_limit_s - std::chrono::duration<double>(Clock::now() - t0).count());
        mo.warm_start = warm;
        const MipResult mr = solveMip(mip, mo);
        if (mr.has_solution) {
            std::vector<int> s;
            for (int j = 0; j < n; ++j)
                if (mr.x[j] > 0.5) s.push_back(j);
            const double v = coveredDemand(p, s);
            if (v > res.covered + 1e-9) {
                res.solution = s;
                res.covered = v;
                res.method = "cbc";
            }
        }
        if (mr.optimal) bound = res.covered;
        else if (std::isfinite(mr.bound)) bound = std::min(bound, mr.bound);
        if (opt.log) opt.log(std::string("cbc ") + (mr.optimal ? "proved optimality" : "stopped") + " after " +
                             std::to_string(mr.time_s) + " s");
    }
    res.spent = 0.0;
    for (int j : res.solution) res.spent += candidateCost(p, j);
    res.upper_bound = std::max(bound, res.covered);
    res.gap = res.upper_bound > 0 ? (res.upper_bound - res.covered) / res.upper_bound : 0.0;
    if (res.gap < 1e-12) res.gap = 0.0;
    res.optimal = res.gap == 0.0;
    res.time_s = std::chrono::duration<double>(Clock::now() - t0).count();
    return res;
}

}  // namespace phusong::plan
