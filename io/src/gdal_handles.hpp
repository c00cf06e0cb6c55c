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

}  // namespace phusong::io
