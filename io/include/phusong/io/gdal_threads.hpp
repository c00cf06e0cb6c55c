#pragma once

#include <string>

namespace phusong::io {

/// Threads GDAL may use for its own work: compressing COG tiles and warping the DEM (0 = all
/// cores, the default). Commands set it from their --threads, so that a one-thread run is one
/// thread throughout, reading the DEM included.
void setGdalThreads(int threads);

/// That setting as GDAL's NUM_THREADS value: "1", "2", ... or "ALL_CPUS".
std::string gdalNumThreads();

}  // namespace phusong::io
