#include "phusong/io/gis.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"
#include "phusong/io/raster_writer.hpp"
#include "gdal_handles.hpp"

namespace phusong::io {

namespace {
std::string tmpName(const std::string& path) { return path + ".tmp-" + std::to_string(::getpid()); }

void renameInto(const std::string& tmp, const std::string& path) {
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw Error(path + ": cannot rename the finished file into place (" + ec.message() + ")");
    }
}

std::string hex(uint8_t r, uint8_t g, uint8_t b) {
    char s[8];
    std::snprintf(s, sizeof s, "#%02x%02x%02x", r, g, b);
    return s;
}

std::string xmlEscape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '&': o += "&amp;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

std::string num(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::ostringstream s;
    s << v;
    return s.str();
}

// Warps band 1 of a raster to @p srs with at most max_px on the long side (nearest neighbour:
// classes keep their colour boundaries), into memory.
DatasetPtr warpTo(const std::string& raster_path, const char* srs, int max_px, const char* resampling = "near") {
    DatasetPtr src = openRaster(raster_path);
    // First pass at native size to learn the warped extent, then scale.
    const char* probe_args[] = {"-t_srs", srs, "-of", "VRT", nullptr};
    GDALWarpAppOptions* po = GDALWarpAppOptionsNew(const_cast<char**>(probe_args), nullptr);
    GDALDatasetH h = src.get();
    int err = 0;
    DatasetPtr probe(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &h, po, &err)));
    GDALWarpAppOptionsFree(po);
    if (!probe) throw Error(raster_path + ": cannot warp to " + srs + " (" + lastGdalError() + ")");
    int w = probe->GetRasterXSize(), hh = probe->GetRasterYSize();
    const double scale = std::min(1.0, static_cast<double>(max_px) / std::max(w, hh));
    w = std::max(1, static_cast<int>(std::lround(w * scale)));
    hh = std::max(1, static_cast<int>(std::lround(hh * scale)));
    const std::string ws = std::to_string(w), hs = std::to_string(hh);
    const char* args[] = {"-t_srs", srs, "-ts", ws.c_str(), hs.c_str(), "-r", resampling, "-ot", "Float32", "-of", "MEM", "-dstnodata", "nan", nullptr};
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(const_cast<char**>(args), nullptr);
    DatasetPtr out(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &h, o, &err)));
    GDALWarpAppOptionsFree(o);
    if (!out) throw Error(raster_path + ": cannot warp to " + srs + " (" + lastGdalError() + ")");
    return out;
}

std::vector<uint8_t> colourise(GDALDataset* ds, const ColorRamp& ramp) {
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    std::vector<double> v(static_cast<size_t>(w) * h);
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0) != CE_None)
        throw Error("cannot read the warped raster");
    int has_nd = 0;
    const double nd = ds->GetRasterBand(1)->GetNoDataValue(&has_nd);
    std::vector<uint8_t> rgba(v.size() * 4, 0);
    for (size_t i = 0; i < v.size(); ++i) {
        if (has_nd && v[i] == nd) continue;
        if (const ColorClass* c = ramp.classify(v[i])) {
            rgba[4 * i] = c->r, rgba[4 * i + 1] = c->g, rgba[4 * i + 2] = c->b, rgba[4 * i + 3] = c->a;
        }
    }
    return rgba;
}

// RGBA pixels to PNG bytes (through /vsimem/).
std::string pngBytes(int w, int h, const std::vector<uint8_t>& rgba) {
    initGdal();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
    if (!mem || !png) throw Error("GDAL lacks the MEM or PNG driver");
    DatasetPtr ds(mem->Create("", w, h, 4, GDT_Byte, nullptr));
    for (int b = 0; b < 4; ++b)
        if (ds->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, w, h, const_cast<uint8_t*>(rgba.data()) + b, w, h, GDT_Byte, 4, 4 * w) != CE_None)
            throw Error("cannot fill the in-memory image");
    static int counter = 0;
    const std::string vsi = "/vsimem/phusong_png_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + ".png";
    DatasetPtr out(png->CreateCopy(vsi.c_str(), ds.get(), FALSE, nullptr, nullptr, nullptr));
    if (!out) throw Error("cannot encode PNG (" + lastGdalError() + ")");
    out.reset();
    vsi_l_offset len = 0;
    GByte* data = VSIGetMemFileBuffer(vsi.c_str(), &len, FALSE);
    std::string bytes(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
    VSIUnlink(vsi.c_str());
    VSIUnlink((vsi + ".aux.xml").c_str());
    return bytes;
}

void writeFileBytes(const std::string& path, const std::string& bytes) {
    const std::string tmp = tmpName(path);
    {
        std::ofstream o(tmp, std::ios::binary);
        o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!o) {
            std::remove(tmp.c_str());
            throw Error(path + ": cannot write; check the folder is writable");
        }
    }
    renameInto(tmp, path);
}

// A 5x7 bitmap font (rows top to bottom, bit 4 = leftmost column) for legend labels.
const std::map<char, std::array<uint8_t, 7>>& font() {
    static const std::map<char, std::array<uint8_t, 7>> f = {
        {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},   {'2', {14, 17, 1, 2, 4, 8, 31}},
        {'3', {31, 2, 4, 2, 1, 17, 14}},     {'4', {2, 6, 10, 18, 31, 2, 2}},  {'5', {31, 16, 30, 1, 1, 17, 14}},
        {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},    {'8', {14, 17, 17, 14, 17, 17, 14}},
        {'9', {14, 17, 17, 15, 1, 2, 12}},   {'-', {0, 0, 0, 31, 0, 0, 0}},    {'.', {0, 0, 0, 0, 0, 12, 12}},
        {'<', {2, 4, 8, 16, 8, 4, 2}},       {'>', {8, 4, 2, 1, 2, 4, 8}},     {'=', {0, 0, 31, 0, 31, 0, 0}},
        {'(', {2, 4, 8, 8, 8, 4, 2}},        {')', {8, 4, 2, 2, 2, 4, 8}},     {'/', {0, 1, 2, 4, 8, 16, 0}},
        {'+', {0, 4, 4, 31, 4, 4, 0}},       {'%', {24, 25, 2, 4, 8, 19, 3}},  {':', {0, 12, 12, 0, 12, 12, 0}},
        {',', {0, 0, 0, 0, 12, 4, 8}},       {' ', {0, 0, 0, 0, 0, 0, 0}},
        {'A', {14, 17, 17, 17, 31, 17, 17}}, {'B', {30, 17, 17, 30, 17, 17, 30}}, {'C', {14, 17, 16, 16, 16, 17, 14}},
        {'D', {28, 18, 17, 17, 17, 18, 28}}, {'E', {31, 16, 16, 30, 16, 16, 31}}, {'F', {31, 16, 16, 30, 16, 16, 16}},
        {'G', {14, 17, 16, 23, 17, 17, 15}}, {'H', {17, 17, 17, 31, 17, 17, 17}}, {'I', {14, 4, 4, 4, 4, 4, 14}},
        {'J', {7, 2, 2, 2, 2, 18, 12}},      {'K', {17, 18, 20, 24, 20, 18, 17}}, {'L', {16, 16, 16, 16, 16, 16, 31}},
        {'M', {17, 27, 21, 21, 17, 17, 17}}, {'N', {17, 17, 25, 21, 19, 17, 17}}, {'O', {14, 17, 17, 17, 17, 17, 14}},
        {'P', {30, 17, 17, 30, 16, 16, 16}}, {'Q', {14, 17, 17, 17, 21, 18, 13}}, {'R', {30, 17, 17, 30, 20, 18, 17}},
        {'S', {15, 16, 16, 14, 1, 1, 30}},   {'T', {31, 4, 4, 4, 4, 4, 4}},       {'U', {17, 17, 17, 17, 17, 17, 14}},
        {'V', {17, 17, 17, 17, 17, 10, 4}},  {'W', {17, 17, 17, 21, 21, 21, 10}}, {'X', {17, 17, 10, 4, 10, 17, 17}},
        {'Y', {17, 17, 17, 10, 4, 4, 4}},    {'Z', {31, 1, 2, 4, 8, 16, 31}},
        {'a', {0, 0, 14, 1, 15, 17, 15}},    {'b', {16, 16, 22, 25, 17, 17, 30}}, {'c', {0, 0, 14, 16, 16, 17, 14}},
        {'d', {1, 1, 13, 19, 17, 17, 15}},   {'e', {0, 0, 14, 17, 31, 16, 14}},   {'f', {6, 9, 8, 28, 8, 8, 8}},
        {'g', {0, 15, 17, 17, 15, 1, 14}},   {'h', {16, 16, 22, 25, 17, 17, 17}}, {'i', {4, 0, 12, 4, 4, 4, 14}},
        {'j', {2, 0, 6, 2, 2, 18, 12}},      {'k', {16, 16, 18, 20, 24, 20, 18}}, {'l', {12, 4, 4, 4, 4, 4, 14}},
        {'m', {0, 0, 26, 21, 21, 17, 17}},   {'n', {0, 0, 22, 25, 17, 17, 17}},   {'o', {0, 0, 14, 17, 17, 17, 14}},
        {'p', {0, 0, 30, 17, 30, 16, 16}},   {'q', {0, 0, 13, 19, 15, 1, 1}},     {'r', {0, 0, 22, 25, 16, 16, 16}},
        {'s', {0, 0, 14, 16, 14, 1, 30}},    {'t', {8, 8, 28, 8, 8, 9, 6}},       {'u', {0, 0, 17, 17, 17, 19, 13}},
        {'v', {0, 0, 17, 17, 17, 10, 4}},    {'w', {0, 0, 17, 17, 21, 21, 10}},   {'x', {0, 0, 17, 10, 4, 10, 17}},
        {'y', {0, 0, 17, 17, 15, 1, 14}},    {'z', {0, 0, 31, 2, 4, 8, 31}}};
    return f;
}

void drawText(std::vector<uint8_t>& rgba, int w, int x0, int y0, const std::string& s, int scale) {
    const auto& f = font();
    int x = x0;
    for (char ch : s) {
        const auto it = f.find(ch);
        if (it != f.end()) {
            for (int r = 0; r < 7; ++r)
                for (int c = 0; c < 5; ++c)
                    if (it->second[r] & (16 >> c))
                        for (int dy = 0; dy < scale; ++dy)
                            for (int dx = 0; dx < scale; ++dx) {
                                const size_t p = 4 * (static_cast<size_t>(y0 + r * scale + dy) * w + x + c * scale + dx);
                                if (p + 3 < rgba.size()) rgba[p] = rgba[p + 1] = rgba[p + 2] = 20, rgba[p + 3] = 255;
                            }
        }
        x += 6 * scale;
    }
}

std::string legendPng(const ColorRamp& ramp) {
    const int scale = 2, line = 9 * scale + 6, pad = 8, sw = 28;
    size_t longest = ramp.title.size();
    std::vector<const ColorClass*> shown;
    for (auto it = ramp.classes.rbegin(); it != ramp.classes.rend(); ++it) {
        if (it->a == 0) continue;  // transparent classes are not drawn on the map
        shown.push_back(&*it);
        longest = std::max(longest, it->label.size() + 6);
    }
    const int w = pad * 2 + static_cast<int>(longest) * 6 * scale;
    const int h = pad * 2 + line * static_cast<int>(shown.size() + 1);
    std::vector<uint8_t> rgba(static_cast<size_t>(w) * h * 4);
    for (size_t i = 0; i < rgba.size(); i += 4) rgba[i] = rgba[i + 1] = rgba[i + 2] = 255, rgba[i + 3] = 235;
    drawText(rgba, w, pad, pad, ramp.title, scale);
    for (size_t k = 0; k < shown.size(); ++k) {
        const int y = pad + line * static_cast<int>(k + 1);
        for (int yy = y; yy < y + 7 * scale + 2; ++yy)
            for (int xx = pad; xx < pad + sw; ++xx) {
                const size_t p = 4 * (static_cast<size_t>(yy) * w + xx);
                const bool edge = yy == y || yy == y + 7 * scale + 1 || xx == pad || xx == pad + sw - 1;
                rgba[p] = edge ? 60 : shown[k]->r, rgba[p + 1] = edge ? 60 : shown[k]->g, rgba[p + 2] = edge ? 60 : shown[k]->b, rgba[p + 3] = 255;
            }
        drawText(rgba, w, pad + sw + 8, y + 1, shown[k]->label, scale);
    }
    return pngBytes(w, h, rgba);
}

GDALDataset* openOrCreateGpkg(const std::string& path) {
    initGdal();
    if (std::filesystem::exists(path)) {
        GDALDataset* ds = static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr));
        if (!ds) throw Error(path + ": cannot open the GeoPackage for update (" + lastGdalError() + ")");
        return ds;
    }
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!drv) throw Error("GDAL lacks the GPKG driver");
    GDALDataset* ds = drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (!ds) throw Error(path + ": cannot create the GeoPackage (" + lastGdalError() + ")");
    return ds;
}

OGRLayer* createLayer(GDALDataset* ds, const std::string& path, const std::string& name, const OGRSpatialReference* srs,
                      OGRwkbGeometryType type, const std::vector<PointLayer::Column>& cols) {
    const char* opts[] = {"OVERWRITE=YES", nullptr};
    OGRLayer* layer = ds->CreateLayer(name.c_str(), const_cast<OGRSpatialReference*>(srs), type, const_cast<char**>(opts));
    if (!layer) throw Error(path + ": cannot create layer " + name + " (" + lastGdalError() + ")");
    for (const auto& c : cols) {
        OGRFieldDefn fd(c.name.c_str(), c.type == 'i' ? OFTInteger64 : c.type == 'r' ? OFTReal : OFTString);
        if (layer->CreateField(&fd) != OGRERR_NONE) throw Error(path + ": cannot create field " + c.name);
    }
    return layer;
}

void setFields(OGRFeature* f, const std::vector<PointLayer::Column>& cols, const std::vector<std::string>& vals) {
    for (size_t k = 0; k < cols.size() && k < vals.size(); ++k) {
        if (vals[k].empty()) continue;
        if (cols[k].type == 'i') f->SetField(static_cast<int>(k), static_cast<GIntBig>(std::stoll(vals[k])));
        else if (cols[k].type == 'r') f->SetField(static_cast<int>(k), std::stod(vals[k]));
        else f->SetField(static_cast<int>(k), vals[k].c_str());
    }
}
}  // namespace

const ColorClass* ColorRamp::classify(double v) const {
    if (std::isnan(v)) return nullptr;
    for (const auto& c : classes)
        if (v <= c.upper) return &c;
    return classes.empty() ? nullptr : &classes.back();
}

ColorRamp signalRamp(Technology t, double thr) {
    ColorRamp r;
    r.title = std::string(toString(t)) + " " + std::string(signalMeasure(t)) + " (dBm)";
    auto lab = [](double a, double b) { return num(a) + " to " + num(b) + " dBm"; };
    const double inf = std::numeric_limits<double>::infinity();
    // Below threshold: transparent (no service). Red -> yellow -> green as the signal rises.
    r.classes = {{thr, 0, 0, 0, 0, "< " + num(thr) + " dBm (no service)"},
                 {thr + 10, 230, 57, 70, 255, lab(thr, thr + 10)},
                 {thr + 20, 244, 162, 97, 255, lab(thr + 10, thr + 20)},
                 {thr + 30, 233, 216, 90, 255, lab(thr + 20, thr + 30)},
                 {thr + 40, 138, 201, 38, 255, lab(thr + 30, thr + 40)},
                 {inf, 25, 130, 60, 255, ">= " + num(thr + 40) + " dBm"}};
    return r;
}

ColorRamp sinrRamp(Technology t) {
    ColorRamp r;
    r.title = std::string(toString(t)) + " SINR (dB)";
    const double inf = std::numeric_limits<double>::infinity();
    r.classes = {{0, 120, 0, 0, 255, "< 0 dB"},           {5, 230, 57, 70, 255, "0 to 5 dB"},
                 {10, 244, 162, 97, 255, "5 to 10 dB"},    {20, 138, 201, 38, 255, "10 to 20 dB"},
                 {inf, 25, 130, 60, 255, ">= 20 dB"}};
    return r;
}

ColorRamp overlapRamp(Technology t) {
    ColorRamp r;
    r.title = std::string(toString(t)) + " servers within 6 dB";
    const double inf = std::numeric_limits<double>::infinity();
    r.classes = {{0.5, 0, 0, 0, 0, "0"},           {1.5, 173, 216, 230, 255, "1"}, {2.5, 100, 149, 237, 255, "2"},
                 {3.5, 255, 165, 0, 255, "3"},      {inf, 200, 0, 0, 255, "4 or more"}};
    return r;
}

ColorRamp throughputRamp(Technology t, double peak) {
    ColorRamp r;
    r.title = std::string(toString(t)) + " throughput (Mbit/s)";
    const double inf = std::numeric_limits<double>::infinity();
    const double a = std::round(peak * 0.05), b = std::round(peak * 0.2), c = std::round(peak * 0.5);
    r.classes = {{0, 0, 0, 0, 0, "0"},
                 {a, 230, 57, 70, 255, "< " + num(a)},
                 {b, 244, 162, 97, 255, num(a) + " to " + num(b)},
                 {c, 138, 201, 38, 255, num(b) + " to " + num(c)},
                 {inf, 25, 130, 60, 255, ">= " + num(c)}};
    return r;
}

ColorRamp probabilityRamp(Technology t) {
    ColorRamp r;
    r.title = std::string(toString(t)) + " share of locations covered (%)";
    r.classes = {{50, 0, 0, 0, 0, "below 50 %"},         {75, 244, 162, 97, 255, "50 to 75 %"},
                 {90, 255, 221, 87, 255, "75 to 90 %"},  {95, 138, 201, 38, 255, "90 to 95 %"},
                 {100, 25, 130, 60, 255, "95 % or more"}};
    return r;
}

std::optional<Technology> rasterTechnology(const std::string& stem, const std::string& prefix) {
    if (stem.rfind(prefix, 0) != 0 || stem.size() < prefix.size() + 2) return std::nullopt;
    return parseTechnology(stem.substr(prefix.size(), 2));
}

std::optional<ColorRamp> coverageRamp(const std::string& stem, const std::function<double(Technology)>& threshold_dBm) {
    auto techAfter = [&](const std::string& prefix) { return rasterTechnology(stem, prefix); };
    if (auto t = techAfter("signal_")) return signalRamp(*t, threshold_dBm(*t));
    if (auto t = techAfter("second_signal_")) return signalRamp(*t, threshold_dBm(*t));
    if (auto t = techAfter("sinr_")) return sinrRamp(*t);
    if (auto t = techAfter("overlap_")) return overlapRamp(*t);
    if (auto t = techAfter("throughput_")) return throughputRamp(*t, *t == Technology::G5 ? 1000.0 : 150.0);
    if (auto t = techAfter("coverage_probability_")) return probabilityRamp(*t);
    return std::nullopt;
}

int writeCoverageStyles(const std::filesystem::path& dir, const std::function<double(Technology)>& threshold_dBm) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".tif") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    int styled = 0;
    for (const auto& f : files) {
        const std::string stem = f.stem().string();
        if (rasterTechnology(stem, "best_server_")) {
            writeServerQml(f.string(), stem + " (site_id of the best server)");
            ++styled;
        } else if (const auto ramp = coverageRamp(stem, threshold_dBm)) {
            writeQml(f.string(), *ramp);
            ++styled;
        }
    }
    return styled;
}

namespace {
// A QGIS 3 style document around one raster renderer element.
std::string qmlWrap(const std::string& title, const std::string& renderer) {
    std::ostringstream q;
    q << "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      << "<qgis version=\"3.28.0\" styleCategories=\"AllStyleCategories\">\n"
      << "  <!-- phusong style: " << xmlEscape(title) << " -->\n"
      << "  <pipe>\n"
      << "    <provider><resampling enabled=\"false\" zoomedInResamplingMethod=\"nearestNeighbour\" zoomedOutResamplingMethod=\"nearestNeighbour\" maxOversampling=\"2\"/></provider>\n"
      << renderer
      << "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
      << "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" invertColors=\"0\" colorizeOn=\"0\" colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\" colorizeStrength=\"100\"/>\n"
      << "    <rasterresampler maxOversampling=\"2\"/>\n"
      << "  </pipe>\n"
      << "  <blendMode>0</blendMode>\n"
      << "</qgis>\n";
    return q.str();
}
}  // namespace

std::string qmlDocument(const ColorRamp& ramp) {
    double lo = 0, hi = 0;
    for (const auto& c : ramp.classes)
        if (std::isfinite(c.upper)) lo = std::min(lo == 0 ? c.upper : lo, c.upper), hi = std::max(hi == 0 ? c.upper : hi, c.upper);
    std::ostringstream q;
    q << "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"0.75\" alphaBand=\"-1\" classificationMin=\"" << num(lo)
      << "\" classificationMax=\"" << num(hi) << "\" nodataColor=\"\">\n"
      << "      <rasterTransparency/>\n"
      << "      <minMaxOrigin><limits>None</limits><extent>WholeRaster</extent><statAccuracy>Estimated</statAccuracy>"
         "<cumulativeCutLower>0.02</cumulativeCutLower><cumulativeCutUpper>0.98</cumulativeCutUpper><stdDevFactor>2</stdDevFactor></minMaxOrigin>\n"
      << "      <rastershader>\n"
      << "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"2\" clip=\"0\" minimumValue=\"" << num(lo)
      << "\" maximumValue=\"" << num(hi) << "\" labelPrecision=\"0\">\n";
    for (const auto& c : ramp.classes)
        q << "          <item value=\"" << num(c.upper) << "\" color=\"" << hex(c.r, c.g, c.b) << "\" alpha=\"" << int(c.a)
          << "\" label=\"" << xmlEscape(c.label) << "\"/>\n";
    q << "        </colorrampshader>\n"
      << "      </rastershader>\n"
      << "    </rasterrenderer>\n";
    return qmlWrap(ramp.title, q.str());
}

void writeQml(const std::string& raster_path, const ColorRamp& ramp) {
    const std::string path = std::filesystem::path(raster_path).replace_extension(".qml").string();
    writeFileBytes(path, qmlDocument(ramp));
}

std::vector<int> classColours(const Grid<int32_t>& labels, const std::vector<int32_t>& values, int palette_size) {
    // Which classes touch (4-neighbourhood).
    std::map<int32_t, size_t> index;
    for (size_t i = 0; i < values.size(); ++i) index.emplace(values[i], i);
    std::vector<std::vector<size_t>> touches(values.size());
    auto link = [&](int32_t a, int32_t b) {
        if (a == b || a < 0 || b < 0) return;
        const auto ia = index.find(a), ib = index.find(b);
        if (ia == index.end() || ib == index.end()) return;
        touches[ia->second].push_back(ib->second);
        touches[ib->second].push_back(ia->second);
    };
    const int w = labels.width(), h = labels.height();
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            const int32_t v = labels.at(c, r);
            if (c + 1 < w) link(v, labels.at(c + 1, r));
            if (r + 1 < h) link(v, labels.at(c, r + 1));
        }
    }
    // Greedy, in table order: the first palette colour no coloured neighbour has; if all are
    // taken, the one with the shortest boundary to this class (touches[] holds one entry per
    // pair of touching pixels).
    std::vector<int> colour(values.size(), -1);
    for (size_t i = 0; i < values.size(); ++i) {
        std::vector<int> used(static_cast<size_t>(palette_size), 0);
        for (size_t j : touches[i])
            if (colour[j] >= 0) ++used[static_cast<size_t>(colour[j])];
        colour[i] = static_cast<int>(std::min_element(used.begin(), used.end()) - used.begin());
    }
    return colour;
}

void writeServerQml(const std::string& raster_path, const std::string& title) {
    const RasterClasses classes = readClasses(raster_path);
    if (classes.rows.empty()) throw Error(raster_path + ": no attribute table of servers to style");
    DatasetPtr ds = openRaster(raster_path);
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    Grid<int32_t> labels(w, h, GeoTransform{}, -1, -1);
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, labels.data().data(), w, h, GDT_Int32, 0, 0) != CE_None) {
        throw Error(raster_path + ": cannot read (" + lastGdalError() + ")");
    }
    std::vector<int32_t> values;
    for (const auto& row : classes.rows) values.push_back(row.first);
    // Qualitative palette (ColorBrewer Paired, 12 classes), strong colours first.
    static constexpr std::array<std::array<uint8_t, 3>, 12> kPalette{{{31, 120, 180}, {227, 26, 28}, {51, 160, 44}, {255, 127, 0},
                                                                     {106, 61, 154}, {177, 89, 40}, {166, 206, 227}, {251, 154, 153},
                                                                     {178, 223, 138}, {253, 191, 111}, {202, 178, 214}, {255, 255, 153}}};
    const std::vector<int> colour = classColours(labels, values, static_cast<int>(kPalette.size()));
    std::ostringstream q;
    q << "    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"0.75\" alphaBand=\"-1\" nodataColor=\"\">\n"
      << "      <rasterTransparency/>\n"
      << "      <minMaxOrigin><limits>None</limits><extent>WholeRaster</extent><statAccuracy>Estimated</statAccuracy>"
         "<cumulativeCutLower>0.02</cumulativeCutLower><cumulativeCutUpper>0.98</cumulativeCutUpper><stdDevFactor>2</stdDevFactor></minMaxOrigin>\n"
      << "      <colorPalette>\n";
    for (size_t i = 0; i < classes.rows.size(); ++i) {
        const auto& [value, fields] = classes.rows[i];
        const auto& rgb = kPalette[static_cast<size_t>(colour[i])];
        q << "        <paletteEntry value=\"" << value << "\" color=\"" << hex(rgb[0], rgb[1], rgb[2]) << "\" alpha=\"255\" label=\""
          << xmlEscape(fields.empty() ? std::to_string(value) : fields[0]) << "\"/>\n";
    }
    q << "      </colorPalette>\n"
      << "    </rasterrenderer>\n";
    const std::string path = std::filesystem::path(raster_path).replace_extension(".qml").string();
    writeFileBytes(path, qmlWrap(title, q.str()));
}

void writeKmz(const std::string& kmz_path, const std::string& raster_path, const ColorRamp& ramp, const std::string& name, int max_px) {
    DatasetPtr ds = warpTo(raster_path, "EPSG:4326", max_px);
    double gt[6];
    ds->GetGeoTransform(gt);
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    const double west = gt[0], north = gt[3], east = gt[0] + w * gt[1], south = gt[3] + h * gt[5];
    const std::string overlay = pngBytes(w, h, colourise(ds.get(), ramp));
    const std::string legend = legendPng(ramp);
    std::ostringstream k;
    k.precision(10);
    k << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
      << "  <name>" << xmlEscape(name) << "</name>\n"
      << "  <description>" << xmlEscape(ramp.title) << ", computed by phusong " << PHUSONG_VERSION << "</description>\n"
      << "  <GroundOverlay>\n    <name>" << xmlEscape(ramp.title) << "</name>\n    <color>ccffffff</color>\n"
      << "    <Icon><href>overlay.png</href></Icon>\n"
      << "    <LatLonBox><north>" << north << "</north><south>" << south << "</south><east>" << east << "</east><west>" << west
      << "</west></LatLonBox>\n  </GroundOverlay>\n"
      << "  <ScreenOverlay>\n    <name>Legend</name>\n    <Icon><href>legend.png</href></Icon>\n"
      << "    <overlayXY x=\"0\" y=\"0\" xunits=\"fraction\" yunits=\"fraction\"/>\n"
      << "    <screenXY x=\"0.01\" y=\"0.05\" xunits=\"fraction\" yunits=\"fraction\"/>\n"
      << "    <size x=\"0\" y=\"0\" xunits=\"pixels\" yunits=\"pixels\"/>\n  </ScreenOverlay>\n"
      << "</Document>\n</kml>\n";
    const std::string doc = k.str();
    // Write the zip to a temporary name (doc.kml first, as KMZ readers expect), then rename.
    // One ".kmz" in the whole path: /vsizip/ splits archive and member at the first one.
    const std::filesystem::path kp(kmz_path);
    const std::string tmp = (kp.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + kp.filename().string())).string();
    std::remove(tmp.c_str());
    auto put = [&](const char* member, const std::string& bytes) {
        const std::string p = "/vsizip/" + tmp + "/" + member;
        VSILFILE* f = VSIFOpenL(p.c_str(), "wb");
        if (!f) throw Error(kmz_path + ": cannot write (" + lastGdalError() + ")");
        const size_t n = VSIFWriteL(bytes.data(), 1, bytes.size(), f);
        VSIFCloseL(f);
        if (n != bytes.size()) throw Error(kmz_path + ": short write");
    };
    try {
        put("doc.kml", doc);
        put("overlay.png", overlay);
        put("legend.png", legend);
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    renameInto(tmp, kmz_path);
}

namespace {
// The WGS 84 bounds of a Web Mercator image (spherical, EPSG:3857's definition).
WebOverlay mercatorOverlay(const double gt[6], int width, int height) {
    const double R = 6378137.0;
    auto lon = [&](double x) { return x / R * 180.0 / M_PI; };
    auto lat = [&](double y) { return (2.0 * std::atan(std::exp(y / R)) - M_PI / 2.0) * 180.0 / M_PI; };
    WebOverlay o;
    o.width = width;
    o.height = height;
    o.west = lon(gt[0]);
    o.east = lon(gt[0] + width * gt[1]);
    o.north = lat(gt[3]);
    o.south = lat(gt[3] + height * gt[5]);
    return o;
}
}  // namespace

WebOverlay writeWebOverlay(const std::string& png_path, const std::string& raster_path, const ColorRamp& ramp, int max_px) {
    DatasetPtr ds = warpTo(raster_path, "EPSG:3857", max_px);
    double gt[6];
    ds->GetGeoTransform(gt);
    const WebOverlay o = mercatorOverlay(gt, ds->GetRasterXSize(), ds->GetRasterYSize());
    writeFileBytes(png_path, pngBytes(o.width, o.height, colourise(ds.get(), ramp)));
    return o;
}

WebOverlay writeHillshadeOverlay(const std::string& png_path, const std::string& dem_path, int max_px) {
    DatasetPtr dem = warpTo(dem_path, "EPSG:3857", max_px, "bilinear");
    const char* args[] = {"-of", "MEM", "-z", "2", "-compute_edges", nullptr};
    GDALDEMProcessingOptions* o = GDALDEMProcessingOptionsNew(const_cast<char**>(args), nullptr);
    int err = 0;
    DatasetPtr hs(GDALDataset::FromHandle(GDALDEMProcessing("", dem.get(), "hillshade", nullptr, o, &err)));
    GDALDEMProcessingOptionsFree(o);
    if (!hs) throw Error(dem_path + ": cannot compute a hillshade (" + lastGdalError() + ")");
    double gt[6];
    dem->GetGeoTransform(gt);
    const WebOverlay w = mercatorOverlay(gt, hs->GetRasterXSize(), hs->GetRasterYSize());
    std::vector<uint8_t> shade(static_cast<size_t>(w.width) * w.height);
    std::vector<float> z(shade.size());
    if (hs->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w.width, w.height, shade.data(), w.width, w.height, GDT_Byte, 0, 0) != CE_None ||
        dem->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w.width, w.height, z.data(), w.width, w.height, GDT_Float32, 0, 0) != CE_None)
        throw Error(dem_path + ": cannot read the hillshade");
    std::vector<uint8_t> rgba(shade.size() * 4, 0);
    for (size_t i = 0; i < shade.size(); ++i) {
        if (std::isnan(z[i])) continue;
        const uint8_t g = static_cast<uint8_t>(90 + shade[i] * 150 / 255);
        rgba[4 * i] = g, rgba[4 * i + 1] = g, rgba[4 * i + 2] = static_cast<uint8_t>(std::min(255, g + 8)), rgba[4 * i + 3] = 255;
    }
    writeFileBytes(png_path, pngBytes(w.width, w.height, rgba));
    return w;
}

void writeLegendPng(const std::string& png_path, const ColorRamp& ramp) { writeFileBytes(png_path, legendPng(ramp)); }

void writeCoveragePolygons(const std::string& gpkg_path, const std::string& layer_name, const std::string& raster_path,
                           Technology tech, const std::vector<double>& thresholds_dBm) {
    DatasetPtr src = openRaster(raster_path);
    const int w = src->GetRasterXSize(), h = src->GetRasterYSize();
    std::vector<float> v(static_cast<size_t>(w) * h);
    if (src->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Float32, 0, 0) != CE_None)
        throw Error(raster_path + ": cannot read");
    double gt[6];
    src->GetGeoTransform(gt);
    const double px_km2 = std::abs(gt[1] * gt[5]) / 1e6;
    DatasetPtr gpkg(openOrCreateGpkg(gpkg_path));
    const std::vector<PointLayer::Column> cols{{"tech", 's'}, {"measure", 's'}, {"threshold_dbm", 'r'}, {"area_km2", 'r'}};
    OGRLayer* layer = createLayer(gpkg.get(), gpkg_path, layer_name, src->GetSpatialRef(), wkbMultiPolygon, cols);
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* memv = GetGDALDriverManager()->GetDriverByName("Memory");
    for (double thr : thresholds_dBm) {
        DatasetPtr mask(mem->Create("", w, h, 1, GDT_Byte, nullptr));
        mask->SetGeoTransform(gt);
        mask->SetSpatialRef(src->GetSpatialRef());
        std::vector<uint8_t> m(v.size());
        long long n = 0;
        for (size_t i = 0; i < v.size(); ++i) n += (m[i] = v[i] >= thr ? 1 : 0);
        if (mask->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, w, h, m.data(), w, h, GDT_Byte, 0, 0) != CE_None)
            throw Error("cannot fill the coverage mask");
        // Polygonize into a scratch layer, then merge the pieces into one multipolygon feature.
        DatasetPtr scratch(memv->Create("", 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* sl = scratch->CreateLayer("p", const_cast<OGRSpatialReference*>(src->GetSpatialRef()), wkbPolygon, nullptr);
        OGRFieldDefn fd("v", OFTInteger);
        sl->CreateField(&fd);
        GDALRasterBand* mb = mask->GetRasterBand(1);
        if (GDALPolygonize(mb, mb, sl, 0, nullptr, nullptr, nullptr) != CE_None)
            throw Error(raster_path + ": cannot trace coverage polygons (" + lastGdalError() + ")");
        OGRMultiPolygon mp;
        sl->ResetReading();
        while (OGRFeature* f = sl->GetNextFeature()) {
            std::unique_ptr<OGRFeature> g(f);
            if (f->GetGeometryRef()) mp.addGeometry(f->GetGeometryRef());
        }
        std::unique_ptr<OGRFeature> feat(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        setFields(feat.get(), cols, {std::string(toString(tech)), std::string(signalMeasure(tech)), num(thr), num(n * px_km2)});
        feat->SetGeometry(&mp);
        if (layer->CreateFeature(feat.get()) != OGRERR_NONE) throw Error(gpkg_path + ": cannot write a coverage polygon");
    }
}

void writePointLayer(const std::string& gpkg_path, const PointLayer& pl) {
    DatasetPtr gpkg(openOrCreateGpkg(gpkg_path));
    OGRSpatialReference wgs;
    wgs.importFromEPSG(4326);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayer* layer = createLayer(gpkg.get(), gpkg_path, pl.name, &wgs, wkbPoint, pl.columns);
    gpkg->StartTransaction();
    for (size_t i = 0; i < pl.points.size(); ++i) {
        std::unique_ptr<OGRFeature> f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        setFields(f.get(), pl.columns, pl.values[i]);
        OGRPoint p(pl.points[i].lon_deg, pl.points[i].lat_deg);
        f->SetGeometry(&p);
        if (layer->CreateFeature(f.get()) != OGRERR_NONE) throw Error(gpkg_path + ": cannot write feature to " + pl.name);
    }
    gpkg->CommitTransaction();
}

void writePolygonLayer(const std::string& gpkg_path, const PolygonLayer& pl) {
    DatasetPtr gpkg(openOrCreateGpkg(gpkg_path));
    OGRSpatialReference wgs;
    wgs.importFromEPSG(4326);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayer* layer = createLayer(gpkg.get(), gpkg_path, pl.name, &wgs, wkbPolygon, pl.columns);
    for (size_t i = 0; i < pl.rings.size(); ++i) {
        std::unique_ptr<OGRFeature> f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        setFields(f.get(), pl.columns, pl.values[i]);
        OGRLinearRing ring;
        for (const auto& p : pl.rings[i]) ring.addPoint(p.lon_deg, p.lat_deg);
        ring.closeRings();
        OGRPolygon poly;
        poly.addRing(&ring);
        f->SetGeometry(&poly);
        if (layer->CreateFeature(f.get()) != OGRERR_NONE) throw Error(gpkg_path + ": cannot write feature to " + pl.name);
    }
}

FloatRaster readFloatRaster(const std::string& raster_path) {
    DatasetPtr ds = openRaster(raster_path);
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None || gt[2] != 0.0 || gt[4] != 0.0) throw InputError(raster_path + ": no north-up geotransform");
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    FloatRaster r{Grid<float>(w, h, GeoTransform{gt[0], gt[3], gt[1], -gt[5]}, 0.0f, std::numeric_limits<float>::quiet_NaN()), Crs{}};
    GDALRasterBand* b = ds->GetRasterBand(1);
    if (b->RasterIO(GF_Read, 0, 0, w, h, r.grid.data().data(), w, h, GDT_Float32, 0, 0) != CE_None) throw Error(raster_path + ": cannot read");
    int has_nd = 0;
    const double nd = b->GetNoDataValue(&has_nd);
    if (has_nd && !std::isnan(nd))
        for (float& v : r.grid.data())
            if (v == static_cast<float>(nd)) v = std::numeric_limits<float>::quiet_NaN();
    if (const OGRSpatialReference* srs = ds->GetSpatialRef()) {
        char* wkt = nullptr;
        srs->exportToWkt(&wkt);
        r.crs.wkt = wkt ? wkt : "";
        CPLFree(wkt);
        const char* code = srs->GetAuthorityCode(nullptr);
        r.crs.epsg = code ? std::atoi(code) : 0;
    }
    return r;
}

long long maskOutside(DemGrid& grid, const Crs& crs, const std::vector<std::string>& polygons) {
    initGdal();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    const int w = grid.width(), h = grid.height();
    DatasetPtr ds(mem->Create("", w, h, 1, GDT_Byte, nullptr));
    const GeoTransform& g = grid.geoTransform();
    double gt[6] = {g.origin_x_m, g.pixel_width_m, 0.0, g.origin_y_m, 0.0, -g.pixel_height_m};
    ds->SetGeoTransform(gt);
    OGRSpatialReference dst, wgs;
    dst.importFromWkt(crs.wkt.c_str());
    dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs.importFromEPSG(4326);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ds->SetSpatialRef(&dst);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs, &dst));
    std::vector<std::unique_ptr<OGRGeometry>> geoms;
    std::vector<OGRGeometryH> handles;
    for (const auto& wkt : polygons) {
        OGRGeometry* geom = nullptr;
        if (OGRGeometryFactory::createFromWkt(wkt.c_str(), &wgs, &geom) != OGRERR_NONE || !geom) throw Error("cannot parse a boundary polygon");
        geom->transform(ct.get());
        geoms.emplace_back(geom);
        handles.push_back(OGRGeometry::ToHandle(geom));
    }
    int band = 1;
    std::vector<double> burn(handles.size(), 1.0);
    if (GDALRasterizeGeometries(ds.get(), 1, &band, static_cast<int>(handles.size()), handles.data(), nullptr, nullptr, burn.data(), nullptr,
                                nullptr, nullptr) != CE_None)
        throw Error("cannot rasterize the boundary (" + lastGdalError() + ")");
    std::vector<uint8_t> m(static_cast<size_t>(w) * h);
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, m.data(), w, h, GDT_Byte, 0, 0) != CE_None) throw Error("cannot read the boundary mask");
    long long kept = 0;
    for (size_t i = 0; i < m.size(); ++i) {
        if (m[i]) ++kept;
        else grid.data()[i] = std::numeric_limits<float>::quiet_NaN();
    }
    return kept;
}

std::vector<double> sampleRaster(const std::string& raster_path, const std::vector<LatLon>& points) {
    DatasetPtr ds = openRaster(raster_path);
    double gt[6];
    ds->GetGeoTransform(gt);
    OGRSpatialReference wgs, dst(*ds->GetSpatialRef());
    wgs.importFromEPSG(4326);
    wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs, &dst));
    GDALRasterBand* b = ds->GetRasterBand(1);
    int has_nd = 0;
    const double nd = b->GetNoDataValue(&has_nd);
    std::vector<double> out;
    out.reserve(points.size());
    for (const auto& p : points) {
        double x = p.lon_deg, y = p.lat_deg;
        double v = std::numeric_limits<double>::quiet_NaN();
        if (ct && ct->Transform(1, &x, &y)) {
            const int col = static_cast<int>(std::floor((x - gt[0]) / gt[1]));
            const int row = static_cast<int>(std::floor((y - gt[3]) / gt[5]));
            if (col >= 0 && row >= 0 && col < ds->GetRasterXSize() && row < ds->GetRasterYSize()) {
                double val = 0;
                if (b->RasterIO(GF_Read, col, row, 1, 1, &val, 1, 1, GDT_Float64, 0, 0) == CE_None && !(has_nd && val == nd)) v = val;
            }
        }
        out.push_back(v);
    }
    return out;
}

}  // namespace phusong::io
