#pragma once
/// @file grid.hpp
/// Grid<T>: a north-up, row-major raster value type with a geotransform and a nodata value.
/// It holds no file handle; reading and writing live in phusong::io.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "phusong/core/big_buffer.hpp"
#include "phusong/core/error.hpp"

namespace phusong {

/// North-up affine transform: pixel (col,row)'s top-left corner is at
/// (origin_x_m + col*pixel_width_m, origin_y_m - row*pixel_height_m). Metres in a projected CRS.
struct GeoTransform {
    double origin_x_m = 0.0;
    double origin_y_m = 0.0;
    double pixel_width_m = 1.0;
    double pixel_height_m = 1.0;  ///< positive; rows go south

    double centerX(double col) const { return origin_x_m + (col + 0.5) * pixel_width_m; }
    double centerY(double row) const { return origin_y_m - (row + 0.5) * pixel_height_m; }
    /// Continuous column coordinate of x, where pixel centres lie at integer values.
    double colOf(double x_m) const { return (x_m - origin_x_m) / pixel_width_m - 0.5; }
    double rowOf(double y_m) const { return (origin_y_m - y_m) / pixel_height_m - 0.5; }
};

/// Half-open pixel window [col0, col1) x [row0, row1).
struct Window {
    int col0 = 0, row0 = 0, col1 = 0, row1 = 0;
    int width() const { return col1 - col0; }
    int height() const { return row1 - row0; }
    bool empty() const { return col1 <= col0 || row1 <= row0; }
};

template <typename T>
class Grid {
public:
    Grid() = default;
    Grid(int width, int height, GeoTransform gt, T fill = T{}, T nodata = T{})
        : m_width(width), m_height(height), m_gt(gt), m_nodata(nodata),
          m_data(checkedSize(width, height), fill) {}
    /// Over @p data, width x height values row-major from the top-left (taken, not copied).
    Grid(int width, int height, GeoTransform gt, BigVector<T> data, T nodata)
        : m_width(width), m_height(height), m_gt(gt), m_nodata(nodata), m_data(std::move(data)) {
        if (m_data.size() != checkedSize(width, height)) throw Error("Grid: the data do not hold width x height values");
    }

    int width() const { return m_width; }
    int height() const { return m_height; }
    size_t size() const { return m_data.size(); }
    const GeoTransform& geoTransform() const { return m_gt; }
    T nodata() const { return m_nodata; }
    void setNodata(T v) { m_nodata = v; }

    T& at(int col, int row) { return m_data[static_cast<size_t>(row) * m_width + col]; }
    const T& at(int col, int row) const { return m_data[static_cast<size_t>(row) * m_width + col]; }
    T* row(int r) { return m_data.data() + static_cast<size_t>(r) * m_width; }
    const T* row(int r) const { return m_data.data() + static_cast<size_t>(r) * m_width; }
    BigVector<T>& data() { return m_data; }
    const BigVector<T>& data() const { return m_data; }

    bool contains(int col, int row) const { return col >= 0 && row >= 0 && col < m_width && row < m_height; }
    /// The full extent as a window.
    Window extent() const { return Window{0, 0, m_width, m_height}; }
    /// Window clipped to the grid.
    Window clip(Window w) const {
        return Window{std::max(w.col0, 0), std::max(w.row0, 0), std::min(w.col1, m_width), std::min(w.row1, m_height)};
    }

private:
    static size_t checkedSize(int w, int h) {
        if (w <= 0 || h <= 0) throw Error("Grid: width and height must be positive");
        return static_cast<size_t>(w) * static_cast<size_t>(h);
    }
    int m_width = 0;
    int m_height = 0;
    GeoTransform m_gt;
    T m_nodata{};
    BigVector<T> m_data;  // huge-page backed when large (big_buffer.hpp)
};

/// Elevation grid: metres above mean sea level, NaN where unknown.
using DemGrid = Grid<float>;

/// Bilinear interpolation of @p g at continuous pixel coordinates (col,row) (centres at integers),
/// ignoring NaN neighbours. Returns NaN when all four neighbours are NaN or outside.
float sampleBilinear(const DemGrid& g, double col, double row);

/// Whether projected point (@p x_m, @p y_m) lies on the grid (within half a pixel of its edge
/// cells) and on valid (non-NaN) ground.
bool hasGroundAt(const DemGrid& g, double x_m, double y_m);

}  // namespace phusong
