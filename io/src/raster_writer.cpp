#include "phusong/io/raster_writer.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <gdal_rat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <type_traits>
#include <vector>
#include <memory>
#include <unistd.h>

#include "phusong/core/error.hpp"
#include "gdal_handles.hpp"
#include "phusong/io/gdal_threads.hpp"

namespace phusong::io {

namespace {

// The COG's overview sizes: each level halves the previous one (rounding up, as GDAL sizes an
// overview of factor f), down to the first that fits in one 512-pixel tile; none when the raster
// already fits (the COG driver's OVERVIEWS=AUTO rule).
constexpr int kCogBlock = 512;
std::vector<int> overviewFactors(int w, int h) {
    std::vector<int> f;
    for (int factor = 2, prev = std::max(w, h); prev > kCogBlock; factor *= 2) {
        f.push_back(factor);
        prev = (std::max(w, h) + factor - 1) / factor;
    }
    return f;
}

// Pixel i of an overview n pixels wide covers the raster's pixels [i N / n, (i + 1) N / n): the
// overview spans the raster's extent, as GDAL georeferences it, and every pixel is covered once.
inline int spanBegin(int i, int n, int N) { return static_cast<int>(static_cast<long long>(i) * N / n); }

// One overview level from the full-resolution raster @p src (w x h) into @p dst (ow x oh), so that
// no level inherits the rounding of the one before. Float32: the mean of the valid (non-NaN)
// pixels, NaN where none is. Integer rasters (classes, counts): the most frequent value other than
// @p nodata, the smallest on ties, @p nodata where every pixel is.
// Rows of the level are independent: they split over OpenMP's default team (--threads bounds it),
// the same values at any thread count.
template <typename T>
void overviewLevel(const T* src, int w, int h, T* dst, int ow, int oh, double nodata) {
#pragma omp parallel for schedule(static) if (static_cast<long long>(ow) * oh >= 65536)
    for (int oy = 0; oy < oh; ++oy) {
        std::vector<std::pair<T, int>> distinct;
        const int y0 = spanBegin(oy, oh, h), y1 = std::max(y0 + 1, spanBegin(oy + 1, oh, h));
        for (int ox = 0; ox < ow; ++ox) {
            const int x0 = spanBegin(ox, ow, w), x1 = std::max(x0 + 1, spanBegin(ox + 1, ow, w));
            T& out = dst[static_cast<size_t>(oy) * ow + ox];
            if constexpr (std::is_floating_point_v<T>) {
                double sum = 0.0;
                int n = 0;
                for (int y = y0; y < y1; ++y) {
                    for (int x = x0; x < x1; ++x) {
                        const T v = src[static_cast<size_t>(y) * w + x];
                        if (!std::isnan(v)) sum += v, ++n;
                    }
                }
                out = n ? static_cast<T>(sum / n) : std::numeric_limits<T>::quiet_NaN();
            } else {
                // Most blocks hold one value (a server's interior, a hidden slope, the outside):
                // that is the mode, and nothing needs counting.
                const T first = src[static_cast<size_t>(y0) * w + x0];
                bool uniform = true;
                for (int y = y0; y < y1 && uniform; ++y) {
                    const T* row = src + static_cast<size_t>(y) * w;
                    for (int x = x0; x < x1; ++x) uniform &= row[x] == first;
                }
                if (uniform) {
                    out = first;  // nodata when the block is all nodata
                    continue;
                }
                // The distinct values and their counts: a block holds few (one server, or a
                // border between two or three), so a linear search beats sorting the block.
                distinct.clear();
                for (int y = y0; y < y1; ++y) {
                    for (int x = x0; x < x1; ++x) {
                        const T v = src[static_cast<size_t>(y) * w + x];
                        if (static_cast<double>(v) == nodata) continue;
                        auto it = std::find_if(distinct.begin(), distinct.end(), [v](const auto& e) { return e.first == v; });
                        if (it == distinct.end()) distinct.emplace_back(v, 1);
                        else ++it->second;
                    }
                }
                out = static_cast<T>(nodata);
                int best = 0;
                for (const auto& [v, count] : distinct) {
                    if (count > best || (count == best && v < out)) best = count, out = v;
                }
            }
        }
    }
}

// Gives the in-memory raster @p ds (over @p data) the COG's overview levels, computed here.
// The COG driver then copies them (COPY_SRC_OVERVIEWS) instead of resampling the raster into a
// temporary GeoTIFF and reading that back, which took half of each raster's writing time.
template <typename T>
void attachOverviews(GDALDataset* ds, const T* data, int w, int h, double nodata, const char* method) {
    const std::vector<int> factors = overviewFactors(w, h);
    if (factors.empty()) return;
    if (ds->BuildOverviews("NONE", static_cast<int>(factors.size()), factors.data(), 0, nullptr, nullptr, nullptr) != CE_None) {
        throw Error("cannot allocate overviews in memory (" + std::string(CPLGetLastErrorMsg()) + ")");
    }
    GDALRasterBand* b = ds->GetRasterBand(1);
    if (b->GetOverviewCount() != static_cast<int>(factors.size())) throw Error("cannot allocate overviews in memory");
    std::vector<T> level;
    for (int i = 0; i < b->GetOverviewCount(); ++i) {
        GDALRasterBand* o = b->GetOverview(i);
        const int ow = o->GetXSize(), oh = o->GetYSize();
        level.assign(static_cast<size_t>(ow) * oh, T{});
        overviewLevel(data, w, h, level.data(), ow, oh, nodata);
        if (o->RasterIO(GF_Write, 0, 0, ow, oh, level.data(), ow, oh, b->GetRasterDataType(), 0, 0) != CE_None) {
            throw Error("cannot fill an overview in memory (" + std::string(CPLGetLastErrorMsg()) + ")");
        }
        o->SetNoDataValue(nodata);
        o->SetMetadataItem("RESAMPLING", method);
    }
}

void writeAny(const std::string& path, int w, int h, const GeoTransform& g, const void* data, GDALDataType type,
              double nodata, const Crs& crs, const RasterMeta& meta, const RasterClasses* classes = nullptr) {
    initGdal();
    GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
    if (!cog) throw Error("GDAL lacks the COG driver");
    // The raster as it lies in memory (the COG driver only reads it): no copy.
    DatasetPtr ds = memoryDatasetOver(const_cast<void*>(data), w, h, type);
    double gt[6] = {g.origin_x_m, g.pixel_width_m, 0.0, g.origin_y_m, 0.0, -g.pixel_height_m};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromWkt(crs.wkt.c_str());
    ds->SetSpatialRef(&srs);
    for (const auto& [k, v] : meta.metadata) ds->SetMetadataItem(k.c_str(), v.c_str());
    GDALRasterBand* b = ds->GetRasterBand(1);
    b->SetNoDataValue(nodata);
    // Overviews (what QGIS shows zoomed out). Integer rasters hold classes and counts (best server,
    // overlap, change, visibility): each overview pixel takes the most frequent value of the pixels
    // it covers, so a best-server map shows servers that exist. Float32 rasters (dBm, dB, %, m) take
    // the mean, which stays within the values it averages. (The COG driver's default, cubic,
    // invented server indices and overshot at coverage edges.)
    switch (type) {
        case GDT_Float32: attachOverviews(ds.get(), static_cast<const float*>(data), w, h, nodata, "AVERAGE"); break;
        case GDT_Int32: attachOverviews(ds.get(), static_cast<const int32_t*>(data), w, h, nodata, "MODE"); break;
        case GDT_Byte: attachOverviews(ds.get(), static_cast<const uint8_t*>(data), w, h, nodata, "MODE"); break;
        default: throw Error(path + ": no overview rule for this raster type");
    }
    b->SetDescription(meta.description.c_str());
    b->SetUnitType(meta.unit.c_str());
    if (classes && !classes->rows.empty()) {
        const RasterClasses& cl = *classes;
        GDALDefaultRasterAttributeTable rat;
        rat.SetTableType(GRTT_THEMATIC);
        rat.CreateColumn("value", GFT_Integer, GFU_MinMax);
        for (size_t c = 0; c < cl.columns.size(); ++c) rat.CreateColumn(cl.columns[c].c_str(), GFT_String, c == 0 ? GFU_Name : GFU_Generic);
        rat.SetRowCount(static_cast<int>(cl.rows.size()));
        for (size_t r = 0; r < cl.rows.size(); ++r) {
            const int row = static_cast<int>(r);
            rat.SetValue(row, 0, static_cast<int>(cl.rows[r].first));
            for (size_t c = 0; c < cl.columns.size() && c < cl.rows[r].second.size(); ++c) {
                rat.SetValue(row, static_cast<int>(c) + 1, cl.rows[r].second[c].c_str());
            }
        }
        b->SetDefaultRAT(&rat);
    }
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    // GDAL keeps what a GeoTIFF cannot hold (the attribute table) in a sidecar named after the file.
    const std::string tmp_aux = tmp + ".aux.xml", aux = path + ".aux.xml";
    const std::string num_threads = "NUM_THREADS=" + gdalNumThreads();
    // DEFLATE at level 1 without a predictor. Measured on bac_giang_2024's 2.3-megapixel rasters
    // (bench/HISTORY.md, "Cloud-Optimized GeoTIFF writing"): the floating-point predictor made a
    // Float32 raster 10-27 % smaller but its writing 2.7x slower (253-304 ms against 93-113 ms
    // on one thread) and its reading by GDAL 4x slower (75-107 ms against 21-26 ms); DEFLATE's
    // level 6 over level 1 saved a fifth of an integer raster's few hundred kB for 1.7-3x the time.
    // DEFLATE itself, not ZSTD (as fast and as small with the predictor): every GeoTIFF reader has it.
    // CogCompression::Small: level 6 with the predictor (the COG driver's PREDICTOR=YES: 3,
    // floating-point, for Float32; 2, horizontal differencing, for integers).
    const std::string block = "BLOCKSIZE=" + std::to_string(kCogBlock);  // the tile overviewFactors() sizes for
    const bool small = meta.compression == CogCompression::Small;
    const char* opts[] = {"COMPRESS=DEFLATE", small ? "LEVEL=6" : "LEVEL=1", small ? "PREDICTOR=YES" : "PREDICTOR=NO", block.c_str(),
                          "OVERVIEWS=FORCE_USE_EXISTING", num_threads.c_str(), nullptr};
    CPLErrorReset();
    GDALDataset* out = cog->CreateCopy(tmp.c_str(), ds.get(), FALSE, const_cast<char**>(opts), nullptr, nullptr);
    if (!out) {
        std::remove(tmp.c_str());
        std::remove(tmp_aux.c_str());
        const char* m = CPLGetLastErrorMsg();
        throw Error(path + ": cannot write GeoTIFF (" + std::string(m && *m ? m : "unknown error") + ")");
    }
    GDALClose(out);
    // The sidecar first (or a stale one away), so that the GeoTIFF never appears with another's.
    std::error_code ec;
    if (std::filesystem::exists(tmp_aux)) std::filesystem::rename(tmp_aux, aux, ec);
    else std::filesystem::remove(aux, ec);
    if (!ec) std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        std::remove(tmp_aux.c_str());
        throw Error(path + ": cannot rename the finished file into place (" + ec.message() + ")");
    }
}
}  // namespace

void writeCog(const std::string& path, const Grid<float>& grid, const Crs& crs, const RasterMeta& meta) {
    writeAny(path, grid.width(), grid.height(), grid.geoTransform(), grid.data().data(), GDT_Float32,
             std::numeric_limits<double>::quiet_NaN(), crs, meta);
}

void writeCog(const std::string& path, const Grid<uint8_t>& grid, const Crs& crs, const RasterMeta& meta) {
    writeAny(path, grid.width(), grid.height(), grid.geoTransform(), grid.data().data(), GDT_Byte, grid.nodata(), crs,
             meta);
}

void writeCog(const std::string& path, const Grid<int32_t>& grid, const Crs& crs, const RasterMeta& meta,
              const RasterClasses& classes) {
    writeAny(path, grid.width(), grid.height(), grid.geoTransform(), grid.data().data(), GDT_Int32, grid.nodata(), crs,
             meta, &classes);
}

RasterClasses readClasses(const std::string& path) {
    RasterClasses out;
    DatasetPtr ds = openRaster(path);
    const GDALRasterAttributeTable* rat = ds->GetRasterBand(1)->GetDefaultRAT();
    if (!rat) return out;
    int value_col = -1;
    std::vector<int> cols;
    for (int c = 0; c < rat->GetColumnCount(); ++c) {
        if (value_col < 0 && rat->GetTypeOfCol(c) == GFT_Integer && (rat->GetUsageOfCol(c) == GFU_MinMax || std::string(rat->GetNameOfCol(c)) == "value")) {
            value_col = c;
        } else {
            cols.push_back(c);
            out.columns.emplace_back(rat->GetNameOfCol(c));
        }
    }
    if (value_col < 0) return {};
    for (int r = 0; r < rat->GetRowCount(); ++r) {
        std::vector<std::string> v;
        for (int c : cols) v.emplace_back(rat->GetValueAsString(r, c));
        out.rows.emplace_back(rat->GetValueAsInt(r, value_col), std::move(v));
    }
    return out;
}

std::optional<CogCompression> cogCompressionNamed(const std::string& name) {
    if (name == "fast") return CogCompression::Fast;
    if (name == "small") return CogCompression::Small;
    return std::nullopt;
}

CogCompression parseCogCompression(const std::string& value, const std::string& what) {
    if (const auto c = cogCompressionNamed(value)) return *c;
    throw InputError(what + " = '" + value + "' is unknown; use " + kCogCompressionChoices);
}

const char* toString(CogCompression c) { return c == CogCompression::Small ? "small" : "fast"; }

std::map<std::string, std::string> provenance(const std::string& command_line) {
    return {{"PHUSONG_VERSION", PHUSONG_VERSION}, {"PHUSONG_COMMAND", command_line}};
}

}  // namespace phusong::io

namespace phusong::io {

void writePng(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb) {
    initGdal();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
    if (!mem || !png) throw Error("GDAL lacks the MEM or PNG driver");
    DatasetPtr ds(mem->Create("", width, height, 3, GDT_Byte, nullptr));
    for (int b = 0; b < 3; ++b) {
        if (ds->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, width, height, const_cast<uint8_t*>(rgb.data()) + b, width,
                                               height, GDT_Byte, 3, 3 * width) != CE_None) {
            throw Error("cannot fill the in-memory image for " + path);
        }
    }
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + ".png";
    GDALDataset* out = png->CreateCopy(tmp.c_str(), ds.get(), FALSE, nullptr, nullptr, nullptr);
    if (!out) {
        std::remove(tmp.c_str());
        throw InputError(path + ": cannot write PNG; check the folder exists and is writable");
    }
    GDALClose(out);
    std::remove((tmp + ".aux.xml").c_str());
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error(path + ": cannot rename the finished file into place (" + ec.message() + ")");
    }
}

}  // namespace phusong::io
