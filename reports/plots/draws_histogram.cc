// A histogram of Monte Carlo draws (as a probability density) with intervals marked on it.
#include <algorithm>
#include <cmath>

#include "reports/plots/plots.h"

namespace keycomp::plots {
namespace {

constexpr double kFont = 8.5;

}  // namespace

Figure DrawsHistogram(const HistogramData& data) {
  // Bin the draws now, so the figure keeps only the counts. The range is the central 99.9 %
  // of the draws widened by the marks, so that a few extreme draws do not squash the shape.
  std::vector<double> sorted(data.draws.begin(), data.draws.end());
  std::erase_if(sorted, [](double v) { return !std::isfinite(v); });
  double lo = 0;
  double hi = 1;
  std::vector<double> density;
  if (!sorted.empty()) {
    const std::size_t m = sorted.size();
    const std::size_t a = static_cast<std::size_t>(0.0005 * static_cast<double>(m));
    const std::size_t b = m - 1 - a;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(a), sorted.end());
    lo = sorted[a];
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(b), sorted.end());
    hi = sorted[b];
    for (const HistogramMark& mark : data.marks) {
      if (std::isfinite(mark.interval.low)) lo = std::min(lo, mark.interval.low);
      if (std::isfinite(mark.interval.high)) hi = std::max(hi, mark.interval.high);
    }
    if (!(hi > lo)) hi = lo + 1;
    const double pad = (hi - lo) * 0.03;
    lo -= pad;
    hi += pad;
    const std::size_t bins = std::clamp<std::size_t>(
        static_cast<std::size_t>(2 * std::cbrt(static_cast<double>(m))), 10, 80);
    density.assign(bins, 0);
    const double width = (hi - lo) / static_cast<double>(bins);
    for (double v : sorted) {
      if (v < lo || v >= hi) continue;
      const auto k = std::min(bins - 1, static_cast<std::size_t>((v - lo) / width));
      density[k] += 1;
    }
    for (double& c : density) c /= static_cast<double>(m) * width;
  }

  Figure figure;
  figure.width = 460;
  figure.height = 280;
  figure.draw = [x_label = data.x_label, marks = data.marks, density, lo, hi](cairo_t* cr) {
    Canvas canvas(cr);
    std::vector<LegendItem> legend = {
        {LegendItem::Symbol::kBand, "draws", Color{0.34, 0.71, 0.91, 0.6}}};
    for (const HistogramMark& mark : marks) {
      legend.push_back({mark.dashed ? LegendItem::Symbol::kDashedLine : LegendItem::Symbol::kLine,
                        mark.label, mark.color});
    }
    double top_density = 0;
    for (double d : density) top_density = std::max(top_density, d);
    double ylo = 0;
    double yhi = top_density > 0 ? top_density * 1.05 : 1;
    ExpandToTicks(ylo, yhi, 5);
    double widest_tick = 0;
    const std::vector<double> ticks = NiceTicks(ylo, yhi, 5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    for (double t : ticks) widest_tick = std::max(widest_tick, canvas.TextWidth(TickLabel(t, step), kFont));
    const double left = 8 + 12 + 10 + widest_tick + 4;
    const double right = 450;
    const double legend_height = DrawLegend(canvas, left, 6, right - left, legend);
    const double top = 6 + legend_height + 8;
    const double bottom = 280 - 40;

    double xlo = lo;
    double xhi = hi;
    ExpandToTicks(xlo, xhi);
    const LinearScale x{xlo, xhi, left, right};
    const LinearScale y{ylo, yhi, bottom, top};
    DrawValueAxis(canvas, y, true, left, right, "probability density", kFont);
    DrawValueAxis(canvas, x, false, bottom, top, x_label, kFont);
    const double width = density.empty() ? 0 : (hi - lo) / static_cast<double>(density.size());
    for (std::size_t k = 0; k < density.size(); ++k) {
      const double x0 = x(lo + width * static_cast<double>(k));
      const double x1 = x(lo + width * static_cast<double>(k + 1));
      canvas.FillRect(x0, y(density[k]), x1 - x0, bottom - y(density[k]),
                      Color{0.34, 0.71, 0.91, 0.6});
    }
    for (const HistogramMark& mark : marks) {
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
