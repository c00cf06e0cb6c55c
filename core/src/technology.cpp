#include "phusong/core/technology.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <utility>

namespace phusong {

namespace {
// [3GPP TS 36.101 Table 5.6-1] LTE channel bandwidth -> transmission bandwidth in resource blocks.
constexpr std::pair<double, int> kLteRb[] = {{1.4, 6}, {3, 15}, {5, 25}, {10, 50}, {15, 75}, {20, 100}};
// [3GPP TS 38.101-1 Table 5.3.2-1] NR FR1 at 30 kHz subcarrier spacing.
constexpr std::pair<double, int> kNrRb30[] = {{5, 11},   {10, 24},  {15, 38},  {20, 51},  {25, 65},
                                             {30, 78},  {40, 106}, {50, 133}, {60, 162}, {70, 189},
                                             {80, 217}, {90, 245}, {100, 273}};

template <size_t N>
std::optional<int> lookup(const std::pair<double, int> (&table)[N], double bw) {
    for (const auto& [b, rb] : table) {
        if (std::abs(b - bw) < 1e-6) return rb;
    }
    return std::nullopt;
}
}  // namespace

std::string_view toString(Technology t) {
    switch (t) {
        case Technology::G2: return "2G";
        case Technology::G3: return "3G";
        case Technology::G4: return "4G";
        case Technology::G5: return "5G";
    }
    return "?";
}

std::optional<Technology> parseTechnology(std::string_view s) {
    std::string v(s);
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
    if (v == "2G" || v == "GSM") return Technology::G2;
    if (v == "3G" || v == "UMTS" || v == "WCDMA") return Technology::G3;
    if (v == "4G" || v == "LTE") return Technology::G4;
    if (v == "5G" || v == "NR") return Technology::G5;
    return std::nullopt;
}

std::string_view signalMeasure(Technology t) {
    switch (t) {
        case Technology::G2: return "RxLev";
        case Technology::G3: return "CPICH RSCP";
        case Technology::G4: return "RSRP";
        case Technology::G5: return "SS-RSRP";
    }
    return "?";
}

double defaultThreshold_dBm(Technology t) {
    switch (t) {
        case Technology::G2: return -95.0;
        case Technology::G3: return -100.0;
        case Technology::G4: return -110.0;
        case Technology::G5: return -110.0;
    }
    return 0.0;
}

double defaultBandwidth_MHz(Technology t) {
    switch (t) {
        case Technology::G2: return 0.2;
        case Technology::G3: return 5.0;
        case Technology::G4: return 20.0;
        case Technology::G5: return 100.0;
    }
    return 0.0;
}

std::optional<double> referenceSignalOffset_dB(Technology t, double bandwidth_MHz) {
    std::optional<int> rb;
    switch (t) {
        case Technology::G2: return 0.0;
        case Technology::G3: return 10.0;
        case Technology::G4: rb = lookup(kLteRb, bandwidth_MHz); break;
        case Technology::G5: rb = lookup(kNrRb30, bandwidth_MHz); break;
    }
    if (!rb) return std::nullopt;
    return 10.0 * std::log10(12.0 * *rb);
}

std::string validBandwidths(Technology t) {
    std::string s;
    auto add = [&](const auto& table) {
        for (const auto& [b, rb] : table) {
            if (!s.empty()) s += ", ";
            std::string num = std::to_string(b);
            num.erase(num.find_last_not_of('0') + 1);
            if (num.back() == '.') num.pop_back();
            s += num;
        }
    };
    if (t == Technology::G4) add(kLteRb);
    else if (t == Technology::G5) add(kNrRb30);
    else s = "any positive value";
    return s;
}

}  // namespace phusong
