#pragma once
/// @file dem.hpp
/// Reading DEMs with GDAL into the analysis grid, and projecting geographic positions onto it.
/// No GDAL type appears here; GDAL stays inside io/src.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "phusong/core/geometry.hpp"
#include "phusong/core/grid.hpp"
#include "phusong/core/sector.hpp"

namespace phusong::io {

/// A coordinate reference system, by EPSG code and WKT.
struct Crs {
    int epsg = 0;
    std::string wkt;
    static Crs fromEpsg(int epsg);  ///< throws InputError for unknown codes
};

struct DemLoadOptions {
    std::optional<int> epsg;     ///< analysis CRS; default: the UTM zone of the centre (see around)
    double resolution_m = 0.0;   ///< 0 = the DEM's native spacing (at the centre's latitude)
    /// Area of interest: when not empty, only the part of the analysis grid within @p around_m
    /// (plus 3 cells) of these points' bounding box is read, filled and warped, and their centre
    /// stands for the DEM's centre (UTM zone, native spacing). The grid is a window of the one the
    /// whole DEM gets in the same CRS at the same spacing (same cell edges). A national mosaic
    /// (VRT) is then read only where the sites are.
    std::vector<LatLon> around;
    double around_m = 0.0;
    std::string around_label = "the area of interest";  ///< what the points are, for the error when they miss the DEM
    /// Memory guard: when > 0, a grid whose cells at this many bytes each (what the command holds
    /// per cell) need more than availableMemory_bytes() is refused with InputError before any of
    /// it is read, naming its size and @p grid_fix (e.g. "use a coarser --resolution-m").
    double bytes_per_cell = 0.0;
    std::string grid_fix = "use a coarser resolution or a smaller area";
};

/// The analysis grid: DEM warped once to a metric CRS, voids filled.
struct Terrain {
    DemGrid grid;                 ///< metres above sea level, NaN outside the source footprint
    Crs crs;
    long long voids_filled = 0;   ///< nodata cells of the source filled by interpolation
    double native_resolution_m = 0.0;
    std::string source;
    int tiles = 1;                ///< raster files read as one mosaic (a folder's tiles, or several files)
    bool cropped = false;         ///< the grid is a window of the whole DEM's (DemLoadOptions::around)
};

/// Opens any raster GDAL reads (GeoTIFF, SRTM .hgt or .hgt.zip, VRT mosaics), or a folder of
/// such tiles, fills its voids in the source geometry, then warps it once (bilinear) to the
/// analysis CRS and resolution. Throws InputError naming the file when it cannot be read or has
/// no CRS.
Terrain loadDem(const std::string& path, const DemLoadOptions& opt);

/// The same over several rasters and folders of tiles, read as one mosaic (as `gdalbuildvrt
/// -resolution highest` builds it: the finest tile's spacing, nodata where no tile lies). The
/// tiles must share one CRS, and one scale, offset and vertical unit; InputError names the
/// first that does not.
Terrain loadDem(const std::vector<std::string>& paths, const DemLoadOptions& opt);

/// The raster files @p paths stand for: each file as given, each folder's tiles (by extension:
/// .hgt, .hgt.zip, .tif, .tiff, .vrt, .dt0-.dt2, .img, .asc, .bil; not its subfolders) sorted by
/// name. InputError for a folder without one.
std::vector<std::string> demTiles(const std::vector<std::string>& paths);

/// The WGS84 position of @p xy given in the CRS of the raster (or folder of tiles) at @p path (a projected DEM's own
/// coordinates, as gdal_viewshed -ox -oy takes them). Throws InputError naming the file.
LatLon demPointToLatLon(const std::string& path, PointXY xy);

/// Reads any raster (or folder of tiles) onto an existing analysis grid: each grid cell takes the
/// most frequent value of the raster's cells it covers (GDAL's mode: class codes stay codes, and a
/// land-cover raster finer than the grid gives each cell its dominant class, not the one under its
/// centre; a coarser raster gives the cell under it). NaN where the raster has no data. Throws
/// InputError naming the file.
Grid<float> loadOnGrid(const std::string& path, const GeoTransform& gt, int width, int height, const Crs& crs);

/// The memory this process may use, in bytes: /proc/meminfo's MemAvailable (else the physical
/// memory), or a container's lower cgroup limit; the environment variable PHUSONG_MEMORY_MB
/// overrides it (a batch scheduler's allowance, tests).
double availableMemory_bytes();

/// Throws InputError when a grid of @p width x @p height cells at @p bytes_per_cell needs more
/// than availableMemory_bytes(): "<what> would be W x H cells (...) at R m: about X GB ..., and
/// this machine has Y GB available; <fix>".
void checkGridFits(long long width, long long height, double resolution_m, double bytes_per_cell, const std::string& what,
                   const std::string& fix);

/// Converts WGS84 lat/lon to and from a projected CRS.
class Projector {
public:
    explicit Projector(const Crs& target);
    ~Projector();
    Projector(const Projector&) = delete;
    Projector& operator=(const Projector&) = delete;
    PointXY toXY(LatLon p) const;
    LatLon toLatLon(PointXY p) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Sets each sector's xy in @p crs.
void projectSectors(std::vector<Sector>& sectors, const Crs& crs);

/// Registers GDAL drivers once and routes GDAL's error messages away from stderr.
void initGdal();

}  // namespace phusong::io
