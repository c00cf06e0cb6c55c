#include "phusong/core/synth_terrain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/core/geometry.hpp"

namespace phusong {

namespace {
uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Lattice value in [-1, 1] for integer coordinates, octave and seed.
double lattice(int64_t ix, int64_t iy, uint64_t salt) {
    const uint64_t h = splitmix64(static_cast<uint64_t>(ix) * 0x1F1F1F1Full ^ splitmix64(static_cast<uint64_t>(iy) ^ salt));
    return static_cast<double>(h >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

double fade(double t) { return t * t * t * (t * (t * 6 - 15) + 10); }

// The gradients of one lattice cell's four corners, kept by each noise call site: neighbouring
// pixels along a row fall in the same cell (a cell is at least about 3 pixels wide at the finest
// octave), so most calls skip the four sine-cosine pairs, which were most of the terrain's cost.
// The gradients are the same numbers either way, so the terrain is the same to the bit.
struct CellGradients {
    int64_t ix = std::numeric_limits<int64_t>::min(), iy = 0;
    uint64_t salt = 0;
    double c[4] = {}, s[4] = {};  // cos, sin of the corners (ix, iy), (ix+1, iy), (ix, iy+1), (ix+1, iy+1)
};

// Gradient (Perlin) noise in about [-1, 1]: smoother and less grid-aligned than value noise.
double gradientNoise(double x, double y, uint64_t salt, CellGradients& cell) {
    const double fx = std::floor(x), fy = std::floor(y);
    const auto ix = static_cast<int64_t>(fx), iy = static_cast<int64_t>(fy);
    const double rx = x - fx, ry = y - fy;
    if (ix != cell.ix || iy != cell.iy || salt != cell.salt) {
        cell.ix = ix, cell.iy = iy, cell.salt = salt;
        for (int k = 0; k < 4; ++k) {
            const double a = lattice(ix + (k & 1), iy + (k >> 1), salt) * kPi;  // gradient direction from the lattice hash
            cell.c[k] = std::cos(a);
            cell.s[k] = std::sin(a);
        }
    }
    auto dot = [&](int k, double dx, double dy) { return cell.c[k] * dx + cell.s[k] * dy; };
    const double tx = fade(rx), ty = fade(ry);
    const double a = dot(0, rx, ry), b = dot(1, rx - 1, ry);
    const double c = dot(2, rx, ry - 1), d = dot(3, rx - 1, ry - 1);
    const double ab = a + (b - a) * tx, cd = c + (d - c) * tx;
    return 1.41 * (ab + (cd - ab) * ty);
}

// Fractal Brownian motion, roughly in [-1, 1]. @p cells: one per octave.
double fbm(double x, double y, int octaves, uint64_t salt, CellGradients* cells) {
    double sum = 0.0, amp = 0.5, norm = 0.0;
    for (int o = 0; o < octaves; ++o) {
        sum += amp * gradientNoise(x, y, salt + 977u * o, cells[o]);
        norm += amp;
        const double xr = 0.8 * x - 0.6 * y, yr = 0.6 * x + 0.8 * y;  // rotate octaves against grid alignment
        x = xr * 2.03 + 17.1;
        y = yr * 2.03 - 9.7;
        amp *= 0.5;
    }
    return sum / norm;
}

// Ridged multifractal in [0, 1]: sharp crests where the noise crosses zero. @p cells: one per octave.
double ridged(double x, double y, int octaves, uint64_t salt, CellGradients* cells) {
    double sum = 0.0, amp = 0.5, norm = 0.0, weight = 1.0;
    for (int o = 0; o < octaves; ++o) {
        double r = 1.0 - std::abs(gradientNoise(x, y, salt + 1543u * o, cells[o]));
        r *= r * weight;
        weight = std::clamp(r * 1.5, 0.0, 1.0);
        sum += amp * r;
        norm += amp;
        const double xr = 0.8 * x - 0.6 * y, yr = 0.6 * x + 0.8 * y;
        x = xr * 2.1 + 3.3;
        y = yr * 2.1 + 7.9;
        amp *= 0.5;
    }
    return sum / norm;
}

double smoothstep(double e0, double e1, double x) {
    const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}
}  // namespace

long long synthTerrainSide_px(const SynthTerrainOptions& opt) {
    if (!(opt.size_km > 0.0) || !(opt.resolution_m > 0.0)) {
        throw InputError("synth-terrain: --size-km and --resolution-m must be positive");
    }
    return std::llround(opt.size_km * 1000.0 / opt.resolution_m);
}

DemGrid synthesizeTerrain(const SynthTerrainOptions& opt) {
    const long long side = synthTerrainSide_px(opt);
    if (side < 2 || side > 40000) {
        throw InputError("synth-terrain: " + std::to_string(side) + " pixels a side is out of range (2-40000); adjust --size-km or --resolution-m");
    }
    const int n = static_cast<int>(side);
    const double half = n * opt.resolution_m / 2.0;
    GeoTransform gt{opt.center_x_m - half, opt.center_y_m + half, opt.resolution_m, opt.resolution_m};
    DemGrid dem(n, n, gt, 0.0f, std::numeric_limits<float>::quiet_NaN());
    const uint64_t s = splitmix64(opt.seed);
    const double size_m = n * opt.resolution_m;
    // Features are sized in metres so the landscape looks the same at any resolution.
    const double ridge_scale_m = 7000.0, hill_scale_m = 3000.0, trend_scale_m = 20000.0;
    const double river_wavelength_m = 22000.0;
    const double river_phase = (lattice(1, 2, s) + 1.0) * kPi;

    // The river's course (a meander from west to east, in the southern part of the map) and the
    // plain's width depend on x alone: once per column.
    std::vector<double> river_y(static_cast<size_t>(n)), plain_halfwidth(static_cast<size_t>(n));
    {
        CellGradients wiggle_cells[3], width_cells[2];
        for (int c = 0; c < n; ++c) {
            const double x = (c + 0.5) * opt.resolution_m;
            river_y[static_cast<size_t>(c)] = size_m * 0.68 + 0.07 * size_m * std::sin(2 * kPi * x / river_wavelength_m + river_phase) +
                                              2500.0 * fbm(x / 9000.0, 0.5, 3, s + 51, wiggle_cells);
            plain_halfwidth[static_cast<size_t>(c)] = 1800.0 + 900.0 * fbm(x / 8000.0, 3.5, 2, s + 67, width_cells);
        }
    }

#pragma omp parallel for schedule(static)
    for (int r = 0; r < n; ++r) {
        float* row = dem.row(r);
        CellGradients trend_cells[3], ridge_cells[6], hill_cells[5], plain_cells[3];
        for (int c = 0; c < n; ++c) {
            const double x = (c + 0.5) * opt.resolution_m;  // metres east of the west edge
            const double y = (r + 0.5) * opt.resolution_m;  // metres south of the north edge
            const double u = x / size_m, v = y / size_m;
            // Regional trend: high in the north-east, low in the south-west, warped by noise.
            const double trend =
                smoothstep(0.25, 0.95, 0.5 * (u + (1.0 - v)) + 0.18 * fbm(x / trend_scale_m, y / trend_scale_m, 3, s + 11, trend_cells));
            const double mountains = ridged(x / ridge_scale_m, y / ridge_scale_m, 6, s + 23, ridge_cells);
            const double hills = 0.5 * (fbm(x / hill_scale_m, y / hill_scale_m, 5, s + 37, hill_cells) + 1.0);
            const double dist_river = std::abs(y - river_y[static_cast<size_t>(c)]);
            const double halfwidth = plain_halfwidth[static_cast<size_t>(c)];
            const double rise = smoothstep(halfwidth, halfwidth + 4500.0, dist_river);
            // Alluvial plain at 4-12 m, sloping gently downstream (east).
            const double plain = 12.0 - 8.0 * u + 1.5 * fbm(x / 1500.0, y / 1500.0, 3, s + 79, plain_cells);
            const double relief = opt.max_relief_m * trend * mountains + 120.0 * hills * (0.3 + 0.7 * trend) + 25.0 * hills;
            const double channel = dist_river < 60.0 ? -3.0 * (1.0 - dist_river / 60.0) : 0.0;
            row[c] = static_cast<float>(plain + rise * relief + channel);
        }
    }
    return dem;
}

}  // namespace phusong
