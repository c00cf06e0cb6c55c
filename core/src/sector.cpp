#include "phusong/core/sector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <tuple>

#include "phusong/core/error.hpp"

namespace phusong {

namespace {
bool hasColumn(const Table& t, const char* name) {
    return std::find(t.columns.begin(), t.columns.end(), name) != t.columns.end();
}

std::optional<double> optionalNumber(const Record& r, const char* field) {
    const std::string& v = r.get(field);
    if (v.empty()) return std::nullopt;
    return parseNumber(v, r.location, field);
}

double requireRange(double v, double lo, double hi, const Record& r, const char* field, const char* hint) {
    if (v < lo || v > hi) {
        throw InputError(r.location + ": field '" + field + "' = " + r.get(field) + " is outside [" +
                         std::to_string(static_cast<int>(lo)) + ", " + std::to_string(static_cast<int>(hi)) + "]; " + hint);
    }
    return v;
}

std::string fmtDb(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

// Two rows for one sector (the same site, position, operator, technology, carrier, azimuth and
// height) are a copy-and-paste slip, not two transmitters: each would be the other's co-channel
// interferer at the same place, holding the SINR near 0 dB wherever it serves.
void rejectDuplicateSectors(const std::vector<Sector>& sectors) {
    using Key = std::tuple<std::string, double, double, std::string, int, double, double, double>;
    std::map<Key, const Sector*> seen;
    for (const Sector& s : sectors) {
        const Key key{s.site_id,
                      s.position.lat_deg,
                      s.position.lon_deg,
                      s.operator_name,
                      static_cast<int>(s.tech),
                      s.freq_MHz,
                      s.pattern.azimuth_deg.value_or(-1.0),
                      s.antenna_height_m};
        const auto [it, fresh] = seen.emplace(key, &s);
        if (fresh) continue;
        const std::string az = s.pattern.azimuth_deg ? fmtDb(*s.pattern.azimuth_deg) + " deg" : std::string("omni");
        const std::string what = "site " + s.site_id + ", " + std::string(toString(s.tech)) + " at " + formatNumber(s.freq_MHz) +
                                 " MHz, " + az + ", " + formatNumber(s.antenna_height_m) + " m above ground";
        throw InputError(s.location + ": the same sector as " + it->second->location + " (" + what +
                         "): each would be the other's co-channel interferer, holding the SINR near 0 dB wherever it "
                         "serves; delete one of the rows, or tell them apart by freq_mhz, azimuth_deg, "
                         "antenna_height_m or operator");
    }
}
}  // namespace

std::vector<Sector> parseSectors(const Table& table) {
    for (const auto& col : table.columns) {
        if (std::find_if(kSectorColumns.begin(), kSectorColumns.end(), [&](const char* k) { return col == k; }) !=
            kSectorColumns.end()) {
            continue;
        }
        const std::string guess = closestMatch(col, kSectorColumns);
        if (!guess.empty() && !hasColumn(table, guess.c_str())) {
            throw InputError(table.source + ": unknown column '" + col + "'; did you mean '" + guess + "'?");
        }
    }
    for (const char* req : {"site_id", "lat", "lon", "antenna_height_m", "tech", "freq_mhz"}) {
        if (!hasColumn(table, req)) {
            throw InputError(table.source + ": missing required column '" + req +
                             "'; the site table needs site_id, lat, lon, antenna_height_m, tech, freq_mhz and "
                             "eirp_dbm (or tx_power_dbm and antenna_gain_dbi)");
        }
    }
    // EIRP: eirp_dbm, or tx_power_dbm plus the gain of antenna_gain_dbi, of the antenna_model or of
    // the antenna_file.
    const bool has_eirp = hasColumn(table, "eirp_dbm");
    const bool has_split = hasColumn(table, "tx_power_dbm") && (hasColumn(table, "antenna_gain_dbi") ||
                                                                hasColumn(table, "antenna_model") || hasColumn(table, "antenna_file"));
    if (!has_eirp && !has_split) {
        throw InputError(table.source + ": missing column 'eirp_dbm'; give eirp_dbm, or tx_power_dbm with antenna_gain_dbi "
                                        "(or with antenna_model or antenna_file, whose gain is used)");
    }
    if (table.rows.empty()) throw InputError(table.source + ": the site table has no rows");

    std::vector<Sector> out;
    std::map<std::string, std::shared_ptr<const MsiPattern>> msi_cache;
    out.reserve(table.rows.size());
    for (const Record& r : table.rows) {
        Sector s;
        s.location = r.location;
        s.site_id = r.get("site_id");
        if (s.site_id.empty()) throw InputError(r.location + ": field 'site_id' is empty; give each sector an identifier");
        s.position.lat_deg = requireRange(parseNumber(r.get("lat"), r.location, "lat"), -90, 90, r, "lat",
                                          "latitude in decimal degrees; did you swap lat and lon?");
        s.position.lon_deg = requireRange(parseNumber(r.get("lon"), r.location, "lon"), -180, 180, r, "lon",
                                          "longitude in decimal degrees");
        s.antenna_height_m = parseNumber(r.get("antenna_height_m"), r.location, "antenna_height_m");
        if (s.antenna_height_m <= 0.0) {
            throw InputError(r.location + ": field 'antenna_height_m' = " + r.get("antenna_height_m") +
                             " must be positive (metres above ground)");
        }
        const auto tech = parseTechnology(r.get("tech"));
        if (!tech) throw InputError(r.location + ": field 'tech' = '" + r.get("tech") + "' is unknown; use 2G, 3G, 4G or 5G");
        s.tech = *tech;
        s.freq_MHz = parseNumber(r.get("freq_mhz"), r.location, "freq_mhz");
        if (s.freq_MHz <= 0.0) throw InputError(r.location + ": field 'freq_mhz' must be positive (carrier frequency in MHz)");

        const auto eirp = has_eirp ? optionalNumber(r, "eirp_dbm") : std::nullopt;
        const auto ptx = has_split ? optionalNumber(r, "tx_power_dbm") : std::nullopt;
        const auto gain = has_split ? optionalNumber(r, "antenna_gain_dbi") : std::nullopt;  // absent column: empty
        const double ptx_dBm = ptx.value_or(std::numeric_limits<double>::quiet_NaN());
        if (eirp) s.eirp_dBm = *eirp;
        else if (ptx && gain) s.eirp_dBm = *ptx + *gain;
        else if (ptx && (!r.get("antenna_file").empty() || !r.get("antenna_model").empty()))
            s.eirp_dBm = std::numeric_limits<double>::quiet_NaN();  // the antenna's gain, below
        else
            throw InputError(r.location + ": field 'eirp_dbm' is empty; give eirp_dbm, or tx_power_dbm with antenna_gain_dbi, "
                                          "antenna_model or antenna_file");

        if (auto az = optionalNumber(r, "azimuth_deg")) {
            s.pattern.azimuth_deg = requireRange(*az, 0, 360, r, "azimuth_deg", "bearing clockwise from north, or empty for omni");
        }
        s.mechanical_tilt_deg = requireRange(optionalNumber(r, "mechanical_tilt_deg").value_or(0.0), -90, 90, r,
                                             "mechanical_tilt_deg", "downtilt in degrees, positive below the horizon");
        s.electrical_tilt_deg = requireRange(optionalNumber(r, "electrical_tilt_deg").value_or(0.0), -90, 90, r,
                                             "electrical_tilt_deg", "downtilt in degrees, positive below the horizon");
        s.pattern.downtilt_deg = s.electrical_tilt_deg;
        s.pattern.mechanical_tilt_deg = s.mechanical_tilt_deg;
        s.antenna_model = r.get("antenna_model");
        if (!s.antenna_model.empty()) {
            // A shipped parametric model; beamwidth columns given on the row override its own.
            const AntennaModel* am = findAntennaModel(s.antenna_model);
            if (!am) {
                throw InputError(r.location + ": field 'antenna_model' = '" + s.antenna_model + "' is unknown; use one of " +
                                 antennaModelNames() + " (or give h_beamwidth_deg, v_beamwidth_deg and a gain, or antenna_file)");
            }
            if (!r.get("antenna_file").empty()) {
                throw InputError(r.location + ": both 'antenna_model' and 'antenna_file' are set; give one (the file's measured "
                                              "pattern, or the parametric model)");
            }
            if (am->omni && s.pattern.azimuth_deg) {
                throw InputError(r.location + ": field 'antenna_model' = '" + s.antenna_model +
                                 "' is omnidirectional; leave azimuth_deg empty, or pick a sector model");
            }
            if (!am->omni && !s.pattern.azimuth_deg) {
                throw InputError(r.location + ": field 'antenna_model' = '" + s.antenna_model +
                                 "' is a sector antenna; give azimuth_deg (its bearing, clockwise from north)");
            }
            s.pattern.h_beamwidth_deg = am->h_beamwidth_deg;
            s.pattern.v_beamwidth_deg = am->v_beamwidth_deg;
            s.pattern.max_attenuation_dB = am->max_attenuation_dB;
            s.pattern.side_lobe_attenuation_dB = am->side_lobe_attenuation_dB;
            if (std::isnan(s.eirp_dBm)) s.eirp_dBm = ptx_dBm + am->gain_dBi;
        }
        if (auto hb = optionalNumber(r, "h_beamwidth_deg")) {
            s.pattern.h_beamwidth_deg = requireRange(*hb, 1, 360, r, "h_beamwidth_deg", "half-power beamwidth in degrees");
        }
        if (auto vb = optionalNumber(r, "v_beamwidth_deg")) {
            s.pattern.v_beamwidth_deg = requireRange(*vb, 1, 180, r, "v_beamwidth_deg", "half-power beamwidth in degrees");
        }
        s.antenna_file = r.get("antenna_file");
        if (!s.antenna_file.empty()) {
            // The file's cuts are the pattern: its vertical cut holds the electrical tilt (MSI files
            // come one per tilt) and its cuts the beamwidths, so those columns would be ignored.
            if (s.electrical_tilt_deg != 0.0) {
                throw InputError(r.location + ": field 'electrical_tilt_deg' = " + r.get("electrical_tilt_deg") +
                                 " with antenna_file '" + s.antenna_file +
                                 "': an MSI file's vertical cut already holds the electrical tilt; leave the field empty "
                                 "(or 0) and give the file for that tilt (mechanical_tilt_deg applies on top)");
            }
            for (const char* col : {"h_beamwidth_deg", "v_beamwidth_deg"}) {
                if (!r.get(col).empty()) {
                    throw InputError(r.location + ": field '" + col + "' with antenna_file '" + s.antenna_file +
                                     "': the file's cuts give the beamwidths; leave the field empty on this row");
                }
            }
            // Relative to the site table; one parse per distinct file.
            const std::filesystem::path base = std::filesystem::path(table.source).parent_path();
            const std::filesystem::path f = std::filesystem::path(s.antenna_file).is_absolute() ? std::filesystem::path(s.antenna_file)
                                                                                               : base / s.antenna_file;
            auto& cached = msi_cache[f.string()];
            if (!cached) {
                try {
                    cached = readMsiFile(f.string());
                } catch (const InputError& e) {
                    throw InputError(r.location + ": field 'antenna_file': " + e.what());
                }
            }
            s.pattern.msi = cached;
            if (std::isnan(s.eirp_dBm)) s.eirp_dBm = ptx_dBm + cached->gain_dBi;
            s.pattern.downtilt_deg = 0.0;  // the file's vertical cut holds the electrical tilt
        }
        // EIRP within what transmitters radiate: a handset-class -30 dBm to 100 dBm (10 MW, beyond the
        // largest broadcast stations); outside, a unit was mistaken (W or mW for dBm).
        if (!(s.eirp_dBm >= -30.0 && s.eirp_dBm <= 100.0)) {
            const std::string given = eirp ? "field 'eirp_dbm' = " + r.get("eirp_dbm")
                                           : "EIRP = tx_power_dbm " + r.get("tx_power_dbm") + " + antenna gain = " + fmtDb(s.eirp_dBm);
            throw InputError(r.location + ": " + given + " dBm is outside [-30, 100] dBm; give the EIRP in dBm (a macro "
                                          "sector radiates 55-65 dBm; 20 W into a 17 dBi antenna is 60 dBm), not in W or mW");
        }
        s.bandwidth_MHz = optionalNumber(r, "bandwidth_mhz").value_or(defaultBandwidth_MHz(s.tech));
        if (s.bandwidth_MHz <= 0.0) throw InputError(r.location + ": field 'bandwidth_mhz' must be positive");
        const auto offset = referenceSignalOffset_dB(s.tech, s.bandwidth_MHz);
        if (!offset) {
            throw InputError(r.location + ": field 'bandwidth_mhz' = " + r.get("bandwidth_mhz") + " is not a " +
                             std::string(toString(s.tech)) + " channel bandwidth; use one of " + validBandwidths(s.tech));
        }
        s.reference_offset_dB = *offset;
        s.operator_name = r.get("operator");
        s.tower_id = r.get("tower_id");
        out.push_back(std::move(s));
    }
    rejectDuplicateSectors(out);
    return out;
}

}  // namespace phusong
