// The pairwise DoE map: an n x n grid, cell (i, j) coloured by d_ij / U_ij on a diverging
// scale, with d_ij printed in it and cells where |d_ij| > U_ij outlined.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "reports/plots/plots.h"

namespace keycomp::plots {
namespace {

constexpr double kFont = 8;

// Blue (negative) - white - vermillion (positive), t in [-1, 1].
Color Diverging(double t) {
  t = std::clamp(t, -1.0, 1.0);
  const Color end = t < 0 ? palette::kBlue : palette::kVermillion;
  const double a = std::abs(t);
  return {1 + (end.r - 1) * a, 1 + (end.g - 1) * a, 1 + (end.b - 1) * a, 1};
}

}  // namespace

Figure PairwiseDoeMap(const PairwiseDoeData& data) {
  const std::size_t n = data.labels.size();
  const double cell = n == 0 ? 30 : std::min(30.0, 330.0 / static_cast<double>(n));
  Figure figure;
  figure.width = 460;
  figure.height = 70 + cell * static_cast<double>(n) + 40;
  figure.draw = [data, n, cell](cairo_t* cr) {
    Canvas canvas(cr);
    double widest = 0;
    for (const std::string& l : data.labels) widest = std::max(widest, canvas.TextWidth(l, kFont));
    const double grid = cell * static_cast<double>(n);
    const double colorbar = 60;
    const double left = std::max(10 + widest + 8, (460 - grid - colorbar) / 2);
    const double top = 16 + widest * 0.72 + 10;

    canvas.Text(left + grid / 2, 8, "row lab i minus column lab j", kFont, HAlign::kCenter,
                VAlign::kTop, palette::kGrey);
    for (std::size_t i = 0; i < n; ++i) {
      const double y = top + (static_cast<double>(i) + 0.5) * cell;
      canvas.Text(left - 6, y, data.labels[i], kFont, HAlign::kRight, VAlign::kMiddle);
      const double x = left + (static_cast<double>(i) + 0.5) * cell;
      canvas.Text(x - 2, top - 6, data.labels[i], kFont, HAlign::kLeft, VAlign::kMiddle,
                  palette::kInk, false, 45);
    }
    const bool print_values = cell >= 24;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        const double x = left + static_cast<double>(j) * cell;
        const double y = top + static_cast<double>(i) * cell;
        if (i == j) {
          canvas.FillRect(x, y, cell, cell, palette::kGrid);
          continue;
        }
        const double d = data.d[i * n + j];
        const double expanded = data.expanded[i * n + j];
        const double ratio = expanded > 0 ? d / expanded : NAN;
        canvas.FillRect(x, y, cell, cell,
                        std::isfinite(ratio) ? Diverging(ratio / 2) : palette::kWhite);
        if (std::isfinite(ratio) && std::abs(ratio) > 1) {
          canvas.StrokeRect(x + 1, y + 1, cell - 2, cell - 2, palette::kInk, 1.4);
        }
        if (print_values && std::isfinite(d)) {
          std::string text = fmt::format("{:.{}f}", d, std::max(data.decimals, 0));
          if (text[0] == '-') text = "\u2212" + text.substr(1);
          // Size from the number of characters (the minus sign is 3 bytes in UTF-8).
          const auto chars = static_cast<double>(std::count_if(
              text.begin(), text.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
          const double size = std::min(kFont - 1, cell / std::max(chars, 3.0) * 1.6);
          canvas.Text(x + cell / 2, y + cell / 2, text, size, HAlign::kCenter, VAlign::kMiddle,
                      std::abs(ratio) > 1.4 ? palette::kWhite : palette::kInk);
        }
      }
    }
    canvas.StrokeRect(left, top, grid, grid, palette::kInk, 0.8);

    // Colour bar: d_ij / U_ij from -2 to 2.
    const double bx = left + grid + 24;
    const double bw = 10;
    const double bh = std::max(grid, 80.0);
    constexpr int kSteps = 40;
    for (int s = 0; s < kSteps; ++s) {
      const double t = 1 - 2 * (s + 0.5) / kSteps;
      canvas.FillRect(bx, top + bh * s / kSteps, bw, bh / kSteps + 0.3, Diverging(t));
    }
    canvas.StrokeRect(bx, top, bw, bh, palette::kInk, 0.6);
    for (int v = -2; v <= 2; ++v) {
      const double y = top + bh * (2 - v) / 4.0;
      canvas.Line(bx + bw, y, bx + bw + 3, y, palette::kInk, 0.8);
      canvas.Text(bx + bw + 5, y, TickLabel(v, 1), kFont, HAlign::kLeft, VAlign::kMiddle);
    }
    canvas.Text(bx - 6, top + bh / 2, "d\u1d62\u2c7c / U\u1d62\u2c7c", kFont + 0.5,
                HAlign::kCenter, VAlign::kBottom, palette::kInk, false, 90);
    const std::string note =
        data.unit.empty()
            ? "cells: d\u1d62\u2c7c; outlined where |d\u1d62\u2c7c| > U\u1d62\u2c7c"
            : fmt::format("cells: d\u1d62\u2c7c in {}; outlined where |d\u1d62\u2c7c| > U\u1d62\u2c7c",
                          data.unit);
    canvas.Text(left + grid / 2, top + std::max(grid, bh) + 14, note, kFont, HAlign::kCenter,
                VAlign::kTop, palette::kGrey);
  };
  return figure;
}

}  // namespace keycomp::plots
