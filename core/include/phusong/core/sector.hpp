#pragma once
/// @file sector.hpp
/// The site table: one row per sector (a transmitter with its antenna and carrier).

#include <optional>
#include <string>
#include <vector>

#include "phusong/core/antenna.hpp"
#include "phusong/core/csv.hpp"
#include "phusong/core/geometry.hpp"
#include "phusong/core/technology.hpp"

namespace phusong {

struct Sector {
    std::string site_id;
    std::string location;  ///< "sites.csv line 4": where it was read, for messages
    LatLon position;
    PointXY xy;  ///< position in the analysis CRS; set by whoever projects the table
    double antenna_height_m = 0.0;  ///< above ground
    Technology tech = Technology::G4;
    double freq_MHz = 0.0;
    double eirp_dBm = 0.0;  ///< total sector EIRP at boresight
    ParametricPattern pattern;
    double mechanical_tilt_deg = 0.0;
    double electrical_tilt_deg = 0.0;
    std::string antenna_model;  ///< a shipped parametric model (antennaModels()), or empty
    std::string antenna_file;
    double bandwidth_MHz = 0.0;
    double reference_offset_dB = 0.0;  ///< EIRP minus reference-signal EIRP (see technology.hpp)
    std::string operator_name;
    std::string tower_id;
};

/// Column names the site table understands.
inline constexpr std::initializer_list<const char*> kSectorColumns = {
    "site_id", "lat", "lon", "antenna_height_m", "tech", "freq_mhz", "eirp_dbm", "tx_power_dbm",
    "antenna_gain_dbi", "azimuth_deg", "mechanical_tilt_deg", "electrical_tilt_deg", "h_beamwidth_deg",
    "v_beamwidth_deg", "antenna_model", "antenna_file", "bandwidth_mhz", "operator", "tower_id"};

/// Validates a site table and converts it to sectors. Every problem throws InputError naming
/// the file, line and field, with the fix. Unknown columns close to a known name (a typo) are
/// errors; other extra columns are ignored.
std::vector<Sector> parseSectors(const Table& table);

}  // namespace phusong
