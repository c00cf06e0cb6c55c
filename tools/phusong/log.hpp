#pragma once
// Run logs: human lines on stderr, or one JSON object per line (`--log-format json`) for
// pipelines; a progress bar on a terminal; `--quiet` keeps only warnings and errors.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_util.hpp"
#include "phusong/core/error.hpp"

namespace phusong::cli {

class Logger {
public:
    Logger(const std::string& format, bool quiet) : m_json(format == "json"), m_quiet(quiet), m_t0(std::chrono::steady_clock::now()) {
        if (format != "text" && format != "json") throw InputError("--log-format '" + format + "': use text or json");
    }

    bool json() const { return m_json; }
    bool quiet() const { return m_quiet; }

    /// An event: "stage" names the step (terrain, sites, coverage, plan, outputs, report).
    void info(const std::string& stage, const std::string& message, nlohmann::json fields = nlohmann::json::object()) {
        if (!m_quiet) emit("info", stage, message, std::move(fields));
    }
    void warn(const std::string& stage, const std::string& message, nlohmann::json fields = nlohmann::json::object()) {
        emit("warning", stage, message, std::move(fields));
    }

    /// A progress callback for @p stage: a bar on a terminal (text), events every 10 % (json),
    /// nothing when quiet or when stderr is not a terminal in text mode.
    std::function<void(double)> progress(const std::string& stage) {
        if (m_quiet) return {};
        if (m_json) {
            return [this, stage, last = -1](double f) mutable {
                const int decile = static_cast<int>(f * 10.0);
                if (decile == last) return;
                last = decile;
                emit("progress", stage, "", {{"fraction", decile / 10.0}});
            };
        }
        return terminalProgress(stage, false);  // a bar only on a terminal
    }

    double elapsed_s() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count(); }

private:
    void emit(const char* level, const std::string& stage, const std::string& message, nlohmann::json fields) {
        if (m_json) {
            nlohmann::ordered_json j;
            j["t_s"] = std::round(elapsed_s() * 1000.0) / 1000.0;
            j["level"] = level;
            j["stage"] = stage;
            if (!message.empty()) j["message"] = message;
            for (auto& [k, v] : fields.items()) j[k] = v;
            std::cerr << j.dump() << "\n";
        } else if (std::string(level) == "warning") {
            std::cerr << "phusong " << stage << ": warning: " << message << "\n";
        } else {
            std::cerr << "phusong " << stage << ": " << message << "\n";
        }
    }
    bool m_json, m_quiet;
    std::chrono::steady_clock::time_point m_t0;
};

}  // namespace phusong::cli
