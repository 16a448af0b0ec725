// A histogram of Monte Carlo draws (as a probability density) with intervals marked on it.
#include <algorithm>
#include <cmath>

#include "reports/plots/plots.h"

namespace keycomp::plots {
namespace {

constexpr double kFont = 8.5;
const Color kBars{0.34, 0.71, 0.91, 0.6};

}  // namespace

Figure DrawsHistogram(const HistogramData& data) {
  Figure figure;
  figure.width = 460;
  figure.height = 280;
  figure.draw = [data](cairo_t* cr) {
    Canvas canvas(cr);
    const std::size_t bins = data.counts.size();
    const double width = bins > 0 ? (data.high - data.low) / static_cast<double>(bins) : 1;
    std::vector<double> density(bins, 0);
    for (std::size_t k = 0; k < bins; ++k) {
      if (data.total > 0 && width > 0) {
        density[k] = static_cast<double>(data.counts[k]) / (static_cast<double>(data.total) * width);
      }
    }
    std::vector<LegendItem> legend = {{LegendItem::Symbol::kBand, "draws", kBars}};
    for (const HistogramMark& mark : data.marks) {
      legend.push_back({mark.dashed ? LegendItem::Symbol::kDashedLine : LegendItem::Symbol::kLine,
                        mark.label, mark.color});
    }
    double ylo = 0;
    double yhi = 1;
    if (!density.empty()) yhi = *std::max_element(density.begin(), density.end()) * 1.05;
    if (!(yhi > 0)) yhi = 1;
    ExpandToTicks(ylo, yhi, 5);
    const std::vector<double> ticks = NiceTicks(ylo, yhi, 5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    double widest_tick = 0;
    for (double t : ticks) widest_tick = std::max(widest_tick, canvas.TextWidth(TickLabel(t, step), kFont));
    const double left = 8 + 12 + 10 + widest_tick + 4;
    const double right = 450;
    const double legend_height = DrawLegend(canvas, left, 6, right - left, legend);
    const double top = 6 + legend_height + 8;
    const double bottom = 280 - 40;

    double xlo = data.low;
    double xhi = data.high;
    for (const HistogramMark& mark : data.marks) {
      for (double v : {mark.interval.low, mark.interval.high}) {
        if (std::isfinite(v)) {
          xlo = std::min(xlo, v);
          xhi = std::max(xhi, v);
        }
      }
    }
    ExpandToTicks(xlo, xhi);
    const LinearScale x{xlo, xhi, left, right};
    const LinearScale y{ylo, yhi, bottom, top};
    DrawValueAxis(canvas, y, true, left, right, "probability density", kFont);
    DrawValueAxis(canvas, x, false, bottom, top, data.x_label, kFont);
    for (std::size_t k = 0; k < bins; ++k) {
      const double x0 = x(data.low + width * static_cast<double>(k));
      const double x1 = x(data.low + width * static_cast<double>(k + 1));
      canvas.FillRect(x0, y(density[k]), x1 - x0, bottom - y(density[k]), kBars);
    }
    for (const HistogramMark& mark : data.marks) {
      for (double v : {mark.interval.low, mark.interval.high}) {
        if (!std::isfinite(v)) continue;
        canvas.Line(x(v), top, x(v), bottom, mark.color, 1.3, mark.dashed);
        if (mark.interval.low == mark.interval.high) break;
      }
    }
  };
  return figure;
}

}  // namespace keycomp::plots
