#pragma once
// GDAL handles shared by the io adapters (internal to io/src, not installed).

#include <gdal_priv.h>

#include <memory>
#include <string>

#include "phusong/core/error.hpp"
#include "phusong/io/dem.hpp"

namespace phusong::io {

/// Closes a GDAL dataset when its owner goes away.
struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

/// GDAL's last error message, for the messages that name a file.
inline std::string lastGdalError() {
    const char* m = CPLGetLastErrorMsg();
    return m && *m ? std::string(m) : std::string("unknown GDAL error");
}

/// Opens @p path read-only as a raster; InputError naming the file and GDAL's reason otherwise.
inline DatasetPtr openRaster(const std::string& path) {
    initGdal();
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds) throw InputError(path + ": cannot open as a raster (" + lastGdalError() + ")");
    return ds;
}

/// A one-band in-memory dataset of @p w x @p h cells of @p type over @p data (row-major, not
/// copied: the caller keeps it alive and unchanged while the dataset lives). GDAL's MEM driver
/// reads the buffer in place, so a raster handed to a warp or a writer costs no copy and no fresh
/// pages for one.
inline DatasetPtr memoryDatasetOver(void* data, int w, int h, GDALDataType type) {
    initGdal();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    if (!mem) throw Error("GDAL lacks the MEM driver");
    DatasetPtr ds(mem->Create("", w, h, 0, type, nullptr));
    if (!ds) throw Error("cannot create an in-memory raster (" + lastGdalError() + ")");
    char ptr[64];
    ptr[CPLPrintPointer(ptr, data, static_cast<int>(sizeof ptr) - 1)] = '\0';
    const std::string opt = std::string("DATAPOINTER=") + ptr;
    const char* opts[] = {opt.c_str(), nullptr};
    if (ds->AddBand(type, const_cast<char**>(opts)) != CE_None) throw Error("cannot wrap a buffer as an in-memory raster (" + lastGdalError() + ")");
    return ds;
}

}  // namespace phusong::io
