// Test helper: compares the pixels of every GeoTIFF in one folder with the file of the same name in
// another, in one process (the MPI test used to call gdal_translate four times per raster pair,
// about 350 process starts). Two rasters are equal when their size, band count, data type,
// geotransform, nodata and every raw pixel byte agree; metadata (the command line) may differ.
//
//   raster_cmp DIR_A DIR_B     prints "N rasters bit-identical", exit 0; else names the first
//                              difference, exit 1; exit 2 on a missing or unreadable file.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gdal_handles.hpp"  // io's internal dataset handle and openRaster

namespace fs = std::filesystem;

namespace {

// Empty when equal, else what differs.
std::string compare(GDALDataset& a, GDALDataset& b) {
    if (a.GetRasterXSize() != b.GetRasterXSize() || a.GetRasterYSize() != b.GetRasterYSize()) return "size";
    if (a.GetRasterCount() != b.GetRasterCount()) return "band count";
    std::array<double, 6> ga{}, gb{};
    const bool has_a = a.GetGeoTransform(ga.data()) == CE_None, has_b = b.GetGeoTransform(gb.data()) == CE_None;
    if (has_a != has_b || std::memcmp(ga.data(), gb.data(), sizeof ga) != 0) return "geotransform";
    const int nx = a.GetRasterXSize(), ny = a.GetRasterYSize();
    for (int k = 1; k <= a.GetRasterCount(); ++k) {
        GDALRasterBand* ba = a.GetRasterBand(k);
        GDALRasterBand* bb = b.GetRasterBand(k);
        const GDALDataType t = ba->GetRasterDataType();
        if (t != bb->GetRasterDataType()) return "data type of band " + std::to_string(k);
        int ha = 0, hb = 0;
        const double na = ba->GetNoDataValue(&ha), nb = bb->GetNoDataValue(&hb);
        if (ha != hb || (ha && std::memcmp(&na, &nb, sizeof na) != 0)) return "nodata of band " + std::to_string(k);
        const size_t row_bytes = static_cast<size_t>(nx) * GDALGetDataTypeSizeBytes(t);
        std::vector<unsigned char> ra(row_bytes), rb(row_bytes);
        for (int y = 0; y < ny; ++y) {
            if (ba->RasterIO(GF_Read, 0, y, nx, 1, ra.data(), nx, 1, t, 0, 0) != CE_None ||
                bb->RasterIO(GF_Read, 0, y, nx, 1, rb.data(), nx, 1, t, 0, 0) != CE_None)
                return "unreadable row " + std::to_string(y);
            if (ra != rb) return "pixels of band " + std::to_string(k) + " row " + std::to_string(y);
        }
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: raster_cmp DIR_A DIR_B\n");
        return 2;
    }
    const fs::path dir_a = argv[1], dir_b = argv[2];
    std::vector<fs::path> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_a, ec))
        if (e.path().extension() == ".tif") names.push_back(e.path().filename());
    if (ec) {
        std::fprintf(stderr, "raster_cmp: cannot list %s: %s\n", dir_a.c_str(), ec.message().c_str());
        return 2;
    }
    std::sort(names.begin(), names.end());
    for (const fs::path& name : names) {
        std::string diff;
        try {
            const phusong::io::DatasetPtr a = phusong::io::openRaster(dir_a / name), b = phusong::io::openRaster(dir_b / name);
            diff = compare(*a, *b);
        } catch (const phusong::Error& e) {
            std::fprintf(stderr, "raster_cmp: %s\n", e.what());
            return 2;
        }
        if (!diff.empty()) {
            std::printf("%s differs: %s\n", name.c_str(), diff.c_str());
            return 1;
        }
    }
    std::printf("%zu rasters bit-identical\n", names.size());
    return 0;
}
