// The planner's optimiser against the literature: every instance of ../shared/data/optbench/
// known_values.csv (OR-Library set covering weighted and unicost, rail507, SJC maximal covering)
// solved with the same code as `phusong optimize`; prints instance, ours, known, gap, time.
//
//   build/bin/bench_optimizer [--data DIR] [--time-limit-s T] [--only SUBSTRING] [--skip-unicost]

#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>

#include "phusong/core/csv.hpp"
#include "phusong/core/plan/instances.hpp"
#include "phusong/io/text_file.hpp"

using namespace phusong;

namespace {

std::map<std::string, std::string> parseParams(const std::string& s) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t end = s.find(';', pos);
        if (end == std::string::npos) end = s.size();
        const std::string kv = s.substr(pos, end - pos);
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
        pos = end + 1;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string data = PHUSONG_SHARED_DATA "/optbench";
    double limit_s = 60.0;
    std::string only;
    bool skip_unicost = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--data" && i + 1 < argc) data = argv[++i];
        else if (a == "--time-limit-s" && i + 1 < argc) limit_s = std::stod(argv[++i]);
        else if (a == "--only" && i + 1 < argc) only = argv[++i];
        else if (a == "--skip-unicost") skip_unicost = true;
        else {
            std::cerr << "usage: bench_optimizer [--data DIR] [--time-limit-s T] [--only SUBSTRING] [--skip-unicost]\n";
            return 2;
        }
    }
    const Table known = readCsvFile(data + "/known_values.csv");
    std::cout << std::left << std::setw(34) << "instance" << std::setw(22) << "problem" << std::right << std::setw(10)
              << "ours" << std::setw(10) << "known" << std::setw(10) << "bound" << std::setw(9) << "gap%" << std::setw(9)
              << "vs known%" << std::setw(9) << "time_s" << "  method\n";
    int rows = 0, matched = 0;
    double total_s = 0.0;
    for (const auto& rec : known.rows) {
        const std::string file = rec.get("file"), problem = rec.get("problem"), format = rec.get("format");
        if (problem.rfind("p_median", 0) == 0) continue;  // no p-median solver yet
        const bool unicost = problem.find("unicost") != std::string::npos;
        if (skip_unicost && unicost) continue;
        const auto params = parseParams(rec.get("params"));
        std::string label = file;
        if (format == "sjc_xy_demand") label += " p=" + params.at("p") + " r=" + params.at("r");
        // Both unicost kinds: the count variants of weighted files and the files whose costs are all 1
        // (scpe*, scpclr*, scpcyc*), so that --only unicost and --skip-unicost split the table.
        if (unicost) label += " (unicost)";
        if (!only.empty() && label.find(only) == std::string::npos) continue;
        const double known_value = std::stod(rec.get("value"));
        const std::string text = io::readTextFile(data + "/" + file);
        double ours = 0, bound = 0, gap = 0, t = 0;
        std::string method;
        bool maximize = false;
        if (format == "orlib_scp" || format == "orlib_rail") {
            plan::SetCoverProblem p = format == "orlib_scp" ? plan::parseOrlibScp(text, file) : plan::parseOrlibRail(text, file);
            if (params.count("costs") && params.at("costs") == "all_set_to_1") std::fill(p.cost.begin(), p.cost.end(), 1.0);
            plan::SetCoverOptions opt;
            opt.time_limit_s = limit_s;
            const auto r = plan::solveSetCover(p, opt);
            if (!plan::isCover(p, r.solution)) {
                std::cerr << label << ": solution is not a cover\n";
                return 1;
            }
            ours = r.objective, bound = r.lower_bound, gap = r.gap, t = r.time_s, method = r.method;
        } else if (format == "sjc_xy_demand") {
            const auto pts = plan::parseSjcPoints(text, file);
            const auto p = plan::maxCoverFromPoints(pts, std::stod(params.at("r")), std::stoi(params.at("p")));
            plan::MaxCoverOptions opt;
            opt.time_limit_s = limit_s;
            const auto r = plan::solveMaxCover(p, opt);
            ours = r.covered, bound = r.upper_bound, gap = r.gap, t = r.time_s, method = r.method;
            maximize = true;
        } else {
            continue;
        }
        const double vs_known = maximize ? (known_value - ours) / known_value : (ours - known_value) / known_value;
        ++rows;
        matched += std::abs(ours - known_value) < 1e-6;
        total_s += t;
        std::cout << std::left << std::setw(34) << label << std::setw(22) << problem.substr(0, 21) << std::right
                  << std::fixed << std::setprecision(0) << std::setw(10) << ours << std::setw(10) << known_value
                  << std::setprecision(1) << std::setw(10) << bound << std::setprecision(2) << std::setw(9) << 100 * gap
                  << std::setw(9) << 100 * vs_known << std::setw(9) << t << "  " << method << "\n"
                  << std::flush;
    }
    std::cout << rows << " instances, " << matched << " equal to the known value, total " << std::setprecision(1)
              << total_s << " s\n";
    return 0;
}
