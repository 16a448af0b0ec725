// Estimates side by side, one row each (a forest plot): the estimator-comparison panel and the
// leave-one-out sensitivity plot.
#include <algorithm>
#include <cmath>

#include "reports/plots/plots.h"

namespace keycomp::plots {
namespace {

bool Finite(double x) { return std::isfinite(x); }

constexpr double kFont = 8.5;
constexpr double kRow = 19;
constexpr double kWidth = 460;

}  // namespace

Figure IntervalPanel(const IntervalPanelData& data) {
  const std::size_t n = std::max<std::size_t>(data.rows.size(), 1);
  Figure figure;
  figure.width = kWidth;
  figure.height = 36 + kRow * static_cast<double>(n) + 44;
  const double height = figure.height;
  figure.draw = [data, height](cairo_t* cr) {
    Canvas canvas(cr);
    double lo = INFINITY;
    double hi = -INFINITY;
    auto take = [&](double v) {
      if (Finite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    };
    take(data.reference);
    if (data.band) {
      take(data.band->low);
      take(data.band->high);
    }
    for (const IntervalRow& row : data.rows) {
      take(row.value);
      take(row.interval.low);
      take(row.interval.high);
    }
    if (!Finite(lo)) {
      lo = 0;
      hi = 1;
    }
    const double pad = (hi - lo) * 0.04;
    lo -= pad;
    hi += pad;
    ExpandToTicks(lo, hi);

    double widest_label = 0;
    double widest_text = 0;
    for (const IntervalRow& row : data.rows) {
      widest_label = std::max(widest_label, canvas.TextWidth(row.label, kFont, row.highlight));
      widest_text = std::max(widest_text, canvas.TextWidth(row.text, kFont - 0.5));
    }
    const double left = 10 + widest_label + 10;
    const double right = kWidth - 10 - widest_text - (widest_text > 0 ? 10 : 0);
    const double bottom = height - 44;

    std::vector<LegendItem> legend = {
        {LegendItem::Symbol::kFilledMarker, "estimate", palette::kBlue},
        {LegendItem::Symbol::kBar, data.interval_label, palette::kInk}};
    if (Finite(data.reference) && !data.reference_label.empty()) {
      legend.push_back({LegendItem::Symbol::kDashedLine, data.reference_label, palette::kGreen});
    }
    // One legend row fits when it may use the whole width; the rows start below it.
    DrawLegend(canvas, 10, 8, kWidth - 20, legend);
    const double top = 36;

    const LinearScale x{lo, hi, left, right};
    DrawValueAxis(canvas, x, false, bottom, top, data.x_label, kFont);
    if (data.band && Finite(data.band->low) && Finite(data.band->high)) {
      canvas.FillRect(x(data.band->low), top, x(data.band->high) - x(data.band->low), bottom - top,
                      palette::kBand);
    }
    if (Finite(data.reference)) {
      canvas.Line(x(data.reference), top, x(data.reference), bottom, palette::kGreen, 1.2, true);
    }
    for (std::size_t i = 0; i < data.rows.size(); ++i) {
      const IntervalRow& row = data.rows[i];
      const double y = top + (static_cast<double>(i) + 0.5) * kRow;
      if (row.highlight) {
        canvas.FillRect(4, y - kRow / 2, kWidth - 8, kRow, Color{0.9, 0.6, 0.0, 0.12});
      }
      canvas.Text(left - 8, y, row.label, kFont, HAlign::kRight, VAlign::kMiddle, palette::kInk,
                  row.highlight);
      canvas.Text(kWidth - 10, y, row.text, kFont - 0.5, HAlign::kRight, VAlign::kMiddle,
                  Finite(row.value) ? palette::kInk : palette::kVermillion);
      if (!Finite(row.value)) continue;
      if (Finite(row.interval.low) && Finite(row.interval.high)) {
        canvas.Line(x(row.interval.low), y, x(row.interval.high), y, palette::kInk, 1.4);
        canvas.Line(x(row.interval.low), y - 3.5, x(row.interval.low), y + 3.5, palette::kInk, 1.2);
        canvas.Line(x(row.interval.high), y - 3.5, x(row.interval.high), y + 3.5, palette::kInk,
                    1.2);
      }
      canvas.Circle(x(row.value), y, 3.4, row.highlight ? palette::kOrange : palette::kBlue, true);
    }
  };
  return figure;
}

}  // namespace keycomp::plots
