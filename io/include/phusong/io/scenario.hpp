#pragma once
/// @file scenario.hpp
/// Scenario files: one YAML document that describes a province (terrain, operators, sites or a
/// site generator, villages, industrial zones, targets, technologies, costs, outputs).
/// Validation is strict: unknown keys, wrong types and out-of-range values throw InputError
/// naming the file, line, the key path (e.g. `sites.generate.towers`) and what was expected.
/// Paths are relative to the scenario file; `${data}` stands for the `--data-dir` folder.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/geometry.hpp"
#include "phusong/core/network_gen.hpp"
#include "phusong/core/synth_terrain.hpp"
#include "phusong/core/technology.hpp"

namespace phusong::io {

struct ScenarioTech {
    Technology tech = Technology::G4;
    double freq_MHz = 0.0;
    double eirp_dBm = 0.0;
    double bandwidth_MHz = 0.0;
    double threshold_dBm = 0.0;
    double electrical_tilt_deg = 0.0;
    double mechanical_tilt_deg = 0.0;  ///< turns the generated sectors' antennas (site table's mechanical_tilt_deg)
    double v_beamwidth_deg = 10.0;
    double h_beamwidth_deg = 65.0;
    std::string antenna_model;  ///< a shipped parametric model (antennaModels()); replaces the beamwidths
    std::vector<double> polygon_thresholds_dBm;  ///< coverage polygons (GeoPackage); default: threshold
    std::optional<double> shadowing_dB;  ///< location variability (shadow fading) std dev; unset: median coverage only
};

struct SyntheticTerrainSpec {
    LatLon center{21.3, 106.2};
    SynthTerrainOptions options;  ///< size, resolution, relief, seed; centre and CRS set from `center` by the run
};

struct TerrainSpec {
    std::vector<std::string> dem;             ///< resolved paths; empty when none or unavailable
    std::string dem_unavailable;              ///< why the DEM was not used ("" when it was, or none given)
    std::optional<LatLon> stand_in_center;    ///< relocate the DEM so its centre lies here
    std::optional<SyntheticTerrainSpec> synthetic;
};

/// The province outline: terrain outside it is masked (no sites, villages or coverage there).
struct BoundarySpec {
    std::string file;                         ///< resolved; empty when none or unavailable
    std::string file_unavailable;
    std::map<std::string, std::string> where; ///< field -> value filter on the features
};

struct SiteGeneratorSpec {
    gen::TowerRules rules;                    ///< tower count, placement shares, spacing, seed
    std::map<Technology, int> bts;            ///< base stations per technology (one sector row each unless sectors_per_bts)
    double antenna_height_m = 30.0;
    int sectors_per_bts = 1;                  ///< 1 = omni cell, 3 = three 120° sectors
    std::map<std::string, double> operator_share;  ///< operator -> share of BTS (default equal)
    int zone_5g_only = 1;                     ///< 5G BTS go to towers in industrial zones first
};

struct VillagesSpec {
    std::string file;                         ///< resolved; empty when none or unavailable
    std::string file_unavailable;
    std::map<std::string, std::string> where; ///< field -> value filter on the features
    int synthetic_count = 0;
    uint64_t synthetic_seed = 1;
    double population_min = 1000.0, population_max = 10000.0;
};

struct ZoneSpec {
    std::string name;
    std::vector<LatLon> polygon;              ///< closed ring not required
    double target_share = 0.95;
    double threshold_dBm = -105.0;
};

struct TargetsSpec {
    bool villages = false;
    Technology village_tech = Technology::G4;
    std::string cover_by = "every";
    bool zones_5g = false;
};

struct PlanSpec {
    double candidate_spacing_m = 2000.0;
    double time_limit_s = 60.0;
    double tower_height_m = 30.0;
    double radius_km = 8.0;
    std::optional<double> eirp_dBm;           ///< planned equipment; default: the technology's
    double zone_5g_eirp_dBm = 65.0;
};

struct CostSpec {
    double new_tower = 1000.0, equipment = 200.0, colocation = 50.0, equipment_5g = 400.0;
    std::string unit = "million VND";
};

struct Scenario {
    std::string path;                         ///< the YAML file
    std::string name, title, description;
    std::vector<std::pair<std::string, std::string>> provenance;  ///< part -> real/synthetic and source
    TerrainSpec terrain;
    BoundarySpec boundary;
    std::optional<int> epsg;
    double resolution_m = 0.0;                ///< analysis grid; 0 = the terrain's
    std::vector<std::string> operators;
    std::map<Technology, ScenarioTech> techs;
    std::string model = "p526-bullington";
    std::string environment = "suburban";
    double radius_km = 8.0;
    double rx_height_m = 1.5;
    double location_probability_pct = 90.0;  ///< model.location_probability: with a technology's shadowing_db
    std::vector<std::string> site_files;      ///< resolved
    std::optional<SiteGeneratorSpec> generator;
    VillagesSpec villages;
    std::vector<ZoneSpec> zones;
    std::optional<TargetsSpec> targets;
    PlanSpec plan;
    CostSpec costs;
    bool kmz = true, gpkg = true, report = true;
    std::string compression = "fast";  ///< outputs.compression: the COGs' DEFLATE setting, fast or small
};

/// Reads and validates @p path. @p data_dir replaces `${data}` in paths; when it is empty, inputs
/// under `${data}` are marked unavailable and the scenario's synthetic alternative is used
/// (an InputError when it has none).
Scenario loadScenario(const std::string& path, const std::string& data_dir);

/// Default radio parameters of a technology in Vietnamese networks (GSM 900, UMTS 2100, LTE
/// 1800, NR n78), used when the scenario gives none.
ScenarioTech defaultScenarioTech(Technology t);

}  // namespace phusong::io
