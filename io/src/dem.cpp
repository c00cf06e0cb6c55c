#include "phusong/io/dem.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <mutex>
#include <utility>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/void_fill.hpp"
#include "gdal_handles.hpp"

namespace phusong::io {

namespace {
void quietHandler(CPLErr, CPLErrorNum, const char*) {}

}  // namespace

void initGdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(quietHandler);  // errors are reported through exceptions instead
    });
}

Crs Crs::fromEpsg(int epsg) {
    initGdal();
    OGRSpatialReference srs;
    if (srs.importFromEPSG(epsg) != OGRERR_NONE) {
        throw InputError("--crs EPSG:" + std::to_string(epsg) + ": unknown EPSG code; use e.g. EPSG:32648 (UTM 48N)");
    }
    if (!srs.IsProjected()) {
        throw InputError("--crs EPSG:" + std::to_string(epsg) + " is not a projected CRS; the analysis grid needs metres (e.g. a UTM zone)");
    }
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    Crs c{epsg, wkt ? wkt : ""};
    CPLFree(wkt);
    return c;
}

struct Projector::Impl {
    std::unique_ptr<OGRCoordinateTransformation> fwd, inv;
};

Projector::Projector(const Crs& target) : m_impl(std::make_unique<Impl>()) {
    initGdal();
    OGRSpatialReference wgs84, dst;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (dst.importFromWkt(target.wkt.c_str()) != OGRERR_NONE) throw Error("Projector: invalid target CRS");
    dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    m_impl->fwd.reset(OGRCreateCoordinateTransformation(&wgs84, &dst));
    m_impl->inv.reset(OGRCreateCoordinateTransformation(&dst, &wgs84));
    if (!m_impl->fwd || !m_impl->inv) throw Error("Projector: cannot transform between WGS84 and the analysis CRS");
}

Projector::~Projector() = default;

PointXY Projector::toXY(LatLon p) const {
    double x = p.lon_deg, y = p.lat_deg;
    if (!m_impl->fwd->Transform(1, &x, &y)) throw Error("Projector: transform failed");
    return {x, y};
}

LatLon Projector::toLatLon(PointXY p) const {
    double x = p.x_m, y = p.y_m;
    if (!m_impl->inv->Transform(1, &x, &y)) throw Error("Projector: transform failed");
    return {y, x};
}

void projectSectors(std::vector<Sector>& sectors, const Crs& crs) {
    Projector proj(crs);
    for (Sector& s : sectors) s.xy = proj.toXY(s.position);
}

Terrain loadDem(const std::string& path, const DemLoadOptions& opt) {
    initGdal();
    CPLErrorReset();
    DatasetPtr src(static_cast<GDALDataset*>(GDALOpen(path.c_str(), GA_ReadOnly)));
    if (!src) {
        throw InputError(path + ": cannot open as a raster (" + lastGdalError() +
                         "); give a GeoTIFF, SRTM .hgt or VRT that GDAL reads");
    }
    if (src->GetRasterCount() < 1) throw InputError(path + ": the raster has no band");
    const OGRSpatialReference* src_srs = src->GetSpatialRef();
    if (!src_srs || src_srs->IsEmpty()) {
        throw InputError(path + ": the raster has no CRS; assign one with 'gdal_edit.py -a_srs EPSG:4326 " + path + "'");
    }
    double gt[6];
    if (src->GetGeoTransform(gt) != CE_None || gt[2] != 0.0 || gt[4] != 0.0) {
        throw InputError(path + ": the raster has no north-up geotransform; warp it with gdalwarp first");
    }
    const int sw = src->GetRasterXSize(), sh = src->GetRasterYSize();

    // Read band 1 in full and fill voids in the source geometry, so they are counted in source cells
    // and pixels outside the footprint after warping stay distinguishable from voids.
    GDALRasterBand* band = src->GetRasterBand(1);
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    DemGrid raw(sw, sh, GeoTransform{gt[0], gt[3], gt[1], -gt[5]}, 0.0f, std::numeric_limits<float>::quiet_NaN());
    if (band->RasterIO(GF_Read, 0, 0, sw, sh, raw.data().data(), sw, sh, GDT_Float32, 0, 0) != CE_None) {
        throw InputError(path + ": cannot read the elevation band (" + lastGdalError() + ")");
    }
    long long voids = 0, valid = 0;
    for (float& v : raw.data()) {
        if ((has_nodata && (v == static_cast<float>(nodata) || (std::isnan(nodata) && std::isnan(v)))) || std::isnan(v) ||
            v < -1000.0f) {  // SRTM voids are -32768; nothing on land lies 1 km below sea level
            v = std::numeric_limits<float>::quiet_NaN();
            ++voids;
        } else {
            ++valid;
        }
    }
    if (valid == 0) throw InputError(path + ": every cell is nodata; the DEM holds no elevation");
    // A projected DEM that was warped from another grid has nodata outside its footprint (the
    // corners of a reprojected tile): nodata connected to the raster's edge is outside, not a
    // void, and stays NaN. Geographic tiles (SRTM) have no such margin: their edge voids are voids.
    std::vector<uint8_t> outside;
    if (voids > 0 && !src_srs->IsGeographic()) {
        outside.assign(static_cast<size_t>(sw) * sh, 0);
        std::vector<std::pair<int, int>> stack;
        auto seed = [&](int c, int r) {
            const size_t i = static_cast<size_t>(r) * sw + c;
            if (!outside[i] && std::isnan(raw.at(c, r))) {
                outside[i] = 1;
                stack.emplace_back(c, r);
            }
        };
        for (int c = 0; c < sw; ++c) {
            seed(c, 0);
            seed(c, sh - 1);
        }
        for (int r = 0; r < sh; ++r) {
            seed(0, r);
            seed(sw - 1, r);
        }
        while (!stack.empty()) {
            const auto [c, r] = stack.back();
            stack.pop_back();
            if (c > 0) seed(c - 1, r);
            if (c + 1 < sw) seed(c + 1, r);
            if (r > 0) seed(c, r - 1);
            if (r + 1 < sh) seed(c, r + 1);
        }
        for (uint8_t o : outside) voids -= o;
    }
    long long filled = 0;
    if (voids > 0) {
        fillVoids(raw);
        long long left = 0;  // interior voids too far from any data to fill
        for (size_t i = 0; i < raw.data().size(); ++i) {
            if (!outside.empty() && outside[i]) raw.data()[i] = std::numeric_limits<float>::quiet_NaN();
            else left += std::isnan(raw.data()[i]) ? 1 : 0;
        }
        filled = voids - left;
    }

    // Centre in WGS84 picks the UTM zone.
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference srs_copy(*src_srs);
    srs_copy.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_geo(OGRCreateCoordinateTransformation(&srs_copy, &wgs84));
    double cx = gt[0] + gt[1] * sw / 2.0, cy = gt[3] + gt[5] * sh / 2.0;
    if (!to_geo || !to_geo->Transform(1, &cx, &cy)) throw InputError(path + ": cannot transform the DEM's CRS to WGS84");
    const int epsg = opt.epsg.value_or(utmEpsgFor(LatLon{cy, cx}));
    Terrain out;
    out.crs = Crs::fromEpsg(epsg);
    out.source = path;
    out.voids_filled = filled;

    // Native spacing in metres (north-south and east-west at the centre); the finer one is used.
    if (src_srs->IsGeographic()) {
        const double m_per_deg = kPi * kEarthRadius_m / 180.0;
        out.native_resolution_m = std::min(std::abs(gt[5]) * m_per_deg, std::abs(gt[1]) * m_per_deg * std::cos(deg2rad(cy)));
    } else {
        out.native_resolution_m = std::min(std::abs(gt[1]), std::abs(gt[5])) * src_srs->GetLinearUnits();
    }
    out.native_resolution_m = std::round(out.native_resolution_m * 100.0) / 100.0;
    const double res = opt.resolution_m > 0.0 ? opt.resolution_m : out.native_resolution_m;

    // A DEM already in the analysis CRS at the analysis spacing (metres, square pixels) is the
    // analysis grid: no warp, the cells as they are (a warp onto the same grid would only copy them).
    {
        OGRSpatialReference target;
        target.importFromEPSG(epsg);
        const bool same_crs = !src_srs->IsGeographic() && src_srs->GetLinearUnits() == 1.0 && target.IsSame(src_srs);
        if (same_crs && std::abs(gt[1]) == res && std::abs(gt[5]) == res && gt[1] > 0.0 && gt[5] < 0.0) {
            out.grid = std::move(raw);
            return out;
        }
    }

    // Filled source as an in-memory dataset, then one bilinear warp to the analysis grid.
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    DatasetPtr filled_ds(mem->Create("", sw, sh, 1, GDT_Float32, nullptr));
    filled_ds->SetGeoTransform(gt);
    filled_ds->SetSpatialRef(src_srs);
    GDALRasterBand* fb = filled_ds->GetRasterBand(1);
    fb->SetNoDataValue(std::numeric_limits<double>::quiet_NaN());
    if (fb->RasterIO(GF_Write, 0, 0, sw, sh, raw.data().data(), sw, sh, GDT_Float32, 0, 0) != CE_None) {
        throw Error("loadDem: cannot fill the in-memory DEM");
    }
    const std::string res_s = std::to_string(res);
    const std::string srs_s = "EPSG:" + std::to_string(epsg);
    const char* argv[] = {"-of", "MEM", "-t_srs", srs_s.c_str(), "-tr", res_s.c_str(), res_s.c_str(), "-r", "bilinear",
                          "-dstnodata", "nan", "-wo", "NUM_THREADS=ALL_CPUS", nullptr};
    GDALWarpAppOptions* wopts = GDALWarpAppOptionsNew(const_cast<char**>(argv), nullptr);
    GDALDatasetH srcs[1] = {GDALDataset::ToHandle(filled_ds.get())};
    int usage_error = 0;
    DatasetPtr warped(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, srcs, wopts, &usage_error)));
    GDALWarpAppOptionsFree(wopts);
    if (!warped) throw InputError(path + ": cannot warp to " + srs_s + " (" + lastGdalError() + ")");
    double wgt[6];
    warped->GetGeoTransform(wgt);
    const int ww = warped->GetRasterXSize(), wh = warped->GetRasterYSize();
    out.grid = DemGrid(ww, wh, GeoTransform{wgt[0], wgt[3], wgt[1], -wgt[5]}, 0.0f, std::numeric_limits<float>::quiet_NaN());
    if (warped->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, ww, wh, out.grid.data().data(), ww, wh, GDT_Float32, 0, 0) !=
        CE_None) {
        throw Error("loadDem: cannot read the warped DEM");
    }
    return out;
}

}  // namespace phusong::io

namespace phusong::io {

Grid<float> loadOnGrid(const std::string& path, const GeoTransform& gt, int width, int height, const Crs& crs) {
    DatasetPtr src = openRaster(path);
    if (!src->GetSpatialRef()) throw InputError(path + ": the raster has no CRS; assign one with gdal_edit.py -a_srs");
    const std::string srs_s = "EPSG:" + std::to_string(crs.epsg);
    const std::string xmin = std::to_string(gt.origin_x_m), ymax = std::to_string(gt.origin_y_m);
    const std::string xmax = std::to_string(gt.origin_x_m + width * gt.pixel_width_m);
    const std::string ymin = std::to_string(gt.origin_y_m - height * gt.pixel_height_m);
    const std::string ws = std::to_string(width), hs = std::to_string(height);
    const char* argv[] = {"-of", "MEM", "-t_srs", srs_s.c_str(), "-te", xmin.c_str(), ymin.c_str(), xmax.c_str(), ymax.c_str(),
                          "-ts", ws.c_str(), hs.c_str(), "-r", "near", "-ot", "Float32", "-dstnodata", "nan", nullptr};
    GDALWarpAppOptions* wopts = GDALWarpAppOptionsNew(const_cast<char**>(argv), nullptr);
    GDALDatasetH srcs[1] = {GDALDataset::ToHandle(src.get())};
    int usage_error = 0;
    DatasetPtr warped(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, srcs, wopts, &usage_error)));
    GDALWarpAppOptionsFree(wopts);
    if (!warped) throw InputError(path + ": cannot warp onto the analysis grid (" + lastGdalError() + ")");
    Grid<float> out(width, height, gt, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::quiet_NaN());
    if (warped->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, width, height, out.data().data(), width, height, GDT_Float32, 0, 0) !=
        CE_None) {
        throw Error(path + ": cannot read the warped raster");
    }
    return out;
}

}  // namespace phusong::io
