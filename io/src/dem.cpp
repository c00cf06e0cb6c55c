#include "phusong/io/dem.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/void_fill.hpp"
#include "gdal_handles.hpp"
#include "phusong/io/gdal_threads.hpp"

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

namespace {
// Pixel window [c0, c1) x [r0, r1) of a raster.
struct Window {
    int c0 = 0, r0 = 0, c1 = 0, r1 = 0;
    int width() const { return c1 - c0; }
    int height() const { return r1 - r0; }
};

std::unique_ptr<OGRCoordinateTransformation> transformBetween(const OGRSpatialReference& from, const OGRSpatialReference& to) {
    OGRSpatialReference a(from), b(to);
    a.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    b.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return std::unique_ptr<OGRCoordinateTransformation>(OGRCreateCoordinateTransformation(&a, &b));
}

// Metres per unit of a band's GetUnitType(): feet, US survey feet and centimetres are converted;
// anything else (empty, "m", "metre", "meters above sea level") is taken for metres.
double metresPerVerticalUnit(const char* unit_type) {
    std::string u = unit_type ? unit_type : "";
    for (char& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (u == "ft" || u == "foot" || u == "feet" || u == "international foot" || u == "intl foot") return 0.3048;
    if (u == "us-ft" || u == "ftus" || u == "us survey foot" || u == "us_survey_foot" || u == "us foot" || u == "survey foot") return 1200.0 / 3937.0;
    if (u == "cm" || u == "centimetre" || u == "centimeter" || u == "centimetres" || u == "centimeters") return 0.01;
    return 1.0;
}

// Which nodata cells of window @p e of a sw x sh raster (is_void(i): cell i of e, row by row, is
// nodata) lie outside the DEM's footprint: those connected (4-neighbours) to a side of e on the
// raster's edge, and with @p far_sides also to e's other sides (e then extends well beyond the
// window that matters: nodata reaching that far is no void to fill). With @p sized (a geographic
// DEM), a component under @p big cells that does not reach a far side is a void after all (SRTM's
// edge voids). A component of at least @p big cells is outside wherever it lies: a tile missing
// from the middle of a mosaic (SRTM has no tile where there is no land) is no void to interpolate
// across. @p voids: how many cells of e are nodata (the search stops when it has met them all).
// Returns 1 for outside, 0 otherwise, per cell of e.
template <class IsVoid>
std::vector<uint8_t> outsideFootprint(IsVoid&& is_void, Window e, int sw, int sh, bool far_sides, bool sized, long long big,
                                      long long voids) {
    const int w = e.width(), h = e.height();
    const bool edge_top = e.r0 == 0, edge_bottom = e.r1 == sh, edge_left = e.c0 == 0, edge_right = e.c1 == sw;
    std::vector<uint8_t> out(static_cast<size_t>(w) * h, 0);  // 1 outside, 2 an edge void kept as a void
    std::vector<size_t> component, stack;
    long long met = 0;  // nodata cells flooded so far
    auto flood = [&](int c0, int r0, bool interior) {
        const size_t i0 = static_cast<size_t>(r0) * w + c0;
        if (out[i0] || !is_void(i0)) return;
        long long size = 0;
        component.clear();
        stack.assign(1, i0);
        out[i0] = 1;
        bool far = false;  // the component reaches a side of e inside the raster
        while (!stack.empty()) {
            const size_t i = stack.back();
            stack.pop_back();
            ++size;
            if (sized || interior) component.push_back(i);
            const int c = static_cast<int>(i % static_cast<size_t>(w)), r = static_cast<int>(i / static_cast<size_t>(w));
            far |= (c == 0 && !edge_left) || (c == w - 1 && !edge_right) || (r == 0 && !edge_top) || (r == h - 1 && !edge_bottom);
            auto push = [&](int cc, int rr) {
                const size_t k = static_cast<size_t>(rr) * w + cc;
                if (!out[k] && is_void(k)) out[k] = 1, stack.push_back(k);
            };
            if (c > 0) push(c - 1, r);
            if (c + 1 < w) push(c + 1, r);
            if (r > 0) push(c, r - 1);
            if (r + 1 < h) push(c, r + 1);
        }
        met += size;
        if ((sized || interior) && !(far_sides && far) && size < big) {
            for (size_t k : component) out[k] = 2;
        }
    };
    for (int c = 0; c < w; ++c) {
        if (edge_top || far_sides) flood(c, 0, false);
        if (edge_bottom || far_sides) flood(c, h - 1, false);
    }
    for (int r = 0; r < h; ++r) {
        if (edge_left || far_sides) flood(0, r, false);
        if (edge_right || far_sides) flood(w - 1, r, false);
    }
    for (int r = 1; r + 1 < h && met < voids; ++r) {
        for (int c = 1; c + 1 < w; ++c) flood(c, r, true);
    }
    for (uint8_t& o : out) o = o == 1 ? 1 : 0;
    return out;
}

// A short name of a CRS for messages: "EPSG:32648", else its name.
std::string crsName(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth && code) return std::string(auth) + ":" + code;
    const char* name = srs.GetName();
    return name ? name : "an unnamed CRS";
}

// Whether @p name is a raster a DEM folder may hold (by extension, case-insensitive): SRTM .hgt
// and .hgt.zip, GeoTIFF, VRT, DTED, Erdas Imagine, Arc/Info ASCII grids, ESRI .bil.
bool isDemTileName(std::string name) {
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name.empty() || name[0] == '.') return false;
    for (const char* ext : {".hgt", ".hgt.zip", ".tif", ".tiff", ".vrt", ".dt0", ".dt1", ".dt2", ".img", ".asc", ".bil"}) {
        const size_t n = std::strlen(ext);
        if (name.size() > n && name.compare(name.size() - n, n, ext) == 0) return true;
    }
    return false;
}

}  // namespace

std::vector<std::string> demTiles(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (!std::filesystem::is_directory(p, ec)) {
            files.push_back(p);
            continue;
        }
        std::vector<std::string> in_dir;
        bool subfolders = false;
        for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
            if (e.is_regular_file(ec) && isDemTileName(e.path().filename().string())) in_dir.push_back(e.path().string());
            subfolders = subfolders || e.is_directory(ec);
        }
        if (ec) throw InputError(p + ": cannot list the folder (" + ec.message() + ")");
        if (in_dir.empty()) {
            throw InputError(p + ": the folder holds no DEM tile (.hgt, .hgt.zip, .tif, .tiff, .vrt, .dt0-.dt2, .img, .asc, .bil)" +
                             (subfolders ? std::string(" and its subfolders are not searched") : std::string()) +
                             "; give the folder that holds the elevation tiles, or one raster file");
        }
        std::sort(in_dir.begin(), in_dir.end());  // the mosaic does not depend on the listing's order
        files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    return files;
}

namespace {

// The DEM behind @p paths: one raster as it is, or several (the tiles of the folders among them,
// and the files named) as one in-memory mosaic, as `gdalbuildvrt -resolution highest` builds it,
// where cells under no tile are nodata. The tiles must share one CRS, and one scale, offset and
// vertical unit (which the mosaic keeps). Throws InputError naming the file at fault.
DatasetPtr openDem(const std::vector<std::string>& paths, int* tiles = nullptr) {
    initGdal();
    const std::vector<std::string> files = demTiles(paths);
    if (tiles) *tiles = static_cast<int>(files.size());
    if (files.empty()) throw InputError("no DEM given; give a raster file or a folder of tiles");
    auto open = [](const std::string& f) {
        CPLErrorReset();
        DatasetPtr ds(static_cast<GDALDataset*>(GDALOpen(f.c_str(), GA_ReadOnly)));
        if (!ds) throw InputError(f + ": cannot open as a raster (" + lastGdalError() + "); give a GeoTIFF, SRTM .hgt or VRT that GDAL reads");
        if (ds->GetRasterCount() < 1) throw InputError(f + ": the raster has no band");
        return ds;
    };
    if (files.size() == 1) return open(files[0]);

    // Every tile has a CRS, the first tile's, and its height unit, scale and offset.
    DatasetPtr first;
    std::string unit0;
    double scale0 = 1.0, offset0 = 0.0;
    bool any_nodata = false;
    for (size_t i = 0; i < files.size(); ++i) {
        DatasetPtr ds = open(files[i]);
        const OGRSpatialReference* srs = ds->GetSpatialRef();
        if (!srs || srs->IsEmpty()) throw InputError(files[i] + ": the raster has no CRS; assign one with 'gdal_edit.py -a_srs EPSG:4326 " + files[i] + "'");
        GDALRasterBand* b = ds->GetRasterBand(1);
        const std::string unit = b->GetUnitType() ? b->GetUnitType() : "";
        if (i == 0) {
            unit0 = unit, scale0 = b->GetScale(), offset0 = b->GetOffset();
        } else if (const OGRSpatialReference* srs0 = first->GetSpatialRef(); !srs->IsSame(srs0)) {
            throw InputError(files[i] + ": its CRS (" + crsName(*srs) + ") differs from that of " + files[0] + " (" + crsName(*srs0) +
                             "); the tiles of one raster must share a CRS: warp them to one with gdalwarp -t_srs first");
        } else if (unit != unit0 || b->GetScale() != scale0 || b->GetOffset() != offset0) {
            throw InputError(files[i] + ": its heights' unit, scale or offset (" + (unit.empty() ? "no unit" : unit) + ", x" +
                             std::to_string(b->GetScale()) + " + " + std::to_string(b->GetOffset()) + ") differ from those of " + files[0] +
                             "; convert the tiles to one unit first (gdal_translate -unscale, or gdal_calc.py)");
        }
        int has_nodata = 0;
        b->GetNoDataValue(&has_nodata);
        any_nodata = any_nodata || has_nodata;
        if (i == 0) first = std::move(ds);
    }

    // The mosaic: the finest tile's spacing; the cells no tile covers read as nodata (the tiles'
    // own, or SRTM's -32768 when they have none).
    std::vector<std::string> args = {"-resolution", "highest"};
    if (!any_nodata) args.insert(args.end(), {"-vrtnodata", "-32768"});
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    GDALBuildVRTOptions* vopts = GDALBuildVRTOptionsNew(const_cast<char**>(argv.data()), nullptr);
    std::vector<const char*> names;
    for (const auto& f : files) names.push_back(f.c_str());
    int usage_error = 0;
    CPLErrorReset();
    DatasetPtr vrt(GDALDataset::FromHandle(GDALBuildVRT("", static_cast<int>(names.size()), nullptr, names.data(), vopts, &usage_error)));
    GDALBuildVRTOptionsFree(vopts);
    if (!vrt) throw InputError(files[0] + " and " + std::to_string(files.size() - 1) + " more: cannot mosaic the tiles (" + lastGdalError() + ")");
    GDALRasterBand* vb = vrt->GetRasterBand(1);
    if (!unit0.empty()) vb->SetUnitType(unit0.c_str());
    if (scale0 != 1.0) vb->SetScale(scale0);
    if (offset0 != 0.0) vb->SetOffset(offset0);
    return vrt;
}

std::string demLabel(const std::vector<std::string>& paths) {
    std::string s;
    for (const auto& p : paths) s += (s.empty() ? "" : ", ") + p;
    return s;
}

// The cells of a north-up grid (origin gt[0], gt[3], spacing gt[1], gt[5] < 0) that the box
// [x0, x1] x [y0, y1] touches, clipped to w x h (empty when it misses the grid).
Window cellsOf(const double gt[6], int w, int h, double x0, double y0, double x1, double y1) {
    Window win;
    win.c0 = static_cast<int>(std::clamp(std::floor((x0 - gt[0]) / gt[1]), 0.0, static_cast<double>(w)));
    win.c1 = static_cast<int>(std::clamp(std::ceil((x1 - gt[0]) / gt[1]), 0.0, static_cast<double>(w)));
    win.r0 = static_cast<int>(std::clamp(std::floor((y1 - gt[3]) / gt[5]), 0.0, static_cast<double>(h)));
    win.r1 = static_cast<int>(std::clamp(std::ceil((y0 - gt[3]) / gt[5]), 0.0, static_cast<double>(h)));
    return win;
}
}  // namespace

Terrain loadDem(const std::string& path, const DemLoadOptions& opt) { return loadDem(std::vector<std::string>{path}, opt); }

Terrain loadDem(const std::vector<std::string>& paths, const DemLoadOptions& opt) {
    const std::string path = demLabel(paths);
    int tiles = 1;
    DatasetPtr src = openDem(paths, &tiles);
    const OGRSpatialReference* src_srs = src->GetSpatialRef();
    if (!src_srs || src_srs->IsEmpty()) {
        throw InputError(path + ": the raster has no CRS; assign one with 'gdal_edit.py -a_srs EPSG:4326 " + path + "'");
    }
    double gt[6];
    if (src->GetGeoTransform(gt) != CE_None || gt[2] != 0.0 || gt[4] != 0.0) {
        throw InputError(path + ": the raster has no north-up geotransform; warp it with gdalwarp first");
    }
    const int sw = src->GetRasterXSize(), sh = src->GetRasterYSize();

    // The centre (of the area of interest, else of the DEM) in WGS84 picks the UTM zone.
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    const auto to_geo = transformBetween(*src_srs, wgs84);
    if (!to_geo) throw InputError(path + ": cannot transform the DEM's CRS to WGS84");
    double cx = gt[0] + gt[1] * sw / 2.0, cy = gt[3] + gt[5] * sh / 2.0;
    if (!to_geo->Transform(1, &cx, &cy)) throw InputError(path + ": cannot transform the DEM's CRS to WGS84");
    if (!opt.around.empty()) {
        double lat0 = 90.0, lat1 = -90.0, lon0 = 180.0, lon1 = -180.0;
        for (const LatLon& p : opt.around) {
            lat0 = std::min(lat0, p.lat_deg), lat1 = std::max(lat1, p.lat_deg);
            lon0 = std::min(lon0, p.lon_deg), lon1 = std::max(lon1, p.lon_deg);
        }
        cx = 0.5 * (lon0 + lon1), cy = 0.5 * (lat0 + lat1);
    }
    const int epsg = opt.epsg.value_or(utmEpsgFor(LatLon{cy, cx}));
    Terrain out;
    out.crs = Crs::fromEpsg(epsg);
    out.source = path;
    out.tiles = tiles;

    // Native spacing in metres (north-south and east-west at the centre); the finer one is used.
    if (src_srs->IsGeographic()) {
        const double m_per_deg = kPi * kEarthRadius_m / 180.0;
        out.native_resolution_m = std::min(std::abs(gt[5]) * m_per_deg, std::abs(gt[1]) * m_per_deg * std::cos(deg2rad(cy)));
    } else {
        out.native_resolution_m = std::min(std::abs(gt[1]), std::abs(gt[5])) * src_srs->GetLinearUnits();
    }
    // The source's spacing east-west and north-south in metres, for the warp's resampling scale.
    double src_dx_m = std::abs(gt[1]) * src_srs->GetLinearUnits(), src_dy_m = std::abs(gt[5]) * src_srs->GetLinearUnits();
    if (src_srs->IsGeographic()) {
        const double m_per_deg = kPi * kEarthRadius_m / 180.0;
        src_dx_m = std::abs(gt[1]) * m_per_deg * std::cos(deg2rad(cy));
        src_dy_m = std::abs(gt[5]) * m_per_deg;
    }
    out.native_resolution_m = std::round(out.native_resolution_m * 100.0) / 100.0;
    const double res = opt.resolution_m > 0.0 ? opt.resolution_m : out.native_resolution_m;

    // A DEM already in the analysis CRS at the analysis spacing (metres, square pixels) is the
    // analysis grid: no warp, the cells as they are (a warp onto the same grid would only copy them).
    OGRSpatialReference target;
    target.importFromEPSG(epsg);
    const bool same_grid = !src_srs->IsGeographic() && src_srs->GetLinearUnits() == 1.0 && target.IsSame(src_srs) &&
                           gt[1] == res && -gt[5] == res;
    const std::string res_s = std::to_string(res);
    const std::string srs_s = "EPSG:" + std::to_string(epsg);

    // The whole DEM's analysis grid (fgt, fw x fh): the source grid, or the one gdalwarp chooses
    // (a virtual warp: no cell is computed), and the window of it the area of interest needs.
    double fgt[6];
    std::copy(gt, gt + 6, fgt);
    int fw = sw, fh = sh;
    auto warpArgs = [&](std::vector<std::string> extra) {
        // A fixed resampling scale (destination cells per source cell, at most 1): gdalwarp would
        // otherwise estimate it per processing chunk, and a window would resample differently.
        char xs[32], ys[32];
        std::snprintf(xs, sizeof xs, "XSCALE=%.12g", std::min(1.0, src_dx_m / res));
        std::snprintf(ys, sizeof ys, "YSCALE=%.12g", std::min(1.0, src_dy_m / res));
        std::vector<std::string> a = {"-t_srs", srs_s, "-tr", res_s, res_s, "-r", "bilinear", "-dstnodata", "nan", "-wo", xs, "-wo", ys, "-et", "0.01"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    auto warp = [&](GDALDataset* from, const std::vector<std::string>& args) {
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        argv.push_back(nullptr);
        GDALWarpAppOptions* wopts = GDALWarpAppOptionsNew(const_cast<char**>(argv.data()), nullptr);
        GDALDatasetH srcs[1] = {GDALDataset::ToHandle(from)};
        int usage_error = 0;
        DatasetPtr d(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, srcs, wopts, &usage_error)));
        GDALWarpAppOptionsFree(wopts);
        if (!d) throw InputError(path + ": cannot warp to " + srs_s + " (" + lastGdalError() + ")");
        return d;
    };
    Window win{0, 0, fw, fh};
    if (!opt.around.empty()) {
        if (!same_grid) {
            DatasetPtr vrt = warp(src.get(), warpArgs({"-of", "VRT"}));
            vrt->GetGeoTransform(fgt);
            fw = vrt->GetRasterXSize(), fh = vrt->GetRasterYSize();
        }
        const auto to_target = transformBetween(wgs84, target);
        double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
        for (const LatLon& p : opt.around) {
            double x = p.lon_deg, y = p.lat_deg;
            if (!to_target || !to_target->Transform(1, &x, &y)) throw InputError(path + ": cannot project the area of interest to " + srs_s);
            x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
        const double pad = opt.around_m + 3.0 * res;
        win = cellsOf(fgt, fw, fh, x0 - pad, y0 - pad, x1 + pad, y1 + pad);
        if (win.width() <= 0 || win.height() <= 0) {
            throw InputError(path + ": " + opt.around_label + " and " + std::to_string(std::lround(opt.around_m)) +
                             " m around lie entirely outside the DEM; give a DEM that covers them");
        }
        out.cropped = win.c0 > 0 || win.r0 > 0 || win.c1 < fw || win.r1 < fh;
    }
    if (opt.bytes_per_cell > 0.0) {
        // The analysis grid's size before a cell of it is read or allocated: a resolution far finer
        // than the DEM's, over a wide area, would otherwise run until the system kills it.
        long long gw = win.width(), gh = win.height();
        if (opt.around.empty() && !same_grid) {
            DatasetPtr vrt = warp(src.get(), warpArgs({"-of", "VRT"}));
            gw = vrt->GetRasterXSize(), gh = vrt->GetRasterYSize();
        }
        char native[32];
        std::snprintf(native, sizeof native, "%.3g", out.native_resolution_m);
        checkGridFits(gw, gh, res, opt.bytes_per_cell, path + ": the analysis grid",
                      opt.grid_fix + " (the DEM's own spacing is " + native + " m)");
    }

    // The source cells the window needs: the window itself on the same grid, else the source
    // footprint of its outline, plus a margin for bilinear sampling and void filling (all of a
    // source that is not north-up, such as a south-up grid, which gdalwarp turns over).
    Window swin{0, 0, sw, sh};
    if (out.cropped && gt[1] > 0.0 && gt[5] < 0.0) {
        if (same_grid) {
            swin = win;
        } else {
            const auto to_src = transformBetween(target, *src_srs);
            if (!to_src) throw InputError(path + ": cannot transform " + srs_s + " to the DEM's CRS");
            double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
            constexpr int kEdge = 32;  // points per side of the outline
            for (int i = 0; i <= kEdge; ++i) {
                const double u = static_cast<double>(i) / kEdge;
                const double cs[4][2] = {{win.c0 + u * win.width(), static_cast<double>(win.r0)},
                                         {win.c0 + u * win.width(), static_cast<double>(win.r1)},
                                         {static_cast<double>(win.c0), win.r0 + u * win.height()},
                                         {static_cast<double>(win.c1), win.r0 + u * win.height()}};
                for (const auto& c : cs) {
                    double x = fgt[0] + c[0] * fgt[1], y = fgt[3] + c[1] * fgt[5];
                    if (!to_src->Transform(1, &x, &y)) continue;
                    x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
                }
            }
            if (!(x1 >= x0 && y1 >= y0)) throw InputError(path + ": cannot map the area of interest back onto the DEM");
            swin = cellsOf(gt, sw, sh, x0, y0, x1, y1);
        }
        constexpr int kMargin = 32;
        swin = {std::max(0, swin.c0 - kMargin), std::max(0, swin.r0 - kMargin), std::min(sw, swin.c1 + kMargin),
                std::min(sh, swin.r1 + kMargin)};
    }
    const int rw = swin.width(), rh = swin.height();
    double rgt[6] = {gt[0] + swin.c0 * gt[1], gt[1], 0.0, gt[3] + swin.r0 * gt[5], 0.0, gt[5]};

    // Read band 1 over the source window and fill voids in the source geometry, so they are counted
    // in source cells and pixels outside the footprint after warping stay distinguishable from voids.
    GDALRasterBand* band = src->GetRasterBand(1);
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    DemGrid raw(rw, rh, GeoTransform{rgt[0], rgt[3], rgt[1], -rgt[5]}, 0.0f, std::numeric_limits<float>::quiet_NaN());
    if (band->RasterIO(GF_Read, swin.c0, swin.r0, rw, rh, raw.data().data(), rw, rh, GDT_Float32, 0, 0) != CE_None) {
        throw InputError(path + ": cannot read the elevation band (" + lastGdalError() + ")");
    }
    // Heights in metres: the band's scale and offset (stored value x scale + offset, as GDAL's
    // metadata defines them; a DEM of integer centimetres, say) and its vertical unit (feet, US
    // survey feet, centimetres; any other unit is taken for metres).
    int has_scale = 0, has_offset = 0;
    double scale = band->GetScale(&has_scale), offset = band->GetOffset(&has_offset);
    if (!has_scale || !std::isfinite(scale) || scale == 0.0) scale = 1.0;
    if (!has_offset || !std::isfinite(offset)) offset = 0.0;
    const double to_m = metresPerVerticalUnit(band->GetUnitType());
    const bool as_stored = scale == 1.0 && offset == 0.0 && to_m == 1.0;
    // A stored value's height, NaN for nodata. SRTM voids are -32768; nothing on land lies 1 km
    // below sea level.
    auto height = [&](float v) {
        if ((has_nodata && v == static_cast<float>(nodata)) || std::isnan(v)) return std::numeric_limits<float>::quiet_NaN();
        const float m = as_stored ? v : static_cast<float>((v * scale + offset) * to_m);
        return m < -1000.0f ? std::numeric_limits<float>::quiet_NaN() : m;
    };
    auto isNodata = [&](float v) { return std::isnan(height(v)); };
    long long voids = 0, valid = 0;
    for (float& v : raw.data()) {
        v = height(v);
        if (std::isnan(v)) ++voids;
        else ++valid;
    }
    if (valid == 0) {
        throw InputError(path + (out.cropped ? ": every cell around the sites is nodata; the DEM holds no elevation there"
                                             : ": every cell is nodata; the DEM holds no elevation"));
    }
    // Nodata connected to the raster's edge is outside the DEM's footprint, not a void, and stays
    // NaN: the corners of a reprojected tile (a projected DEM: all of it), the gaps of a mosaic of
    // tiles (any DEM: components of at least 1 % of the cells and 100,000 cells). A geographic
    // tile's smaller edge voids (SRTM) are voids and filled. A window's nodata may reach the
    // raster's edge beyond it (a reprojected tile's corner cut by a window that stops short of the
    // edge; the sea beside a coastal tile of a national mosaic): when nodata lies on a side of the
    // window inside the raster, the connections are followed over the window widened by up to
    // `reach` cells each way (the window's size, from 256 to 1,024 cells), and nodata that reaches
    // as far as that is outside as well.
    std::vector<uint8_t> outside;
    if (voids > 0) {
        const bool projected = !src_srs->IsGeographic();
        const long long big = std::max(100000LL, static_cast<long long>(sw) * sh / 100);
        const float* z = raw.data().data();
        bool open_side = false;  // nodata on a side of the window that is not the raster's edge
        for (int c = 0; c < rw && !open_side; ++c) {
            open_side = (swin.r0 > 0 && std::isnan(z[c])) || (swin.r1 < sh && std::isnan(z[static_cast<size_t>(rh - 1) * rw + c]));
        }
        for (int r = 0; r < rh && !open_side; ++r) {
            open_side = (swin.c0 > 0 && std::isnan(z[static_cast<size_t>(r) * rw])) ||
                        (swin.c1 < sw && std::isnan(z[static_cast<size_t>(r) * rw + rw - 1]));
        }
        if (!open_side) {
            outside = outsideFootprint([z](size_t i) { return std::isnan(z[i]); }, swin, sw, sh, false, !projected, big, voids);
        } else {
            const int reach = std::clamp(std::max(rw, rh), 256, 1024);
            const Window e{std::max(0, swin.c0 - reach), std::max(0, swin.r0 - reach), std::min(sw, swin.c1 + reach), std::min(sh, swin.r1 + reach)};
            const int ew = e.width();
            std::vector<uint8_t> is_void(static_cast<size_t>(ew) * e.height());
            for (int r = 0; r < rh; ++r) {
                uint8_t* dst = is_void.data() + static_cast<size_t>(swin.r0 - e.r0 + r) * ew + (swin.c0 - e.c0);
                for (int c = 0; c < rw; ++c) dst[c] = std::isnan(z[static_cast<size_t>(r) * rw + c]) ? 1 : 0;
            }
            // The cells around the window, read a few rows at a time.
            std::vector<float> rows;
            auto readVoids = [&](Window part) {
                const int pw = part.width();
                if (pw <= 0 || part.height() <= 0) return;
                const int per_read = std::clamp((1 << 20) / pw, 1, part.height());
                rows.resize(static_cast<size_t>(pw) * per_read);
                for (int r0 = part.r0; r0 < part.r1; r0 += per_read) {
                    const int n = std::min(per_read, part.r1 - r0);
                    if (band->RasterIO(GF_Read, part.c0, r0, pw, n, rows.data(), pw, n, GDT_Float32, 0, 0) != CE_None) {
                        throw InputError(path + ": cannot read the elevation band (" + lastGdalError() + ")");
                    }
                    for (int r = 0; r < n; ++r) {
                        uint8_t* dst = is_void.data() + static_cast<size_t>(r0 + r - e.r0) * ew + (part.c0 - e.c0);
                        for (int c = 0; c < pw; ++c) dst[c] = isNodata(rows[static_cast<size_t>(r) * pw + c]) ? 1 : 0;
                    }
                }
            };
            readVoids({e.c0, e.r0, e.c1, swin.r0});        // above the window
            readVoids({e.c0, swin.r1, e.c1, e.r1});        // below
            readVoids({e.c0, swin.r0, swin.c0, swin.r1});  // left
            readVoids({swin.c1, swin.r0, e.c1, swin.r1});  // right
            const long long wide_voids = std::count(is_void.begin(), is_void.end(), uint8_t{1});
            const std::vector<uint8_t> wide =
                outsideFootprint([&is_void](size_t i) { return is_void[i] != 0; }, e, sw, sh, true, !projected, big, wide_voids);
            outside.resize(static_cast<size_t>(rw) * rh);
            for (int r = 0; r < rh; ++r) {
                const size_t from = static_cast<size_t>(swin.r0 - e.r0 + r) * ew + static_cast<size_t>(swin.c0 - e.c0);
                std::copy_n(wide.begin() + static_cast<ptrdiff_t>(from), rw, outside.begin() + static_cast<ptrdiff_t>(r) * rw);
            }
        }
        for (const uint8_t o : outside) voids -= o;
    }
    long long filled = 0;
    if (voids > 0) filled = fillVoids(raw, 2000, &outside);
    out.voids_filled = filled;

    if (same_grid) {
        if (!out.cropped) {
            out.grid = std::move(raw);
            return out;
        }
        // The window's rows move to the front of the source buffer, which becomes the grid: no
        // second raster of fresh pages (each row's destination starts at or before its source,
        // and ends before the next row's source starts).
        const size_t ww = static_cast<size_t>(win.width()), wh = static_cast<size_t>(win.height());
        BigVector<float> cells = std::move(raw.data());
        for (size_t r = 0; r < wh; ++r) {
            const size_t from = (static_cast<size_t>(win.r0 - swin.r0) + r) * static_cast<size_t>(rw) + static_cast<size_t>(win.c0 - swin.c0);
            std::memmove(cells.data() + r * ww, cells.data() + from, ww * sizeof(float));
        }
        cells.resize(ww * wh);
        out.grid = DemGrid(win.width(), win.height(), GeoTransform{gt[0] + win.c0 * gt[1], gt[3] + win.r0 * gt[5], gt[1], -gt[5]},
                           std::move(cells), std::numeric_limits<float>::quiet_NaN());
        return out;
    }

    // Filled source as an in-memory dataset, then one bilinear warp to the analysis grid (its
    // window when cropped).
    DatasetPtr filled_ds = memoryDatasetOver(raw.data().data(), rw, rh, GDT_Float32);  // raw read in place
    filled_ds->SetGeoTransform(rgt);
    filled_ds->SetSpatialRef(src_srs);
    filled_ds->GetRasterBand(1)->SetNoDataValue(std::numeric_limits<double>::quiet_NaN());
    std::vector<std::string> extra = {"-of", "MEM", "-wo", "NUM_THREADS=" + gdalNumThreads()};
    if (out.cropped) {
        char te[4][40];
        std::snprintf(te[0], sizeof te[0], "%.17g", fgt[0] + win.c0 * fgt[1]);
        std::snprintf(te[1], sizeof te[1], "%.17g", fgt[3] + win.r1 * fgt[5]);
        std::snprintf(te[2], sizeof te[2], "%.17g", fgt[0] + win.c1 * fgt[1]);
        std::snprintf(te[3], sizeof te[3], "%.17g", fgt[3] + win.r0 * fgt[5]);
        extra.insert(extra.end(), {"-te", te[0], te[1], te[2], te[3]});
    }
    DatasetPtr warped = warp(filled_ds.get(), warpArgs(extra));
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

LatLon demPointToLatLon(const std::string& path, PointXY xy) {
    DatasetPtr src = openDem({path});
    const OGRSpatialReference* srs = src->GetSpatialRef();
    if (!srs || srs->IsEmpty()) throw InputError(path + ": the raster has no CRS; assign one with gdal_edit.py -a_srs");
    OGRSpatialReference from(*srs), wgs84;
    wgs84.importFromEPSG(4326);
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&from, &wgs84));
    double x = xy.x_m, y = xy.y_m;
    if (!ct || !ct->Transform(1, &x, &y)) throw InputError(path + ": cannot transform a point of the DEM's CRS to WGS84");
    return {y, x};
}

Grid<float> loadOnGrid(const std::string& path, const GeoTransform& gt, int width, int height, const Crs& crs) {
    DatasetPtr src = openDem({path});
    if (!src->GetSpatialRef()) throw InputError(path + ": the raster has no CRS; assign one with gdal_edit.py -a_srs");
    const std::string srs_s = "EPSG:" + std::to_string(crs.epsg);
    const std::string xmin = std::to_string(gt.origin_x_m), ymax = std::to_string(gt.origin_y_m);
    const std::string xmax = std::to_string(gt.origin_x_m + width * gt.pixel_width_m);
    const std::string ymin = std::to_string(gt.origin_y_m - height * gt.pixel_height_m);
    const std::string ws = std::to_string(width), hs = std::to_string(height);
    const char* argv[] = {"-of", "MEM", "-t_srs", srs_s.c_str(), "-te", xmin.c_str(), ymin.c_str(), xmax.c_str(), ymax.c_str(),
                          "-ts", ws.c_str(), hs.c_str(), "-r", "mode", "-ot", "Float32", "-dstnodata", "nan", nullptr};
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

namespace phusong::io {

double availableMemory_bytes() {
    if (const char* mb = std::getenv("PHUSONG_MEMORY_MB")) {
        char* end = nullptr;
        const double v = std::strtod(mb, &end);
        if (end != mb && v > 0.0) return v * 1024.0 * 1024.0;
    }
    double avail = 0.0;
    if (std::FILE* f = std::fopen("/proc/meminfo", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            unsigned long long kb = 0;
            if (std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) avail = static_cast<double>(kb) * 1024.0;
        }
        std::fclose(f);
    }
    if (avail <= 0.0) avail = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
    // A container's limit (cgroup v2, then v1) when it is lower.
    for (const char* limit : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
        if (std::FILE* f = std::fopen(limit, "r")) {
            unsigned long long b = 0;
            if (std::fscanf(f, "%llu", &b) == 1 && b > 0) avail = std::min(avail, static_cast<double>(b));
            std::fclose(f);
        }
    }
    return avail;
}

void checkGridFits(long long width, long long height, double resolution_m, double bytes_per_cell, const std::string& what,
                   const std::string& fix) {
    const double cells = static_cast<double>(width) * static_cast<double>(height);
    const double need = cells * bytes_per_cell, have = availableMemory_bytes();
    if (need <= have) return;
    auto gb = [](double b) {
        char s[32];
        std::snprintf(s, sizeof s, "%.1f GB", b / (1024.0 * 1024.0 * 1024.0));
        return std::string(s);
    };
    char count[32], size[200];
    if (cells >= 1e9) std::snprintf(count, sizeof count, "%.3g billion", cells / 1e9);
    else std::snprintf(count, sizeof count, "%.3g million", cells / 1e6);
    std::snprintf(size, sizeof size, " would be %lld x %lld cells (%s) at %.3g m: about %s at %.0f bytes a cell, and this machine has %s available",
                  width, height, count, resolution_m, gb(need).c_str(), bytes_per_cell, gb(have).c_str());
    throw InputError(what + size + "; " + fix);
}

}  // namespace phusong::io
