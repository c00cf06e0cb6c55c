#include "phusong/core/plan/instances.hpp"

#include <cmath>
#include <sstream>

#include "phusong/core/error.hpp"

namespace phusong::plan {

namespace {

/// Whitespace-separated numbers with their token position, for messages.
class Tokens {
public:
    Tokens(const std::string& text, std::string source) : m_in(text), m_source(std::move(source)) {}
    double number(const char* what) {
        std::string tok;
        if (!(m_in >> tok))
            throw InputError(m_source + ": file ends while reading " + what + " (token " + std::to_string(m_count + 1) +
                             "); is the file truncated or in another format (see --format)?");
        ++m_count;
        char* end = nullptr;
        const double v = std::strtod(tok.c_str(), &end);
        if (end == tok.c_str() || *end != '\0' || !std::isfinite(v))
            throw InputError(m_source + ": token " + std::to_string(m_count) + " ('" + tok + "') should be " + what);
        return v;
    }
    int integer(const char* what, int lo, int hi) {
        const double v = number(what);
        if (v != std::floor(v) || v < lo || v > hi)
            throw InputError(m_source + ": token " + std::to_string(m_count) + " should be " + what + " in " +
                             std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
        return static_cast<int>(v);
    }
    bool more() {
        std::string tok;
        const auto pos = m_in.tellg();
        const bool any = static_cast<bool>(m_in >> tok);
        m_in.clear();
        m_in.seekg(pos);
        return any;
    }
    const std::string& source() const { return m_source; }

private:
    std::istringstream m_in;
    std::string m_source;
    long m_count = 0;
};

constexpr int kMaxSize = 50'000'000;

}  // namespace

SetCoverProblem parseOrlibScp(const std::string& text, const std::string& source) {
    Tokens t(text, source);
    SetCoverProblem p;
    p.num_rows = t.integer("the row count m", 1, kMaxSize);
    const int n = t.integer("the column count n", 1, kMaxSize);
    p.cost.resize(n);
    p.columns.resize(n);
    for (int j = 0; j < n; ++j) p.cost[j] = t.number("a column cost");
    for (int i = 0; i < p.num_rows; ++i) {
        const int k = t.integer("the number of columns covering a row", 0, n);
        for (int q = 0; q < k; ++q) p.columns[t.integer("a column index", 1, n) - 1].push_back(i);
    }
    if (t.more()) throw InputError(source + ": unexpected data after the last row; is this an orlib-rail file?");
    return p;
}

SetCoverProblem parseOrlibRail(const std::string& text, const std::string& source) {
    Tokens t(text, source);
    SetCoverProblem p;
    p.num_rows = t.integer("the row count m", 1, kMaxSize);
    const int n = t.integer("the column count n", 1, kMaxSize);
    p.cost.resize(n);
    p.columns.resize(n);
    for (int j = 0; j < n; ++j) {
        p.cost[j] = t.number("a column cost");
        const int k = t.integer("the number of rows a column covers", 0, p.num_rows);
        for (int q = 0; q < k; ++q) p.columns[j].push_back(t.integer("a row index", 1, p.num_rows) - 1);
    }
    if (t.more()) throw InputError(source + ": unexpected data after the last column; is this an orlib-scp file?");
    return p;
}

std::vector<DemandPoint> parseSjcPoints(const std::string& text, const std::string& source) {
    std::istringstream in(text);
    std::string line;
    std::vector<DemandPoint> pts;
    int line_no = 0;
    long expected = -1;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        std::istringstream ls(line);
        if (expected < 0) {  // header: "n 9999 p S"
            if (!(ls >> expected) || expected <= 0)
                throw InputError(source + " line " + std::to_string(line_no) + ": expected the header 'n 9999 p S'");
            continue;
        }
        DemandPoint d;
        std::string extra;
        if (!(ls >> d.x_m >> d.y_m >> d.demand) || (ls >> extra))
            throw InputError(source + " line " + std::to_string(line_no) + ": expected 'x y demand'");
        if (!(d.demand >= 0)) throw InputError(source + " line " + std::to_string(line_no) + ": negative demand");
        pts.push_back(d);
    }
    if (expected < 0) throw InputError(source + ": empty file");
    if (static_cast<long>(pts.size()) != expected)
        throw InputError(source + ": header says " + std::to_string(expected) + " points, file has " +
                         std::to_string(pts.size()));
    return pts;
}

MaxCoverProblem maxCoverFromPoints(const std::vector<DemandPoint>& pts, double radius_m, int p) {
    MaxCoverProblem mc;
    const int n = static_cast<int>(pts.size());
    mc.num_points = n;
    mc.columns.resize(n);
    for (const auto& d : pts) mc.weight.push_back(d.demand);
    const double r2 = radius_m * radius_m;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            const double dx = pts[i].x_m - pts[j].x_m, dy = pts[i].y_m - pts[j].y_m;
            if (dx * dx + dy * dy <= r2) mc.columns[j].push_back(i);
        }
    mc.budget = p;
    return mc;
}

}  // namespace phusong::plan
