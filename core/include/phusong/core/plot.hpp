#pragma once
/// @file plot.hpp
/// A small RGB canvas for charts written as PNG by io::writePng: axes with numeric ticks, lines,
/// markers and short labels in a built-in 5x7 pixel font. Enough for profile and calibration
/// plots without a plotting dependency.

#include <cstdint>
#include <string>
#include <vector>

namespace phusong::plot {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};

class Canvas {
public:
    Canvas(int width, int height, Rgb background = {255, 255, 255});
    int width() const { return m_w; }
    int height() const { return m_h; }
    /// Pixel-interleaved RGB rows, top row first.
    const std::vector<uint8_t>& pixels() const { return m_px; }

    void set(int x, int y, Rgb c);
    void line(double x0, double y0, double x1, double y1, Rgb c, int thickness = 1);
    void fillRect(int x0, int y0, int x1, int y1, Rgb c);
    /// Text in the 5x7 font scaled by @p scale; unknown characters draw as blanks.
    void text(int x, int y, const std::string& s, Rgb c, int scale = 1);
    static int textWidth(const std::string& s, int scale = 1) { return static_cast<int>(s.size()) * 6 * scale; }

private:
    int m_w, m_h;
    std::vector<uint8_t> m_px;
};

/// A chart area inside a canvas mapping data coordinates to pixels, with axes and ticks.
class Chart {
public:
    Chart(Canvas& c, double x_min, double x_max, double y_min, double y_max, int left = 70, int right = 20, int top = 40,
          int bottom = 50);
    double px(double x) const;
    double py(double y) const;
    void axes(const std::string& x_label, const std::string& y_label, const std::string& title);
    void polyline(const std::vector<double>& x, const std::vector<double>& y, Rgb c, int thickness = 1);
    /// Fills between the curve and the bottom of the chart.
    void fillBelow(const std::vector<double>& x, const std::vector<double>& y, Rgb c);
    void marker(double x, double y, Rgb c, int radius = 2);
    void legend(const std::vector<std::pair<std::string, Rgb>>& entries);

private:
    Canvas& m_c;
    double m_x0, m_x1, m_y0, m_y1;
    int m_l, m_r, m_t, m_b;
};

/// Tick spacing of 1, 2 or 5 times a power of ten giving about @p target ticks over @p span.
double niceStep(double span, int target = 6);

}  // namespace phusong::plot
