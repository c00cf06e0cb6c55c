#include "phusong/core/clutter.hpp"

#include <cmath>
#include <set>

#include "phusong/core/error.hpp"

namespace phusong {

ClutterTable parseClutterTable(const Table& table) {
    ClutterTable out;
    out.source = table.source;
    for (const char* col : {"class", "loss_db"}) {
        bool found = false;
        for (const auto& c : table.columns) found = found || c == col;
        if (!found) throw InputError(table.source + ": missing column '" + col + "'; expected class,loss_db[,name]");
    }
    for (const Record& r : table.rows) {
        const double c = parseNumber(r.get("class"), r.location, "class");
        if (c != std::floor(c)) throw InputError(r.location + ": field 'class' must be an integer land-cover code");
        const int code = static_cast<int>(c);
        const double loss = parseNumber(r.get("loss_db"), r.location, "loss_db");
        if (!(loss >= -10.0 && loss <= 60.0)) throw InputError(r.location + ": field 'loss_db' must be within -10..60 dB");
        if (!out.loss_dB.emplace(code, loss).second) {
            throw InputError(r.location + ": class " + std::to_string(code) + " is listed twice; keep one row per class");
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
            const auto it = table.loss_dB.find(static_cast<int>(std::lround(v)));
            if (it == table.loss_dB.end()) missing.insert(static_cast<int>(std::lround(v)));
            else out.at(c, r) = static_cast<float>(it->second);
        }
    }
    if (!missing.empty()) {
        std::string list;
        for (int m : missing) list += (list.empty() ? "" : ", ") + std::to_string(m);
        throw InputError(raster_path + " has classes " + list + " that " + table.source + " does not list; add a row for each");
    }
    return out;
}

}  // namespace phusong
