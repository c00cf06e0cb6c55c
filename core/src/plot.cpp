#include "phusong/core/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace phusong::plot {

namespace {
// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
struct Glyph {
    char c;
    uint8_t rows[7];
};
constexpr Glyph kFont[] = {
    {'0', {14, 17, 19, 21, 25, 17, 14}}, {'1', {4, 12, 4, 4, 4, 4, 14}},     {'2', {14, 17, 1, 2, 4, 8, 31}},
    {'3', {31, 2, 4, 2, 1, 17, 14}},     {'4', {2, 6, 10, 18, 31, 2, 2}},    {'5', {31, 16, 30, 1, 1, 17, 14}},
    {'6', {6, 8, 16, 30, 17, 17, 14}},   {'7', {31, 1, 2, 4, 8, 8, 8}},      {'8', {14, 17, 17, 14, 17, 17, 14}},
    {'9', {14, 17, 17, 15, 1, 2, 12}},   {'.', {0, 0, 0, 0, 0, 12, 12}},     {'-', {0, 0, 0, 31, 0, 0, 0}},
    {'+', {0, 4, 4, 31, 4, 4, 0}},       {'(', {2, 4, 8, 8, 8, 4, 2}},       {')', {8, 4, 2, 2, 2, 4, 8}},
    {'/', {1, 1, 2, 4, 8, 16, 16}},      {':', {0, 12, 12, 0, 12, 12, 0}},   {'=', {0, 0, 31, 0, 31, 0, 0}},
    {',', {0, 0, 0, 0, 12, 4, 8}},       {'%', {24, 25, 2, 4, 8, 19, 3}},    {'a', {0, 0, 14, 1, 15, 17, 15}},
    {'b', {16, 16, 22, 25, 17, 17, 30}}, {'c', {0, 0, 14, 16, 16, 17, 14}},  {'d', {1, 1, 13, 19, 17, 17, 15}},
    {'e', {0, 0, 14, 17, 31, 16, 14}},   {'f', {6, 9, 8, 28, 8, 8, 8}},      {'g', {0, 15, 17, 17, 15, 1, 14}},
    {'h', {16, 16, 22, 25, 17, 17, 17}}, {'i', {4, 0, 12, 4, 4, 4, 14}},     {'j', {2, 0, 6, 2, 2, 18, 12}},
    {'k', {16, 16, 18, 20, 24, 20, 18}}, {'l', {12, 4, 4, 4, 4, 4, 14}},     {'m', {0, 0, 26, 21, 21, 17, 17}},
    {'n', {0, 0, 22, 25, 17, 17, 17}},   {'o', {0, 0, 14, 17, 17, 17, 14}},  {'p', {0, 0, 30, 17, 30, 16, 16}},
    {'q', {0, 0, 13, 19, 15, 1, 1}},     {'r', {0, 0, 22, 25, 16, 16, 16}},  {'s', {0, 0, 14, 16, 14, 1, 30}},
    {'t', {8, 8, 28, 8, 8, 9, 6}},       {'u', {0, 0, 17, 17, 17, 19, 13}},  {'v', {0, 0, 17, 17, 17, 10, 4}},
    {'w', {0, 0, 17, 17, 21, 21, 10}},   {'x', {0, 0, 17, 10, 4, 10, 17}},   {'y', {0, 0, 17, 17, 15, 1, 14}},
    {'z', {0, 0, 31, 2, 4, 8, 31}},      {'A', {14, 17, 17, 31, 17, 17, 17}}, {'B', {30, 17, 17, 30, 17, 17, 30}},
    {'C', {14, 17, 16, 16, 16, 17, 14}}, {'D', {28, 18, 17, 17, 17, 18, 28}}, {'E', {31, 16, 16, 30, 16, 16, 31}},
    {'F', {31, 16, 16, 30, 16, 16, 16}}, {'G', {14, 17, 16, 23, 17, 17, 15}}, {'H', {17, 17, 17, 31, 17, 17, 17}},
    {'I', {14, 4, 4, 4, 4, 4, 14}},      {'L', {16, 16, 16, 16, 16, 16, 31}}, {'M', {17, 27, 21, 21, 17, 17, 17}},
    {'N', {17, 17, 25, 21, 19, 17, 17}}, {'O', {14, 17, 17, 17, 17, 17, 14}}, {'P', {30, 17, 17, 30, 16, 16, 16}},
    {'R', {30, 17, 17, 30, 20, 18, 17}}, {'S', {15, 16, 16, 14, 1, 1, 30}},   {'T', {31, 4, 4, 4, 4, 4, 4}},
    {'U', {17, 17, 17, 17, 17, 17, 14}}, {'V', {17, 17, 17, 17, 17, 10, 4}},  {'W', {17, 17, 17, 21, 21, 21, 10}},
    {'X', {17, 17, 10, 4, 10, 17, 17}},  {'Y', {17, 17, 10, 4, 4, 4, 4}},     {'K', {17, 18, 20, 24, 20, 18, 17}},
    {'J', {7, 2, 2, 2, 2, 18, 12}},      {'Q', {14, 17, 17, 17, 21, 18, 13}}, {'Z', {31, 1, 2, 4, 8, 16, 31}},
};
const Glyph* glyph(char c) {
    for (const Glyph& g : kFont) {
        if (g.c == c) return &g;
    }
    return nullptr;
}

std::string tickLabel(double v, double step) {
    char buf[32];
    const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < 1e-12 ? 0.0 : v);
    return buf;
}
}  // namespace

Canvas::Canvas(int width, int height, Rgb bg) : m_w(width), m_h(height), m_px(static_cast<size_t>(width) * height * 3) {
    for (size_t i = 0; i < m_px.size(); i += 3) m_px[i] = bg.r, m_px[i + 1] = bg.g, m_px[i + 2] = bg.b;
}

void Canvas::set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= m_w || y >= m_h) return;
    const size_t i = (static_cast<size_t>(y) * m_w + x) * 3;
    m_px[i] = c.r, m_px[i + 1] = c.g, m_px[i + 2] = c.b;
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, int thickness) {
    const double len = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
    const int n = std::max(1, static_cast<int>(std::ceil(len)));
    const int r0 = -(thickness - 1) / 2, r1 = thickness / 2;
    for (int i = 0; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0)));
        const int y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
        for (int dy = r0; dy <= r1; ++dy) {
            for (int dx = r0; dx <= r1; ++dx) set(x + dx, y + dy, c);
        }
    }
}

void Canvas::fillRect(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y) {
        for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x) set(x, y, c);
    }
}

void Canvas::text(int x, int y, const std::string& s, Rgb c, int scale) {
    for (size_t k = 0; k < s.size(); ++k) {
        const Glyph* g = glyph(s[k]);
        if (!g) continue;
        for (int row = 0; row < 7; ++row) {
            for (int col = 0; col < 5; ++col) {
                if (g->rows[row] & (16 >> col)) {
                    fillRect(x + (static_cast<int>(k) * 6 + col) * scale, y + row * scale,
                             x + (static_cast<int>(k) * 6 + col) * scale + scale - 1, y + row * scale + scale - 1, c);
                }
            }
        }
    }
}

double niceStep(double span, int target) {
    if (!(span > 0.0)) return 1.0;
    const double raw = span / target;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * p >= raw) return m * p;
    }
    return 10.0 * p;
}

Chart::Chart(Canvas& c, double x_min, double x_max, double y_min, double y_max, int left, int right, int top, int bottom)
    : m_c(c), m_x0(x_min), m_x1(x_max > x_min ? x_max : x_min + 1.0), m_y0(y_min), m_y1(y_max > y_min ? y_max : y_min + 1.0),
      m_l(left), m_r(right), m_t(top), m_b(bottom) {}

double Chart::px(double x) const { return m_l + (x - m_x0) / (m_x1 - m_x0) * (m_c.width() - m_l - m_r); }
double Chart::py(double y) const { return m_c.height() - m_b - (y - m_y0) / (m_y1 - m_y0) * (m_c.height() - m_t - m_b); }

void Chart::axes(const std::string& x_label, const std::string& y_label, const std::string& title) {
    const Rgb k{0, 0, 0}, grid{225, 225, 225};
    const double sx = niceStep(m_x1 - m_x0), sy = niceStep(m_y1 - m_y0);
    for (double x = std::ceil(m_x0 / sx) * sx; x <= m_x1 + 1e-9; x += sx) {
        m_c.line(px(x), py(m_y0), px(x), py(m_y1), grid);
        m_c.line(px(x), py(m_y0), px(x), py(m_y0) + 5, k);
        const std::string t = tickLabel(x, sx);
        m_c.text(static_cast<int>(px(x)) - Canvas::textWidth(t) / 2, static_cast<int>(py(m_y0)) + 9, t, k);
    }
    for (double y = std::ceil(m_y0 / sy) * sy; y <= m_y1 + 1e-9; y += sy) {
        m_c.line(px(m_x0), py(y), px(m_x1), py(y), grid);
        m_c.line(px(m_x0) - 5, py(y), px(m_x0), py(y), k);
        const std::string t = tickLabel(y, sy);
        m_c.text(static_cast<int>(px(m_x0)) - 8 - Canvas::textWidth(t), static_cast<int>(py(y)) - 3, t, k);
    }
    m_c.line(px(m_x0), py(m_y0), px(m_x1), py(m_y0), k);
    m_c.line(px(m_x0), py(m_y0), px(m_x0), py(m_y1), k);
    m_c.text(static_cast<int>((px(m_x0) + px(m_x1)) / 2) - Canvas::textWidth(x_label) / 2, m_c.height() - 18, x_label, k);
    m_c.text(4, m_t - 16, y_label, k);
    m_c.text(m_l, 8, title, k, 2);
}

void Chart::polyline(const std::vector<double>& x, const std::vector<double>& y, Rgb c, int thickness) {
    for (size_t i = 1; i < x.size() && i < y.size(); ++i) m_c.line(px(x[i - 1]), py(y[i - 1]), px(x[i]), py(y[i]), c, thickness);
}

void Chart::fillBelow(const std::vector<double>& x, const std::vector<double>& y, Rgb c) {
    const double base = py(m_y0);
    for (size_t i = 1; i < x.size() && i < y.size(); ++i) {
        const int a = static_cast<int>(std::floor(px(x[i - 1]))), b = static_cast<int>(std::ceil(px(x[i])));
        for (int X = a; X <= b; ++X) {
            const double t = b > a ? static_cast<double>(X - a) / (b - a) : 0.0;
            const double Y = py(y[i - 1] + t * (y[i] - y[i - 1]));
            m_c.line(X, Y, X, base, c);
        }
    }
}

void Chart::marker(double x, double y, Rgb c, int radius) {
    m_c.fillRect(static_cast<int>(px(x)) - radius, static_cast<int>(py(y)) - radius, static_cast<int>(px(x)) + radius,
                 static_cast<int>(py(y)) + radius, c);
}

void Chart::legend(const std::vector<std::pair<std::string, Rgb>>& entries) {
    int y = m_t + 6;
    const int x = m_c.width() - m_r - 200;
    for (const auto& [name, c] : entries) {
        m_c.fillRect(x, y, x + 14, y + 6, c);
        m_c.text(x + 20, y, name, {0, 0, 0});
        y += 14;
    }
}

}  // namespace phusong::plot
