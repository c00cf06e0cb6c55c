#pragma once
// The report's static files (index.html, report.js, report.css, Leaflet), embedded at build time
// from web/report and web/node_modules/leaflet (npm registry, installed by scripts/setup.sh).

#include <string>
#include <string_view>
#include <vector>

namespace phusong::cli {

struct Asset {
    std::string name;       ///< file name inside the report folder
    std::string_view bytes;
};

const std::vector<Asset>& reportAssets();

}  // namespace phusong::cli
