#pragma once
// Small helpers the CLI commands share: number and CSV formatting, field lookup in vector
// features, JSON files, and the terminal progress bar.

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "phusong/core/error.hpp"
#include "phusong/io/gdal_threads.hpp"
#include "phusong/io/vector.hpp"

namespace phusong::cli {

/// Fixed-point text with @p prec decimals; "" for NaN (an empty CSV field).
inline std::string fmt(double v, int prec = 2) {
    if (std::isnan(v)) return "";
    std::ostringstream s;
    s << std::fixed << std::setprecision(prec) << v;
    return s.str();
}

/// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
inline std::string csvEscape(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

inline std::string lowerCase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

/// The first of @p names that the feature has with a non-empty value, or "".
inline std::string firstField(const io::Feature& f, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        const auto it = f.fields.find(n);
        if (it != f.fields.end() && !it->second.empty()) return it->second;
    }
    return "";
}

/// Checks a command's --threads (0 = all cores) and makes GDAL's own threads (the DEM's warp, the
/// COG writer) and OpenMP's default team (the DEM's void fill, the synthetic terrain) follow it,
/// before the command writes anything.
inline void useThreads(int threads) {
    if (threads < 0) throw InputError("--threads must be 0 (all cores) or positive");
    io::setGdalThreads(threads);
    if (threads > 0) omp_set_num_threads(threads);
}

/// Parses a JSON file; InputError naming it when it cannot be read.
inline nlohmann::ordered_json readJsonFile(const std::string& path) {
    std::ifstream i(path);
    if (!i) throw InputError(path + ": cannot read");
    return nlohmann::ordered_json::parse(i);
}

/// A one-line progress bar on stderr ("label [#####    ]  42%"), or nothing when @p quiet or
/// when stderr is not a terminal.
inline std::function<void(double)> terminalProgress(const std::string& label, bool quiet) {
    if (quiet || !::isatty(STDERR_FILENO)) return {};
    return [label, last = -1, t0 = std::chrono::steady_clock::now()](double f) mutable {
        const int pct = static_cast<int>(f * 100.0);
        if (pct == last) return;
        last = pct;
        const int filled = pct / 4;
        // The time so far and, once the run has a pace (2 s and 3 %), the time it still needs at that pace.
        const double spent_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        auto clock = [](double s) {
            char b[32];
            const long t = std::lround(s);
            if (t < 120) std::snprintf(b, sizeof b, "%ld s", t);
            else std::snprintf(b, sizeof b, "%ld min %02ld s", t / 60, t % 60);
            return std::string(b);
        };
        std::string times = clock(spent_s);
        if (pct < 100 && spent_s >= 2.0 && f >= 0.03) times += ", about " + clock(spent_s * (1.0 - f) / f) + " left";
        std::fprintf(stderr, "\r%-9s [%.*s%*s] %3d%%  %-32s", label.c_str(), filled, "#########################", 25 - filled, "", pct,
                     times.c_str());
        if (pct >= 100) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    };
}

}  // namespace phusong::cli
