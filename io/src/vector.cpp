#include "phusong/io/vector.hpp"

#include <ogr_api.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

#include "phusong/core/error.hpp"

namespace phusong::io {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

bool isVectorFile(const std::string& path) {
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    return ext == ".geojson" || ext == ".json" || ext == ".gpkg" || ext == ".shp" || ext == ".kml" || ext == ".fgb";
}

std::vector<Feature> readFeatures(const std::string& path) {
    initGdal();
    if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
    std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
    if (!ds || ds->GetLayerCount() < 1) throw InputError(path + ": not a vector file GDAL can read (GeoJSON, GeoPackage, Shapefile)");
    OGRLayer* layer = ds->GetLayer(0);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct;
    if (const OGRSpatialReference* src = layer->GetSpatialRef()) {
        OGRSpatialReference s(*src);
        s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (!s.IsSame(&wgs84)) ct.reset(OGRCreateCoordinateTransformation(&s, &wgs84));
    }
    std::vector<Feature> out;
    int n = 0;
    for (auto& feat : *layer) {
        ++n;
        Feature f;
        f.location = path + " feature " + std::to_string(n);
        for (int i = 0; i < feat->GetFieldCount(); ++i)
            if (feat->IsFieldSetAndNotNull(i)) f.fields[lower(feat->GetFieldDefnRef(i)->GetNameRef())] = feat->GetFieldAsString(i);
        const OGRGeometry* g0 = feat->GetGeometryRef();
        if (!g0 || g0->IsEmpty()) throw InputError(f.location + ": no geometry; every feature needs a point or polygon");
        std::unique_ptr<OGRGeometry> g(g0->clone());
        if (ct && g->transform(ct.get()) != OGRERR_NONE) throw InputError(f.location + ": cannot reproject to WGS 84");
        const auto type = wkbFlatten(g->getGeometryType());
        {
            OGREnvelope e;
            g->getEnvelope(&e);
            f.bbox_min = {e.MinY, e.MinX};
            f.bbox_max = {e.MaxY, e.MaxX};
        }
        if (type == wkbPoint) {
            const auto* p = g->toPoint();
            f.point = {p->getY(), p->getX()};
        } else if (type == wkbPolygon || type == wkbMultiPolygon) {
            f.polygon = true;
            // A point guaranteed inside (GEOS), unlike the centroid of a crescent-shaped commune.
            OGRGeometryH inside = OGR_G_PointOnSurface(OGRGeometry::ToHandle(g.get()));
            if (inside) {
                f.point = {OGR_G_GetY(inside, 0), OGR_G_GetX(inside, 0)};
                OGR_G_DestroyGeometry(inside);
            } else {
                OGREnvelope e;
                g->getEnvelope(&e);
                f.point = {0.5 * (e.MinY + e.MaxY), 0.5 * (e.MinX + e.MaxX)};
            }
            char* wkt = nullptr;
            g->exportToWkt(&wkt);
            f.wkt_wgs84 = wkt ? wkt : "";
            CPLFree(wkt);
        } else {
            throw InputError(f.location + ": geometry type " + std::string(OGRGeometryTypeToName(type)) +
                             " is not supported; use points or polygons");
        }
        out.push_back(std::move(f));
    }
    if (out.empty()) throw InputError(path + ": the layer has no features");
    return out;
}

std::vector<PointXY> samplePolygon(const Feature& f, const Crs& crs, double spacing_m) {
    const Projector proj(crs);
    std::vector<PointXY> pts;
    if (!f.polygon) {
        pts.push_back(proj.toXY(f.point));
        return pts;
    }
    OGRGeometry* raw = nullptr;
    OGRGeometryFactory::createFromWkt(f.wkt_wgs84.c_str(), nullptr, &raw);
    std::unique_ptr<OGRGeometry> g(raw);
    if (!g) throw InputError(f.location + ": polygon could not be rebuilt");
    OGRSpatialReference wgs84, dst;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (crs.epsg > 0) dst.importFromEPSG(crs.epsg);
    else dst.importFromWkt(crs.wkt.c_str());
    dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, &dst));
    if (!ct || g->transform(ct.get()) != OGRERR_NONE) throw InputError(f.location + ": cannot project the polygon");
    OGREnvelope e;
    g->getEnvelope(&e);
    for (double y = std::floor(e.MinY / spacing_m) * spacing_m + 0.5 * spacing_m; y < e.MaxY; y += spacing_m)
        for (double x = std::floor(e.MinX / spacing_m) * spacing_m + 0.5 * spacing_m; x < e.MaxX; x += spacing_m) {
            OGRPoint p(x, y);
            if (g->Contains(&p)) pts.push_back({x, y});
        }
    if (pts.empty()) pts.push_back(proj.toXY(f.point));
    return pts;
}

}  // namespace phusong::io
