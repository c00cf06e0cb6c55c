#pragma once
/// @file planner.hpp
/// Shared-tower placement. Towers (candidates and existing ones) carry equipment per operator;
/// a tower is paid once however many operators use it. The coverage matrix (which tower reaches
/// which village at the technology's threshold) comes from the coverage engine's radial sweep.
///
/// MIP (solved by CBC, warm-started by a tower-level set cover from the Lagrangian heuristics):
///   min  sum_t F_t y_t + sum_{t,o} E_{t,o} x_{t,o} + sum_t G_t g_t
///   s.t. sum_{t in C(v)} x_{t,o} >= k        for every village v and operator o   (--cover-by every)
///        sum_{t in C(v)} sum_o x_{t,o} >= k  for every village v                  (--cover-by any)
///        x_{t,o} <= y_t,  g_t <= y_t,  y_t = 1 for locked existing towers
///        z_c <= sum_{t in C5(c)} g_t,  sum_{c in zone} z_c >= share * |zone|       (5G zone targets)
/// The budget variant maximises sum_v pop_v w_v with w_v in place of 1 on the cover rows, subject to
/// the total cost <= budget (maximal covering, Church & ReVelle 1974).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/engine/radial.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/core/sector.hpp"

namespace phusong::plan {

struct Village {
    std::string id, name;
    LatLon position;
    PointXY xy;
    double population = 1.0;
};

struct Tower {
    std::string id;
    LatLon position;
    PointXY xy;
    double height_m = 30.0;
    double cost = -1.0;                   ///< tower cost; < 0: the cost model's new_tower (0 when existing)
    bool existing = false;
    std::vector<std::string> operators;   ///< operators already on an existing tower
    std::vector<std::pair<std::string, std::string>> extra;  ///< input columns, echoed in plan_sites.csv
};

struct Zone {
    std::string id, name;
    std::vector<PointXY> cells;  ///< sample points inside the zone
    double target_share = 0.95;
    double threshold_dBm = -105.0;
};

struct CostModel {
    double new_tower = 1000.0;     ///< per new tower (cost units, e.g. million VND)
    double equipment = 200.0;      ///< one operator's equipment on a tower
    double colocation = 50.0;      ///< extra for an operator on a tower it does not own (existing towers)
    double equipment_5g = 400.0;   ///< 5G equipment on a tower (zone targets)
};

/// Radio parameters of the equipment the planner places (omni antennas).
struct Radio {
    Technology tech = Technology::G4;
    double freq_MHz = 1800.0;
    double eirp_dBm = 58.0;
    double bandwidth_MHz = 0.0;  ///< 0 = the technology's default
};

/// Signals of every tower at every point, kept where signal >= threshold - keep_below_dB.
struct CoverageMatrix {
    int points = 0;
    std::vector<std::vector<std::pair<int, float>>> by_tower;  ///< (point, signal dBm)
};

/// Sweeps every tower (in parallel, deterministic) and samples the points' pixels. @p progress,
/// when set, gets the done fraction from the first thread only.
CoverageMatrix computeCoverageMatrix(const DemGrid& dem, const std::vector<Tower>& towers, const std::vector<PointXY>& points,
                                     const Radio& radio, const engine::SweepOptions& sweep, double floor_dBm, int threads,
                                     const std::function<void(double)>& progress = {});

/// Content hash (FNV-1a 64) of everything the matrix depends on; the CLI caches by it.
/// @p model_signature spells out the propagation model and its parameters.
uint64_t coverageMatrixKey(const DemGrid& dem, const std::vector<Tower>& towers, const std::vector<PointXY>& points,
                           const Radio& radio, const engine::SweepOptions& sweep, double floor_dBm,
                           const std::string& model_signature);

std::string serializeMatrix(const CoverageMatrix& m);
/// Throws Error when @p bytes is not a matrix written by serializeMatrix.
CoverageMatrix deserializeMatrix(const std::string& bytes);

enum class CoverBy { Every, Any };

struct PlanOptions {
    std::vector<std::string> operators;
    CoverBy cover_by = CoverBy::Every;
    int k_fold = 1;
    double threshold_dBm = -105.0;  ///< village coverage threshold (the technology's measure)
    double margin_dB = 0.0;         ///< required above the threshold
    std::optional<double> budget;   ///< set: maximal covering of population within this cost
    bool lock_existing = true;
    CostModel costs;
    double time_limit_s = 60.0;
    bool exact = true;
    std::function<void(const std::string&)> log;
};

struct PlanSite {
    int tower = -1;                      ///< index into the towers
    std::vector<std::string> operators;  ///< operators on it in the plan
    std::vector<std::string> added;      ///< of those, the ones the plan adds
    bool has_5g = false;
    std::string role;                    ///< new, shared or existing
    double cost = 0.0;                   ///< what the plan spends on this tower
};

struct OperatorAlone {
    std::string name;
    int towers = 0;
    double cost = 0.0;
    bool optimal = false;
};

struct PlanResult {
    std::string status;  ///< optimal, feasible (gap > 0), infeasible
    std::vector<PlanSite> sites;
    double cost = 0.0, objective = 0.0, lower_bound = 0.0, gap = 0.0;
    std::string solver;
    double time_s = 0.0;
    int villages_covered = 0;
    double population_covered = 0.0;
    std::vector<int> unreachable;          ///< villages fewer than k_fold towers reach at the threshold
    std::vector<int> unreachable_towers;   ///< per unreachable village: the towers that do reach it
    std::vector<int> village_best_tower;   ///< per village: best tower in the plan, -1 none
    std::vector<double> village_best_dBm;  ///< per village: its signal (plan), NaN none
    std::vector<double> village_best_any_dBm;  ///< per village: best over every tower (explains infeasibility)
    std::vector<std::vector<std::string>> village_operators;  ///< operators covering each village
    std::vector<double> zone_share;        ///< achieved 5G share per zone
    std::vector<OperatorAlone> alone;      ///< each operator building alone
    double alone_cost = 0.0;
    int alone_towers = 0;
    int towers_new = 0, towers_shared = 0, towers_existing = 0;
};

/// Plans towers for @p villages (and zones) from the coverage matrices. @p zone_matrix may be
/// null when there are no zones.
PlanResult planTowers(const std::vector<Village>& villages, const std::vector<Tower>& towers,
                      const CoverageMatrix& village_matrix, const std::vector<Zone>& zones,
                      const CoverageMatrix* zone_matrix, const PlanOptions& opt);

/// Candidate towers from the DEM: the highest valid pixel of each spacing x spacing block (a grid
/// of local hilltops), skipping voids and water (height <= 0 m), within @p bounds.
std::vector<Tower> generateCandidates(const DemGrid& dem, double spacing_m, double height_m, double min_x, double min_y,
                                      double max_x, double max_y);

}  // namespace phusong::plan
