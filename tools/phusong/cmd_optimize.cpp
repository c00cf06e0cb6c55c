// `phusong optimize`: the planner's optimiser on a standalone benchmark instance (OR-Library set
// covering, the rail instances, Lorena & Pereira's maximal covering points), to compare it with
// the literature's known optima.

#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/plan/instances.hpp"
#include "phusong/core/plan/max_cover.hpp"
#include "phusong/core/plan/set_cover.hpp"
#include "phusong/io/text_file.hpp"

namespace phusong::cli {

namespace {

struct OptimizeConfig {
    std::string instance, format;
    int p = 0;
    double radius_m = 0.0;
    bool unicost = false;
    double time_limit_s = 60.0;
    bool json = false;
    bool heuristic_only = false;
    bool verbose = false;
    uint64_t seed = 1;
};

int runOptimize(const OptimizeConfig& cfg) {
    if (!(cfg.time_limit_s > 0)) throw InputError("--time-limit-s must be positive");
    const std::string text = io::readTextFile(cfg.instance);
    nlohmann::ordered_json out;
    out["instance"] = cfg.instance;
    out["format"] = cfg.format;
    auto log = [&](const std::string& line) {
        if (cfg.verbose) std::cerr << "optimize: " << line << "\n";
    };
    if (cfg.format == "orlib-scp" || cfg.format == "orlib-rail") {
        if (cfg.p != 0 || cfg.radius_m != 0.0) throw InputError("--p and --radius-m apply to --format sjc-mclp only");
        plan::SetCoverProblem p = cfg.format == "orlib-scp" ? plan::parseOrlibScp(text, cfg.instance)
                                                            : plan::parseOrlibRail(text, cfg.instance);
        if (cfg.unicost) std::fill(p.cost.begin(), p.cost.end(), 1.0);
        plan::SetCoverOptions opt;
        opt.time_limit_s = cfg.time_limit_s;
        opt.exact = !cfg.heuristic_only;
        opt.seed = cfg.seed;
        opt.log = log;
        const auto r = plan::solveSetCover(p, opt);
        double check = 0.0;
        if (r.feasible && !plan::isCover(p, r.solution, &check)) throw Error("internal: the solution is not a cover");
        out["problem"] = cfg.unicost ? "set-cover (unicost)" : "set-cover";
        out["rows"] = p.num_rows;
        out["columns"] = p.cost.size();
        out["feasible"] = r.feasible;
        out["objective"] = r.feasible ? nlohmann::json(r.objective) : nlohmann::json(nullptr);
        out["bound"] = r.lower_bound;
        out["gap"] = r.feasible ? nlohmann::json(r.gap) : nlohmann::json(nullptr);
        out["optimal"] = r.optimal;
        out["time_s"] = r.time_s;
        out["method"] = r.method;
        out["lagrangian_bound"] = r.lagrangian_bound;
        out["greedy"] = r.greedy_objective;
        out["columns_chosen"] = r.solution.size();
        if (!r.feasible) {
            std::vector<int> rows;
            for (int i : r.uncoverable_rows) rows.push_back(i + 1);
            out["uncoverable_rows"] = rows;
        }
    } else if (cfg.format == "sjc-mclp") {
        if (cfg.p <= 0 || !(cfg.radius_m > 0))
            throw InputError("--format sjc-mclp needs --p P (sites to open, >= 1) and --radius-m R (coverage radius, > 0)");
        const auto pts = plan::parseSjcPoints(text, cfg.instance);
        plan::MaxCoverProblem p = plan::maxCoverFromPoints(pts, cfg.radius_m, cfg.p);
        plan::MaxCoverOptions opt;
        opt.time_limit_s = cfg.time_limit_s;
        opt.exact = !cfg.heuristic_only;
        opt.log = log;
        const auto r = plan::solveMaxCover(p, opt);
        double total = 0.0;
        for (double w : p.weight) total += w;
        out["problem"] = "max-cover";
        out["points"] = p.num_points;
        out["p"] = cfg.p;
        out["radius_m"] = cfg.radius_m;
        out["total_demand"] = total;
        out["objective"] = r.covered;
        out["bound"] = r.upper_bound;
        out["gap"] = r.gap;
        out["optimal"] = r.optimal;
        out["time_s"] = r.time_s;
        out["method"] = r.method;
        out["greedy"] = r.greedy;
        std::vector<int> open;
        for (int j : r.solution) open.push_back(j + 1);
        out["open"] = open;
    } else {
        throw InputError("--format '" + cfg.format + "': expected orlib-scp, orlib-rail or sjc-mclp");
    }
    if (cfg.json) {
        std::cout << out.dump(2) << "\n";
    } else {
        for (auto it = out.begin(); it != out.end(); ++it) {
            if (it.value().is_array()) continue;
            std::cout << std::left << std::setw(18) << it.key() << " ";
            if (it.value().is_string()) std::cout << it.value().get<std::string>() << "\n";
            else std::cout << it.value().dump() << "\n";
        }
    }
    return out.contains("feasible") && !out["feasible"].get<bool>() ? 3 : 0;
}

}  // namespace

void addOptimize(CLI::App& app, Context& ctx) {
    auto cfg = std::make_shared<OptimizeConfig>();
    CLI::App* sub = app.add_subcommand("optimize", "Solve a standalone set covering or maximal covering instance (benchmarking)");
    sub->add_option("--instance", cfg->instance, "Instance file (.gz read transparently)")->required();
    sub->add_option("--format", cfg->format, "orlib-scp | orlib-rail | sjc-mclp")
        ->required()
        ->check(CLI::IsMember({"orlib-scp", "orlib-rail", "sjc-mclp"}));
    sub->add_option("--p", cfg->p, "sjc-mclp: number of sites to open");
    sub->add_option("--radius-m", cfg->radius_m, "sjc-mclp: coverage radius, m");
    sub->add_flag("--unicost", cfg->unicost, "Set every column cost to 1 (minimum number of sets)");
    sub->add_option("--time-limit-s", cfg->time_limit_s, "Wall-clock limit, s")->capture_default_str();
    sub->add_flag("--json", cfg->json, "Print the result as JSON");
    sub->add_flag("--heuristic-only", cfg->heuristic_only, "Skip the exact CBC phase (bound from the Lagrangian relaxation)");
    sub->add_option("--seed", cfg->seed, "Local search seed")->capture_default_str();
    sub->add_flag("-v,--verbose", cfg->verbose, "Print the phases to stderr");
    sub->callback([cfg, &ctx] { ctx.action = [cfg] { return runOptimize(*cfg); }; });
}

}  // namespace phusong::cli
