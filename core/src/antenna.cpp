#include "phusong/core/antenna.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/geometry.hpp"

namespace phusong {

double wrapAngle_deg(double a) {
    // The engine's differences of two bearings lie within one turn: no fmod on that path.
    if (a >= -180.0 && a < 180.0) return a;
    if (a >= 180.0 && a < 540.0) return a - 360.0;
    if (a < -180.0 && a >= -540.0) return a + 360.0;
    a = std::fmod(a + 180.0, 360.0);
    if (a < 0) a += 360.0;
    return a - 180.0;
}

namespace {
// @p s in ASCII lower case: units and model names are matched without regard to case.
std::string lowerAscii(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// Linear interpolation in a 360-entry whole-degree table.
double lookup(const std::array<double, 360>& t, double angle_deg) {
    double a = angle_deg;
    if (a < 0.0 || a >= 360.0) {
        a = std::fmod(a, 360.0);
        if (a < 0.0) a += 360.0;
    }
    const int i = static_cast<int>(a) % 360;
    const double f = a - std::floor(a);
    return t[static_cast<size_t>(i)] + f * (t[static_cast<size_t>((i + 1) % 360)] - t[static_cast<size_t>(i)]);
}

// Fills the whole-degree table from the listed points, linear between them (circularly).
void fillCut(const std::vector<std::pair<double, double>>& pts, std::array<double, 360>& t) {
    const size_t n = pts.size();
    for (int deg = 0; deg < 360; ++deg) {
        size_t j = 0;
        while (j < n && pts[j].first <= deg) ++j;
        const auto& lo = pts[(j + n - 1) % n];
        const auto& hi = pts[j % n];
        double span = hi.first - lo.first, off = deg - lo.first;
        if (span <= 0.0) span += 360.0;
        if (off < 0.0) off += 360.0;
        t[static_cast<size_t>(deg)] = span > 0.0 ? lo.second + (hi.second - lo.second) * off / span : lo.second;
    }
}
}  // namespace

double MsiPattern::attenuation_dB(double rel_az_deg, double depression_deg) const {
    return std::min(lookup(horizontal_dB, rel_az_deg) + lookup(vertical_dB, depression_deg), max_attenuation_dB);
}

MsiPattern parseMsi(const std::string& text, const std::string& source) {
    MsiPattern p;
    p.source = source;
    std::istringstream in(text);
    std::string line;
    int line_no = 0;
    std::vector<std::pair<double, double>> cuts[2];
    std::vector<int> point_line[2];  // each point's line in the file
    int block = -1;
    int declared[2] = {0, 0};  // point count each block header announces
    bool seen[2] = {false, false};
    auto where = [&] { return source + " line " + std::to_string(line_no); };
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::istringstream ls(line);
        std::string key;
        if (!(ls >> key)) continue;
        std::string upper = key;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (upper == "HORIZONTAL" || upper == "VERTICAL") {
            block = upper == "HORIZONTAL" ? 0 : 1;
            if (seen[block]) throw InputError(where() + ": a second " + upper + " block; an MSI file has one of each");
            seen[block] = true;
            int& count = declared[block];
            if (!(ls >> count) || count < 2 || count > 3600) {
                throw InputError(where() + ": '" + upper + "' needs its point count, e.g. '" + upper + " 360'");
            }
            continue;
        }
        if (block >= 0 && static_cast<int>(cuts[block].size()) < declared[block]) {
            char* end = nullptr;
            const double angle = std::strtod(key.c_str(), &end);
            double att = 0.0;
            if (end == key.c_str() || *end != '\0' || !(ls >> att)) {
                throw InputError(where() + ": expected 'angle attenuation_dB' in the " + (block == 0 ? "HORIZONTAL" : "VERTICAL") +
                                 " block (" + std::to_string(cuts[block].size()) + " of " + std::to_string(declared[block]) + " read)");
            }
            if (angle < 0.0 || angle >= 360.0) throw InputError(where() + ": angle " + key + " must be within 0..359.x degrees");
            if (!cuts[block].empty() && angle <= cuts[block].back().first) {
                throw InputError(where() + ": angles must increase within a block (" + key + " after " +
                                 std::to_string(cuts[block].back().first) + ")");
            }
            cuts[block].emplace_back(angle, att);
            point_line[block].push_back(line_no);
            continue;
        }
        if (block >= 0) throw InputError(where() + ": more points than the block's count " + std::to_string(declared[block]));
        std::string rest;
        std::getline(ls >> std::ws, rest);
        if (upper == "NAME") p.name = rest;
        else if (upper == "FREQUENCY") {
            // "1800", "1800 MHz", "1.8 GHz", or a band "1710-1880 MHz" (its middle), as vendors
            // write it; MHz without a unit.
            const char* c = rest.c_str();
            char* end = nullptr;
            double f = std::strtod(c, &end);
            const bool number = end != c;
            c = end;
            while (*c == ' ' || *c == '\t') ++c;
            if (number && *c == '-') {
                const double band_top = std::strtod(c + 1, &end);
                if (end != c + 1 && band_top > f) f = 0.5 * (f + band_top), c = end;
            }
            std::string unit;
            std::istringstream(c) >> unit;
            if (!number || !(f > 0.0)) throw InputError(where() + ": FREQUENCY needs a positive number, e.g. 'FREQUENCY 1800' (MHz)");
            unit = lowerAscii(unit);
            if (unit.empty() || unit == "mhz") p.frequency_MHz = f;
            else if (unit == "ghz") p.frequency_MHz = f * 1000.0;
            else if (unit == "khz") p.frequency_MHz = f / 1000.0;
            else if (unit == "hz") p.frequency_MHz = f / 1e6;
            else throw InputError(where() + ": FREQUENCY unit '" + unit + "' is unknown; write MHz or GHz after the value (none means MHz)");
        }
        else if (upper == "GAIN") {
            std::istringstream gs(rest);
            double g = 0.0;
            std::string unit;
            if (!(gs >> g)) throw InputError(where() + ": GAIN needs a number, e.g. 'GAIN 17.5 dBi'");
            gs >> unit;
            unit = lowerAscii(unit);
            // The Planet format gives the gain in dBd unless 'dBi' follows the value; dBd to dBi
            // adds 2.15 dB (the half-wave dipole's gain).
            if (unit.empty() || unit == "dbd") p.gain_dBi = g + 2.15;
            else if (unit == "dbi") p.gain_dBi = g;
            else throw InputError(where() + ": GAIN unit '" + unit + "' is unknown; write dBi or dBd after the value (none means dBd, as the Planet format defines)");
        }
    }
    for (int b = 0; b < 2; ++b) {
        const char* name = b == 0 ? "HORIZONTAL" : "VERTICAL";
        if (!seen[b]) throw InputError(source + ": no " + std::string(name) + " block; an MSI file needs 'HORIZONTAL 360' and 'VERTICAL 360'");
        if (static_cast<int>(cuts[b].size()) != declared[b]) {
            throw InputError(source + ": the " + std::string(name) + " block declares " + std::to_string(declared[b]) +
                             " points but lists " + std::to_string(cuts[b].size()));
        }
        if (cuts[b].size() < 2) throw InputError(source + ": the " + std::string(name) + " block has fewer than 2 points");
        // Attenuations below the maximum gain, written without their minus sign as the format asks;
        // a block written as relative gains (every value <= 0) is read as their magnitudes, a
        // block mixing both signs is refused.
        const auto negative =
            std::find_if(cuts[b].begin(), cuts[b].end(), [](const auto& c) { return c.second < 0.0; });
        if (negative != cuts[b].end()) {
            const auto positive =
                std::find_if(cuts[b].begin(), cuts[b].end(), [](const auto& c) { return c.second > 0.0; });
            if (positive != cuts[b].end()) {
                auto lineOf = [&](auto it) {
                    return std::to_string(point_line[b][static_cast<size_t>(it - cuts[b].begin())]);
                };
                throw InputError(
                    source + " line " + lineOf(negative) + ": the " + std::string(name) +
                    " block mixes attenuations (" + formatNumber(positive->second) + " dB at " + formatNumber(positive->first) +
                    " deg, line " + lineOf(positive) + ") and relative gains (" + formatNumber(negative->second) +
                    " dB at " + formatNumber(negative->first) +
                    " deg); list every value as the attenuation below the maximum gain, without a minus sign");
            }
            for (auto& c : cuts[b]) c.second = 0.0 - c.second;  // +0 for 0
        }
        fillCut(cuts[b], b == 0 ? p.horizontal_dB : p.vertical_dB);
        for (const auto& [angle, att] : cuts[b]) p.max_attenuation_dB = std::max(p.max_attenuation_dB, att);
    }
    return p;
}

std::shared_ptr<const MsiPattern> readMsiFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw InputError(path + ": cannot open the antenna file; check the path (relative to the site table)");
    std::stringstream ss;
    ss << f.rdbuf();
    return std::make_shared<const MsiPattern>(parseMsi(ss.str(), path));
}

namespace {
// Beamwidths and caps of common base-station antennas; gains from the beamwidths (see
// AntennaModel). Panels: front-to-back 25 dB, first upper side lobe 20 dB below boresight.
constexpr AntennaModel kAntennaModels[] = {
    {"sector-65-midband", "macro sector panel, 1.7-2.7 GHz (1800 / 2100 / 2600 MHz), about 1.3 m tall", false, 65.0, 7.0, 17.0,
     25.0, 20.0},
    {"sector-65-lowband", "macro sector panel, 700-960 MHz (900 MHz GSM / UMTS), about 1.3 m tall", false, 65.0, 12.0, 14.5, 25.0,
     20.0},
    {"sector-90-midband", "wide rural sector panel, 1.7-2.7 GHz", false, 90.0, 7.0, 15.5, 25.0, 20.0},
    {"sector-33-midband", "narrow high-gain panel for roads and rivers, 1.7-2.7 GHz", false, 33.0, 7.0, 20.0, 25.0, 20.0},
    {"omni-8", "collinear omni, 8 degree vertical beam (small rural sites)", true, 360.0, 8.0, 11.0, 30.0, 20.0},
    // TR 38.901 Table 7.3-1 itself: 65 x 65 degrees, 8 dBi, A_m = SLA_V = 30 dB.
    {"tr38901-element", "the antenna element of 3GPP TR 38.901 Table 7.3-1", false, 65.0, 65.0, 8.0, 30.0, 30.0},
};
}  // namespace

std::span<const AntennaModel> antennaModels() { return kAntennaModels; }

const AntennaModel* findAntennaModel(std::string_view name) {
    const std::string key = lowerAscii(std::string(name));  // the shipped names are lower case
    for (const AntennaModel& m : kAntennaModels) {
        if (m.name == key) return &m;
    }
    return nullptr;
}

std::string antennaModelNames() {
    std::string out;
    for (const AntennaModel& m : kAntennaModels) out += (out.empty() ? "" : ", ") + std::string(m.name);
    return out;
}

std::string msiFromModel(const AntennaModel& m, double electrical_tilt_deg, double freq_MHz) {
    const double h_on = m.omni ? 0.0 : 1.0;
    // The horizontal cut is the pattern at zero elevation without the tilt: A_H alone (A_H never
    // exceeds A_m); the vertical cut carries the tilt [TR 38.901 Table 7.3-1].
    const ParametricPattern::Parametric flat{h_on, m.h_beamwidth_deg, m.v_beamwidth_deg, 0.0, m.max_attenuation_dB, m.side_lobe_attenuation_dB};
    ParametricPattern::Parametric tilted = flat;
    tilted.downtilt_deg = electrical_tilt_deg;
    char buf[64];
    auto fixed = [&](double v, int decimals) {
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v == 0.0 ? 0.0 : v);  // no "-0.000"
        return std::string(buf);
    };
    std::ostringstream out;
    out << "NAME phusong " << m.name << " T" << formatNumber(electrical_tilt_deg) << "\n";
    out << "MAKE phusong (parametric: 3GPP TR 38.901 Table 7.3-1)\n";
    if (freq_MHz > 0.0) out << "FREQUENCY " << formatNumber(freq_MHz) << "\n";
    out << "H_WIDTH " << formatNumber(m.omni ? 360.0 : m.h_beamwidth_deg) << "\n";
    out << "V_WIDTH " << formatNumber(m.v_beamwidth_deg) << "\n";
    out << "FRONT_TO_BACK " << formatNumber(m.omni ? 0.0 : m.max_attenuation_dB) << "\n";
    out << "GAIN " << fixed(m.gain_dBi, 2) << " dBi\n";
    out << "TILT ELECTRICAL\n";
    out << "ELECTRICAL_TILT " << formatNumber(electrical_tilt_deg) << "\n";
    out << "COMMENT " << m.use << "; A_m " << formatNumber(m.max_attenuation_dB) << " dB, SLA_V "
        << formatNumber(m.side_lobe_attenuation_dB) << " dB; written by phusong antennas --export\n";
    out << "HORIZONTAL 360\n";
    for (int a = 0; a < 360; ++a) out << a << " " << fixed(flat(a < 180 ? a : a - 360, 0.0), 3) << "\n";
    out << "VERTICAL 360\n";
    for (int a = 0; a < 360; ++a) {
        // Ahead: depression a (0..90) or a - 360 (270..359, above the horizon). Behind
        // (90 < a < 270): depression 180 - a below the horizon behind, at relative azimuth 180.
        const bool ahead = a <= 90 || a >= 270;
        const double depression = ahead ? (a <= 90 ? a : a - 360) : 180 - a;
        out << a << " " << fixed(tilted(ahead ? 0.0 : -180.0, -depression), 3) << "\n";
    }
    return out.str();
}

std::pair<double, double> antennaFrameDirection(double mechanical_tilt_deg, double relative_azimuth_deg, double elevation_deg) {
    double sin_tilt, cos_tilt, rel_l, elev_l;
    fast::sinCosDeg(mechanical_tilt_deg, sin_tilt, cos_tilt);
    antennaFrameDirection(sin_tilt, cos_tilt, relative_azimuth_deg, elevation_deg, rel_l, elev_l);
    return {rel_l, elev_l};
}

double ParametricPattern::attenuation_dB(double bearing_deg, double elevation_deg) const {
    const double rel = azimuth_deg ? wrapAngle_deg(bearing_deg - *azimuth_deg) : 0.0;
    if (msi) {
        if (!turned()) return msi->attenuation_dB(rel, -elevation_deg - uniformDowntilt_deg());
        const auto [rel_l, elev_l] = antennaFrameDirection(mechanical_tilt_deg, rel, elevation_deg);
        return msi->attenuation_dB(rel_l, -elev_l - uniformDowntilt_deg());
    }
    const Parametric p = parametric();
    return turned() ? p.turnedAttenuation(rel, elevation_deg) : p(rel, elevation_deg);
}

}  // namespace phusong
