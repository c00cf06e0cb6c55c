#include "phusong/io/sites.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"

namespace phusong::io {

namespace {
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string formatDouble(double v) {
    std::ostringstream ss;
    ss.precision(17);
    ss << v;
    return ss.str();
}

Table readOgr(const std::string& path) {
    initGdal();
    std::unique_ptr<GDALDataset, void (*)(GDALDataset*)> ds(
        static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr)),
        [](GDALDataset* d) { GDALClose(d); });
    if (!ds) throw InputError(path + ": cannot open as a vector table; give a CSV, GeoJSON or GeoPackage file");
    if (ds->GetLayerCount() < 1) throw InputError(path + ": the file has no layer");
    OGRLayer* layer = ds->GetLayer(0);
    Table t;
    t.source = path;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) t.columns.push_back(lower(defn->GetFieldDefn(i)->GetNameRef()));
    const bool need_coords = std::find(t.columns.begin(), t.columns.end(), "lat") == t.columns.end() &&
                             std::find(t.columns.begin(), t.columns.end(), "lon") == t.columns.end();
    std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
    if (need_coords) {
        t.columns.emplace_back("lat");
        t.columns.emplace_back("lon");
        if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
            OGRSpatialReference src(*srs), wgs;
            src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            wgs.importFromEPSG(4326);
            wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            to_wgs84.reset(OGRCreateCoordinateTransformation(&src, &wgs));
        }
    }
    layer->ResetReading();
    long long n = 0;
    while (OGRFeature* f = layer->GetNextFeature()) {
        std::unique_ptr<OGRFeature> guard(f);
        ++n;
        Record r;
        r.location = path + " feature " + std::to_string(n);
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            r.fields[t.columns[static_cast<size_t>(i)]] = f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "";
        }
        if (need_coords) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g || wkbFlatten(g->getGeometryType()) != wkbPoint) {
                throw InputError(r.location + ": no lat/lon columns and the geometry is not a point; add lat and lon fields");
            }
            double x = g->toPoint()->getX(), y = g->toPoint()->getY();
            if (to_wgs84 && !to_wgs84->Transform(1, &x, &y)) throw InputError(r.location + ": cannot transform the point to WGS84");
            r.fields["lon"] = formatDouble(x);
            r.fields["lat"] = formatDouble(y);
        }
        t.rows.push_back(std::move(r));
    }
    return t;
}
}  // namespace

Table readTable(const std::string& path) {
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such file; check the path");
    if (lower(std::filesystem::path(path).extension().string()) == ".csv") return readCsvFile(path);
    return readOgr(path);
}

std::vector<Sector> readSectors(const std::string& path) { return parseSectors(readTable(path)); }

}  // namespace phusong::io
