#include "phusong/core/plan/planner.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <set>

#include "phusong/core/error.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/core/plan/mip.hpp"
#include "phusong/core/plan/set_cover.hpp"
#include "phusong/core/technology.hpp"

namespace phusong::plan {

namespace {

using Clock = std::chrono::steady_clock;

Sector towerSector(const Tower& t, const Radio& radio) {
    Sector s;
    s.site_id = t.id;
    s.location = "tower " + t.id;
    s.position = t.position;
    s.xy = t.xy;
    s.antenna_height_m = t.height_m;
    s.tech = radio.tech;
    s.freq_MHz = radio.freq_MHz;
    s.eirp_dBm = radio.eirp_dBm;
    s.bandwidth_MHz = radio.bandwidth_MHz > 0 ? radio.bandwidth_MHz : defaultBandwidth_MHz(radio.tech);
    s.reference_offset_dB = referenceSignalOffset_dB(radio.tech, s.bandwidth_MHz).value_or(0.0);
    s.pattern.azimuth_deg.reset();  // omni
    return s;
}

struct Fnv {
    uint64_t h = 1469598103934665603ull;
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    }
    template <class T>
    void pod(const T& v) {
        bytes(&v, sizeof v);
    }
    void str(const std::string& s) {
        pod(s.size());
        bytes(s.data(), s.size());
    }
};

}  // namespace

CoverageMatrix computeCoverageMatrix(const DemGrid& dem, const std::vector<Tower>& towers, const std::vector<PointXY>& points,
                                     const Radio& radio, const engine::SweepOptions& sweep, double floor_dBm, int threads,
                                     const std::function<void(double)>& progress) {
    const GeoTransform& gt = dem.geoTransform();
    CoverageMatrix m;
    std::atomic<long> done{0};
    m.points = static_cast<int>(points.size());
    m.by_tower.resize(towers.size());
    // Points by pixel, so that each tower's window is scanned for the points inside it only.
    std::vector<std::pair<int, int>> pix(points.size());
    for (size_t i = 0; i < points.size(); ++i)
        pix[i] = {static_cast<int>(std::floor(gt.colOf(points[i].x_m) + 0.5)), static_cast<int>(std::floor(gt.rowOf(points[i].y_m) + 0.5))};
    const int radius_px = engine::windowRadius_px(dem, sweep.radius_m);
    const int nthreads = resolveThreads(threads);
    engine::RadialPlans rplan(radius_px, gt.pixel_width_m, gt.pixel_height_m, nthreads);
    // Only the points' pixels are read: each sweep walks the rays that reach them and evaluates the
    // model there, with the values a full sweep gives.
    std::vector<size_t> point_pixels;
    for (const auto& [c, r] : pix) {
        if (c >= 0 && r >= 0 && c < dem.width() && r < dem.height()) point_pixels.push_back(static_cast<size_t>(r) * static_cast<size_t>(dem.width()) + static_cast<size_t>(c));
    }
    std::sort(point_pixels.begin(), point_pixels.end());
    point_pixels.erase(std::unique(point_pixels.begin(), point_pixels.end()), point_pixels.end());
    engine::SweepOptions point_sweep = sweep;
    point_sweep.only_pixels = &point_pixels;
    const long n = static_cast<long>(towers.size());
    ParallelErrors errors;  // a model's InputError leaves the region through it
#pragma omp parallel num_threads(nthreads)
    {
        auto scratch = engine::makeSweepScratch();
        engine::SectorWindow win;
#pragma omp for schedule(dynamic, 1)
        for (long t = 0; t < n; ++t) errors.run(t, [&] {
            const Sector s = towerSector(towers[static_cast<size_t>(t)], radio);
            if (!hasGroundAt(dem, s.xy.x_m, s.xy.y_m)) return;
            engine::sweepSector(dem, s, point_sweep, rplan, win, *scratch, nullptr);
            auto& out = m.by_tower[static_cast<size_t>(t)];
            for (size_t i = 0; i < pix.size(); ++i) {
                const int c = pix[i].first - win.col0, r = pix[i].second - win.row0;
                if (c < 0 || r < 0 || c >= win.width || r >= win.height) continue;
                const float v = win.signal_dBm[static_cast<size_t>(r) * win.width + c];
                if (!std::isnan(v) && v >= floor_dBm) out.emplace_back(static_cast<int>(i), v);
            }
            const long d = ++done;
            if (progress && omp_get_thread_num() == 0) progress(static_cast<double>(d) / static_cast<double>(n));
        });
    }
    errors.rethrow();
    if (progress) progress(1.0);
    return m;
}

uint64_t coverageMatrixKey(const DemGrid& dem, const std::vector<Tower>& towers, const std::vector<PointXY>& points,
                           const Radio& radio, const engine::SweepOptions& sweep, double floor_dBm,
                           const std::string& model_signature) {
    Fnv f;
    f.str("phusong coverage matrix v1");
    f.pod(dem.width());
    f.pod(dem.height());
    f.pod(dem.geoTransform());
    f.bytes(dem.data().data(), dem.data().size() * sizeof(float));
    for (const Tower& t : towers) {
        f.pod(t.xy);
        f.pod(t.height_m);
    }
    f.bytes(points.data(), points.size() * sizeof(PointXY));
    f.pod(radio.tech);
    f.pod(radio.freq_MHz);
    f.pod(radio.eirp_dBm);
    f.pod(radio.bandwidth_MHz);
    f.pod(sweep.radius_m);
    f.pod(sweep.rx_height_m);
    f.str(model_signature);  // every model flag, spelled out by the caller (no struct padding hashed)
    f.pod(floor_dBm);
    if (sweep.clutter_loss_dB) f.bytes(sweep.clutter_loss_dB->data().data(), sweep.clutter_loss_dB->data().size() * sizeof(float));
    return f.h;
}

std::string serializeMatrix(const CoverageMatrix& m) {
    std::string out = "PHSMTX1\n";
    auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
    const int64_t pts = m.points, towers = static_cast<int64_t>(m.by_tower.size());
    put(&pts, 8);
    put(&towers, 8);
    for (const auto& list : m.by_tower) {
        const int64_t k = static_cast<int64_t>(list.size());
        put(&k, 8);
        for (const auto& [i, v] : list) {
            put(&i, 4);
            put(&v, 4);
        }
    }
    return out;
}

CoverageMatrix deserializeMatrix(const std::string& bytes) {
    size_t at = 8;
    if (bytes.compare(0, 8, "PHSMTX1\n") != 0) throw Error("coverage matrix cache: bad header");
    auto get = [&](void* p, size_t n) {
        if (at + n > bytes.size()) throw Error("coverage matrix cache: truncated");
        std::memcpy(p, bytes.data() + at, n);
        at += n;
    };
    int64_t pts = 0, towers = 0;
    get(&pts, 8);
    get(&towers, 8);
    if (pts < 0 || towers < 0 || towers > 100'000'000) throw Error("coverage matrix cache: bad sizes");
    CoverageMatrix m;
    m.points = static_cast<int>(pts);
    m.by_tower.resize(static_cast<size_t>(towers));
    for (auto& list : m.by_tower) {
        int64_t k = 0;
        get(&k, 8);
        if (k < 0 || k > pts) throw Error("coverage matrix cache: bad list");
        list.resize(static_cast<size_t>(k));
        for (auto& [i, v] : list) {
            get(&i, 4);
            get(&v, 4);
        }
    }
    if (at != bytes.size()) throw Error("coverage matrix cache: trailing bytes");
    return m;
}

std::vector<Tower> generateCandidates(const DemGrid& dem, double spacing_m, double height_m, double min_x, double min_y,
                                      double max_x, double max_y) {
    if (!(spacing_m > 0)) throw InputError("candidate spacing must be positive");
    const GeoTransform& gt = dem.geoTransform();
    const int block_c = std::max(1, static_cast<int>(std::lround(spacing_m / gt.pixel_width_m)));
    const int block_r = std::max(1, static_cast<int>(std::lround(spacing_m / gt.pixel_height_m)));
    const int c0 = std::max(0, static_cast<int>(std::floor(gt.colOf(min_x)))), c1 = std::min(dem.width(), static_cast<int>(std::ceil(gt.colOf(max_x))) + 1);
    const int r0 = std::max(0, static_cast<int>(std::floor(gt.rowOf(max_y)))), r1 = std::min(dem.height(), static_cast<int>(std::ceil(gt.rowOf(min_y))) + 1);
    std::vector<Tower> out;
    for (int br = r0; br < r1; br += block_r)
        for (int bc = c0; bc < c1; bc += block_c) {
            int best_c = -1, best_r = -1;
            float best = -1e30f;
            for (int r = br; r < std::min(r1, br + block_r); ++r)
                for (int c = bc; c < std::min(c1, bc + block_c); ++c) {
                    const float z = dem.at(c, r);
                    if (std::isnan(z) || z <= 0.0f) continue;  // voids and water
                    if (z > best) best = z, best_c = c, best_r = r;
                }
            if (best_c < 0) continue;
            Tower t;
            t.id = std::to_string(out.size() + 1);
            t.id.insert(0, 1, 'C');  // (not "C" + ...: GCC 12 -Wrestrict false positive)
            t.xy = {gt.centerX(best_c), gt.centerY(best_r)};
            t.height_m = height_m;
            t.extra = {{"ground_m", std::to_string(static_cast<int>(std::lround(best)))}};
            out.push_back(std::move(t));
        }
    return out;
}

PlanResult planTowers(const std::vector<Village>& villages, const std::vector<Tower>& towers,
                      const CoverageMatrix& village_matrix, const std::vector<Zone>& zones,
                      const CoverageMatrix* zone_matrix, const PlanOptions& opt) {
    const auto t0 = Clock::now();
    const int nv = static_cast<int>(villages.size());
    const int nt = static_cast<int>(towers.size());
    const int no = static_cast<int>(opt.operators.size());
    if (no == 0) throw InputError("plan: at least one operator is needed (--operators)");
    if (opt.k_fold < 1) throw InputError("plan: --k-fold must be >= 1");
    if (village_matrix.points != nv || static_cast<int>(village_matrix.by_tower.size()) != nt)
        throw Error("plan: coverage matrix does not match the villages and towers");
    if (!zones.empty() && (!zone_matrix || static_cast<int>(zone_matrix->by_tower.size()) != nt))
        throw Error("plan: zones need a 5G coverage matrix");
    auto say = [&](const std::string& s) {
        if (opt.log) opt.log(s);
    };
    const double need_dBm = opt.threshold_dBm + opt.margin_dB;
    const CostModel& cm = opt.costs;

    PlanResult res;
    res.village_best_any_dBm.assign(nv, std::numeric_limits<double>::quiet_NaN());
    std::vector<std::vector<int>> cover(nv);  // towers reaching each village
    for (int t = 0; t < nt; ++t)
        for (const auto& [v, s] : village_matrix.by_tower[t]) {
            double& best = res.village_best_any_dBm[v];
            if (std::isnan(best) || s > best) best = s;
            if (s >= need_dBm) cover[v].push_back(t);
        }
    std::vector<int> reachable;
    for (int v = 0; v < nv; ++v) {
        if (static_cast<int>(cover[v].size()) < opt.k_fold) {
            res.unreachable.push_back(v);
            res.unreachable_towers.push_back(static_cast<int>(cover[v].size()));
        } else {
            reachable.push_back(v);
        }
    }
    if (!res.unreachable.empty()) {
        if (opt.k_fold > 1) {
            const int most = *std::max_element(res.unreachable_towers.begin(), res.unreachable_towers.end());
            say(std::to_string(res.unreachable.size()) + " villages are reached at the threshold by fewer than the " +
                std::to_string(opt.k_fold) + " towers --k-fold asks for (at most " + std::to_string(most) + " of the candidates)");
        } else {
            say(std::to_string(res.unreachable.size()) + " villages cannot be reached at the threshold");
        }
    }

    // Costs per tower and operator.
    auto towerCost = [&](int t) { return towers[t].existing ? 0.0 : (towers[t].cost >= 0 ? towers[t].cost : cm.new_tower); };
    auto onTower = [&](int t, const std::string& o) {
        const auto& ops = towers[t].operators;
        return std::find(ops.begin(), ops.end(), o) != ops.end();
    };
    auto equipCost = [&](int t, const std::string& o) {
        if (towers[t].existing && onTower(t, o)) return 0.0;
        return cm.equipment + (towers[t].existing ? cm.colocation : 0.0);
    };

    // Zone cells each tower reaches with 5G.
    std::vector<std::vector<int>> zone_cells_of;  // per zone: global cell indices
    std::vector<std::vector<int>> cell_cover;     // per global cell: towers
    if (!zones.empty()) {
        int cell = 0;
        for (const Zone& z : zones) {
            zone_cells_of.emplace_back();
            for (size_t k = 0; k < z.cells.size(); ++k) zone_cells_of.back().push_back(cell++);
        }
        cell_cover.resize(cell);
        std::vector<double> cell_threshold(cell);
        for (size_t zi = 0; zi < zones.size(); ++zi)
            for (int c : zone_cells_of[zi]) cell_threshold[c] = zones[zi].threshold_dBm;
        for (int t = 0; t < nt; ++t)
            for (const auto& [c, s] : zone_matrix->by_tower[t])
                if (s >= cell_threshold[c]) cell_cover[c].push_back(t);
    }

    // Heuristic warm start: a tower-level set cover (every operator on every chosen tower, or the
    // cheapest one for --cover-by any), from the Lagrangian heuristics.
    SetCoverProblem scp;
    scp.num_rows = static_cast<int>(reachable.size());
    scp.cost.resize(nt);
    scp.columns.resize(nt);
    for (int t = 0; t < nt; ++t) {
        double c = towerCost(t);
        if (opt.cover_by == CoverBy::Every) {
            for (const auto& o : opt.operators) c += equipCost(t, o);
        } else {
            double cheapest = std::numeric_limits<double>::infinity();
            for (const auto& o : opt.operators) cheapest = std::min(cheapest, equipCost(t, o));
            c += cheapest;
        }
        scp.cost[t] = c;
    }
    for (size_t r = 0; r < reachable.size(); ++r)
        for (int t : cover[reachable[r]]) scp.columns[t].push_back(static_cast<int>(r));
    scp.demand.assign(reachable.size(), opt.k_fold);
    if (opt.lock_existing)
        for (int t = 0; t < nt; ++t)
            if (towers[t].existing) scp.fixed.push_back(t);
    SetCoverOptions so;
    so.time_limit_s = std::max(0.5, 0.2 * opt.time_limit_s);
    so.exact = false;
    const SetCoverResult warm = solveSetCover(scp, so);
    {
        std::ostringstream m;
        m << "heuristic tower-level cover: " << warm.objective;
        say(m.str());
    }

    // The MIP.
    MipProblem mip;
    std::vector<int> ycol(nt), gcol;
    std::vector<std::vector<int>> xcol(nt, std::vector<int>(no));
    const bool budget = opt.budget.has_value();
    for (int t = 0; t < nt; ++t) {
        ycol[t] = mip.addColumn(budget ? 0.0 : towerCost(t), (opt.lock_existing && towers[t].existing) ? 1.0 : 0.0, 1.0, true);
        for (int o = 0; o < no; ++o) {
            const bool present = towers[t].existing && onTower(t, opt.operators[o]);
            xcol[t][o] = mip.addColumn(budget ? 0.0 : equipCost(t, opt.operators[o]),
                                       (opt.lock_existing && present) ? 1.0 : 0.0, 1.0, true);
            mip.addRow({{xcol[t][o], ycol[t]}, {1.0, -1.0}, -std::numeric_limits<double>::infinity(), 0.0});
        }
    }
    std::vector<int> wcol;  // budget: covered share of each reachable village
    if (budget) {
        for (size_t r = 0; r < reachable.size(); ++r) wcol.push_back(mip.addColumn(villages[reachable[r]].population, 0.0, 1.0, false));
        mip.maximize = true;
    }
    for (size_t r = 0; r < reachable.size(); ++r) {
        const int v = reachable[r];
        const double k = opt.k_fold;
        auto addCoverRow = [&](std::vector<int> cols) {
            MipProblem::Row row;
            row.coefs.assign(cols.size(), 1.0);
            row.cols = std::move(cols);
            if (budget) {  // sum x - k w_v >= 0
                row.cols.push_back(wcol[r]);
                row.coefs.push_back(-k);
                row.lower = 0.0;
            } else {
                row.lower = k;
            }
            mip.addRow(std::move(row));
        };
        if (opt.cover_by == CoverBy::Every) {
            for (int o = 0; o < no; ++o) {
                std::vector<int> cols;
                for (int t : cover[v]) cols.push_back(xcol[t][o]);
                addCoverRow(std::move(cols));
            }
        } else {
            std::vector<int> cols;
            for (int t : cover[v])
                for (int o = 0; o < no; ++o) cols.push_back(xcol[t][o]);
            addCoverRow(std::move(cols));
        }
    }
    std::vector<int> zcol;
    if (!zones.empty()) {
        gcol.resize(nt);
        for (int t = 0; t < nt; ++t) {
            gcol[t] = mip.addColumn(budget ? 0.0 : cm.equipment_5g, 0.0, 1.0, true);
            mip.addRow({{gcol[t], ycol[t]}, {1.0, -1.0}, -std::numeric_limits<double>::infinity(), 0.0});
        }
        for (size_t c = 0; c < cell_cover.size(); ++c) {
            zcol.push_back(mip.addColumn(0.0, 0.0, 1.0, false));
            MipProblem::Row row{{zcol.back()}, {1.0}, -std::numeric_limits<double>::infinity(), 0.0};
            for (int t : cell_cover[c]) row.cols.push_back(gcol[t]), row.coefs.push_back(-1.0);
            mip.addRow(std::move(row));
        }
        for (size_t zi = 0; zi < zones.size(); ++zi) {
            MipProblem::Row row;
            for (int c : zone_cells_of[zi]) row.cols.push_back(zcol[c]), row.coefs.push_back(1.0);
            row.lower = std::ceil(zones[zi].target_share * zone_cells_of[zi].size() - 1e-9);
            int reachable_cells = 0;
            for (int c : zone_cells_of[zi]) reachable_cells += !cell_cover[c].empty();
            if (reachable_cells < row.lower) {
                throw InputError("plan: industrial zone '" + zones[zi].name + "' can reach at most " +
                                 std::to_string(100.0 * reachable_cells / std::max<size_t>(1, zone_cells_of[zi].size())) +
                                 " % at " + std::to_string(zones[zi].threshold_dBm) + " dBm with these candidates, below its target " +
                                 std::to_string(100 * zones[zi].target_share) + " %; add candidates near the zone or lower the target");
            }
            mip.addRow(std::move(row));
        }
    }
    if (budget) {
        MipProblem::Row row;
        for (int t = 0; t < nt; ++t) {
            row.cols.push_back(ycol[t]), row.coefs.push_back(towerCost(t));
            for (int o = 0; o < no; ++o) row.cols.push_back(xcol[t][o]), row.coefs.push_back(equipCost(t, opt.operators[o]));
            if (!gcol.empty()) row.cols.push_back(gcol[t]), row.coefs.push_back(cm.equipment_5g);
        }
        row.upper = *opt.budget;
        mip.addRow(std::move(row));
    }
    // Warm start from the heuristic when zones do not need more (the zone rows are then checked by CBC).
    MipOptions mo;
    mo.time_limit_s = std::max(0.5, opt.time_limit_s - std::chrono::duration<double>(Clock::now() - t0).count());
    if (!budget && warm.feasible && zones.empty()) {
        std::vector<double> x(mip.obj.size(), 0.0);
        for (int t : warm.solution) {
            x[ycol[t]] = 1.0;
            if (opt.cover_by == CoverBy::Every) {
                for (int o = 0; o < no; ++o) x[xcol[t][o]] = 1.0;
            } else {
                int best = 0;
                for (int o = 1; o < no; ++o)
                    if (equipCost(t, opt.operators[o]) < equipCost(t, opt.operators[best])) best = o;
                x[xcol[t][best]] = 1.0;
            }
        }
        for (int t = 0; t < nt; ++t)  // locked existing operators
            for (int o = 0; o < no; ++o)
                if (mip.col_lower[xcol[t][o]] > 0) x[xcol[t][o]] = 1.0, x[ycol[t]] = 1.0;
        mo.warm_start = x;
    }
    if (!opt.exact) mo.time_limit_s = std::min(mo.time_limit_s, 1.0);
    const MipResult mr = solveMip(mip, mo);
    if (!mr.has_solution) {
        res.status = mr.infeasible ? "infeasible" : "no solution within the time limit";
        res.time_s = std::chrono::duration<double>(Clock::now() - t0).count();
        return res;
    }
    res.solver = mr.optimal ? "cbc (optimal)" : "cbc (time limit)";
    res.objective = mr.objective;
    res.lower_bound = std::isfinite(mr.bound) ? mr.bound : mr.objective;
    if (mr.optimal) res.lower_bound = mr.objective;
    res.gap = budget ? (res.lower_bound > 0 ? std::max(0.0, (res.lower_bound - res.objective) / res.lower_bound) : 0.0)
                     : relativeGap(res.objective, res.lower_bound);
    res.status = res.gap == 0.0 ? "optimal" : "feasible";
    if (!res.unreachable.empty() && !budget) {
        res.status = "infeasible: " + std::to_string(res.unreachable.size()) + " villages unreachable" +
                     (opt.k_fold > 1 ? " by " + std::to_string(opt.k_fold) + " towers" : std::string()) + "; plan covers the rest";
    }

    // Read the plan back.
    for (int t = 0; t < nt; ++t) {
        if (mr.x[ycol[t]] < 0.5) continue;
        PlanSite s;
        s.tower = t;
        s.cost = towerCost(t);
        for (int o = 0; o < no; ++o)
            if (mr.x[xcol[t][o]] > 0.5) {
                s.operators.push_back(opt.operators[o]);
                if (!(towers[t].existing && onTower(t, opt.operators[o]))) s.added.push_back(opt.operators[o]);
                s.cost += equipCost(t, opt.operators[o]);
            }
        if (!gcol.empty() && mr.x[gcol[t]] > 0.5) s.has_5g = true, s.cost += cm.equipment_5g;
        if (s.operators.empty() && !s.has_5g && !towers[t].existing) continue;  // a tower nobody uses
        s.role = s.operators.size() >= 2 ? "shared" : (towers[t].existing ? "existing" : "new");
        res.towers_new += !towers[t].existing;
        res.towers_shared += s.operators.size() >= 2;
        res.towers_existing += towers[t].existing;
        res.cost += s.cost;
        res.sites.push_back(std::move(s));
    }
    // Per village: best serving plan tower and the operators reaching it.
    std::vector<std::vector<std::string>> ops_of_tower(nt);
    for (const auto& s : res.sites) ops_of_tower[s.tower] = s.operators;
    res.village_best_tower.assign(nv, -1);
    res.village_best_dBm.assign(nv, std::numeric_limits<double>::quiet_NaN());
    res.village_operators.assign(nv, {});
    for (const auto& s : res.sites) {
        if (s.operators.empty()) continue;
        for (const auto& [v, sig] : village_matrix.by_tower[s.tower]) {
            if (std::isnan(res.village_best_dBm[v]) || sig > res.village_best_dBm[v]) res.village_best_dBm[v] = sig, res.village_best_tower[v] = s.tower;
            if (sig >= need_dBm)
                for (const auto& o : s.operators)
                    if (std::find(res.village_operators[v].begin(), res.village_operators[v].end(), o) == res.village_operators[v].end())
                        res.village_operators[v].push_back(o);
        }
    }
    for (int v = 0; v < nv; ++v) {
        std::sort(res.village_operators[v].begin(), res.village_operators[v].end());
        const bool ok = opt.cover_by == CoverBy::Every ? static_cast<int>(res.village_operators[v].size()) == no
                                                        : !res.village_operators[v].empty();
        if (ok) {
            ++res.villages_covered;
            res.population_covered += villages[v].population;
        }
    }
    for (size_t zi = 0; zi < zones.size(); ++zi) {
        int hit = 0;
        for (int c : zone_cells_of[zi]) {
            bool any = false;
            for (int t : cell_cover[c]) any = any || mr.x[gcol[t]] > 0.5;
            hit += any;
        }
        res.zone_share.push_back(zone_cells_of[zi].empty() ? 0.0 : static_cast<double>(hit) / zone_cells_of[zi].size());
    }

    // Each operator alone: its own towers only (its existing ones free), same villages.
    if (!budget) {
        for (const auto& o : opt.operators) {
            SetCoverProblem alone;
            alone.num_rows = scp.num_rows;
            alone.demand = scp.demand;
            for (int t = 0; t < nt; ++t) {
                if (towers[t].existing && !onTower(t, o)) continue;
                const double c = towers[t].existing ? 0.0 : towerCost(t) + cm.equipment;
                alone.cost.push_back(c);
                alone.columns.push_back(scp.columns[t]);
            }
            SetCoverOptions ao;
            ao.time_limit_s = std::max(1.0, 0.1 * opt.time_limit_s);
            ao.exact = opt.exact;
            const SetCoverResult ar = solveSetCover(alone, ao);
            OperatorAlone a;
            a.name = o;
            a.optimal = ar.optimal;
            if (ar.feasible) {
                a.cost = ar.objective;
                for (int j : ar.solution) a.towers += alone.cost[j] > 0 ? 1 : 0;
            } else {
                a.cost = std::numeric_limits<double>::infinity();
            }
            res.alone_cost += a.cost;
            res.alone_towers += a.towers;
            res.alone.push_back(a);
        }
    }
    res.time_s = std::chrono::duration<double>(Clock::now() - t0).count();
    return res;
}

}  // namespace phusong::plan
