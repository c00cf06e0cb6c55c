#include "phusong/core/clutter.hpp"

#include <cmath>
#include <set>

#include "phusong/core/error.hpp"

namespace phusong {

ClutterTable parseClutterTable(const Table& table) {
    ClutterTable out;
    out.source = table.source;
    auto hasColumn = [&](const char* col) {
        for (const auto& c : table.columns)
            if (c == col) return true;
        return false;
    };
    if (!hasColumn("class")) throw InputError(table.source + ": missing column 'class'; expected class,loss_db[,height_m,type,name]");
    if (!hasColumn("loss_db") && !hasColumn("height_m"))
        throw InputError(table.source + ": give a loss_db or a height_m (with type) column; expected class,loss_db[,height_m,type,name]");
    static const std::map<std::string, models::p2108::ClutterType> kTypes = {
        {"water_sea", models::p2108::ClutterType::WaterSea},     {"open_rural", models::p2108::ClutterType::OpenRural},
        {"suburban", models::p2108::ClutterType::Suburban},      {"urban", models::p2108::ClutterType::Urban},
        {"trees_forest", models::p2108::ClutterType::TreesForest}, {"dense_urban", models::p2108::ClutterType::DenseUrban}};
    std::set<int> seen;
    for (const Record& r : table.rows) {
        const double c = parseNumber(r.get("class"), r.location, "class");
        if (c != std::floor(c)) throw InputError(r.location + ": field 'class' must be an integer land-cover code");
        const int code = static_cast<int>(c);
        if (!seen.insert(code).second) {
            throw InputError(r.location + ": class " + std::to_string(code) + " is listed twice; keep one row per class");
        }
        const bool has_loss = !r.get("loss_db").empty(), has_height = !r.get("height_m").empty();
        if (!has_loss && !has_height) throw InputError(r.location + ": give loss_db, height_m (with type), or both");
        if (has_loss) {
            const double loss = parseNumber(r.get("loss_db"), r.location, "loss_db");
            if (!(loss >= -10.0 && loss <= 60.0)) throw InputError(r.location + ": field 'loss_db' must be within -10..60 dB");
            out.loss_dB[code] = loss;
        }
        if (has_height) {
            const double h = parseNumber(r.get("height_m"), r.location, "height_m");
            if (!(h >= 0.0 && h <= 100.0)) throw InputError(r.location + ": field 'height_m' must be within 0..100 m");
            const auto t = kTypes.find(r.get("type"));
            if (t == kTypes.end())
                throw InputError(r.location + ": field 'type' must be one of water_sea, open_rural, suburban, urban, trees_forest, dense_urban (P.2108 Table 3), got '" +
                                 r.get("type") + "'");
            out.height_m[code] = h;
            out.type[code] = t->second;
        }
        if (r.has("name")) out.name[code] = r.get("name");
    }
    if (out.loss_dB.empty()) throw InputError(table.source + ": no classes; add rows class,loss_db");
    return out;
}

Grid<float> clutterLossGrid(const Grid<float>& classes, const ClutterTable& table, const std::string& raster_path) {
    Grid<float> out(classes.width(), classes.height(), classes.geoTransform(), 0.0f, std::numeric_limits<float>::quiet_NaN());
    std::set<int> missing;
    for (int r = 0; r < classes.height(); ++r) {
        for (int c = 0; c < classes.width(); ++c) {
            const float v = classes.at(c, r);
            if (std::isnan(v)) continue;
            const int code = static_cast<int>(std::lround(v));
            const auto it = table.loss_dB.find(code);
            if (it != table.loss_dB.end()) out.at(c, r) = static_cast<float>(it->second);
            else if (!table.height_m.count(code)) missing.insert(code);
        }
    }
    if (!missing.empty()) {
        std::string list;
        for (int m : missing) list += (list.empty() ? "" : ", ") + std::to_string(m);
        throw InputError(raster_path + " has classes " + list + " that " + table.source + " does not list; add a row for each");
    }
    return out;
}

Grid<float> clutterLossGrid(const Grid<float>& classes, const ClutterTable& table, const std::string& raster_path, double freq_MHz,
                            double rx_height_m) {
    Grid<float> out = clutterLossGrid(classes, table, raster_path);
    if (!table.hasHeights()) return out;
    // The §3.1 correction of each class at this frequency and receiver height.
    const double f_GHz = std::min(freq_MHz / 1000.0, kP2108MaxFreq_GHz);
    std::map<int, float> extra;
    for (const auto& [code, R] : table.height_m) {
        if (!(R > 0.0)) continue;
        const auto res = models::p2108::heightGainTerminalCorrection(f_GHz, rx_height_m, kP2108StreetWidth_m, R, table.type.at(code));
        if (res.rtn != models::p2108::kSuccess)
            throw InputError(table.source + ": class " + std::to_string(code) + ": P.2108 §3.1 cannot be evaluated (return code " +
                             std::to_string(res.rtn) + "); check height_m and the frequency");
        extra[code] = static_cast<float>(res.loss_dB);
    }
    for (size_t i = 0; i < out.data().size(); ++i) {
        const float v = classes.data()[i];
        if (std::isnan(v)) continue;
        const auto it = extra.find(static_cast<int>(std::lround(v)));
        if (it != extra.end()) out.data()[i] += it->second;
    }
    return out;
}

}  // namespace phusong
