// The results plot and the KCDB-style DoE plot: labs in input order along x, each value with
// its bars, against a reference line and band.
#include <algorithm>
#include <cmath>

#include "reports/plots/plots.h"

namespace keycomp::plots {
namespace {

bool Finite(double x) { return std::isfinite(x); }

// The value range shown: everything about the included labs and the reference, and the
// excluded labs as long as they do not squeeze the rest (a result excluded because it is far
// off would otherwise flatten every other bar); those are drawn off-scale with an arrow.
Span ValueRange(const LabIntervalsData& data) {
  double lo = INFINITY;
  double hi = -INFINITY;
  auto take = [&](double v) {
    if (Finite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  auto take_lab = [&](const LabPoint& lab) {
    take(lab.value);
    take(lab.inner.low);
    take(lab.inner.high);
    if (lab.outer) {
      take(lab.outer->low);
      take(lab.outer->high);
    }
  };
  take(data.reference);
  if (data.band) {
    take(data.band->low);
    take(data.band->high);
  }
  for (const LabPoint& lab : data.labs) {
    if (lab.included) take_lab(lab);
  }
  if (!Finite(lo)) {
    for (const LabPoint& lab : data.labs) take_lab(lab);
  }
  if (!Finite(lo)) return {0, 1};
  const double span = std::max(hi - lo, std::abs(hi) * 1e-9 + 1e-300);
  const double allowed_lo = lo - span;
  const double allowed_hi = hi + span;
  auto allowed = [&](double v) { return Finite(v) && v >= allowed_lo && v <= allowed_hi; };
  for (const LabPoint& lab : data.labs) {
    if (lab.included || !allowed(lab.value)) continue;  // far off: an arrow at the edge
    take(lab.value);
    if (allowed(lab.inner.low) && allowed(lab.inner.high)) {
      take(lab.inner.low);
      take(lab.inner.high);
    }
  }
  const double pad = (hi - lo) * 0.04;
  lo -= pad;
  hi += pad;
  ExpandToTicks(lo, hi);
  return {lo, hi};
}

}  // namespace

Figure LabIntervalsPlot(const LabIntervalsData& data) {
  Figure figure;
  figure.width = 460;
  figure.height = 310;
  figure.draw = [data](cairo_t* cr) {
    Canvas canvas(cr);
    const double width = 460;
    const double height = 310;
    constexpr double kFont = 8.5;

    // Legend.
    std::vector<LegendItem> legend;
    const bool any_excluded =
        std::any_of(data.labs.begin(), data.labs.end(), [](const LabPoint& l) { return !l.included; });
    const bool any_outer =
        std::any_of(data.labs.begin(), data.labs.end(), [](const LabPoint& l) { return l.outer.has_value(); });
    legend.push_back({LegendItem::Symbol::kFilledMarker,
                      any_excluded ? data.point_label + ", in the KCRV" : data.point_label,
                      palette::kBlue});
    if (any_excluded) {
      legend.push_back({LegendItem::Symbol::kOpenMarker, data.point_label + ", excluded",
                        palette::kVermillion});
    }
    if (!data.inner_label.empty()) {
      legend.push_back({LegendItem::Symbol::kBar, data.inner_label, palette::kInk});
    }
    if (any_outer && !data.outer_label.empty()) {
      legend.push_back({LegendItem::Symbol::kWideBar, data.outer_label,
                        Color{palette::kSky.r, palette::kSky.g, palette::kSky.b, 0.45}});
    }
    if (Finite(data.reference) && !data.reference_label.empty()) {
      legend.push_back({LegendItem::Symbol::kLine, data.reference_label, palette::kGreen});
    }
    if (data.band && !data.band_label.empty()) {
      legend.push_back({LegendItem::Symbol::kBand, data.band_label, palette::kBand});
    }

    const Span range = ValueRange(data);
    const std::vector<double> ticks = NiceTicks(range.low, range.high);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    double widest_tick = 0;
    for (double t : ticks) widest_tick = std::max(widest_tick, canvas.TextWidth(TickLabel(t, step), kFont));

    const double left = 8 + 12 + 10 + widest_tick + 4;
    const double right = width - 10;
    const double legend_height = DrawLegend(canvas, left, 6, right - left, legend, false);
    const double top = 6 + legend_height + 8;

    // Lab labels: horizontal when they fit their slot, else at 45 degrees.
    const std::size_t n = std::max<std::size_t>(data.labs.size(), 1);
    const double slot = (right - left) / static_cast<double>(n);
    double widest_label = 0;
    for (const LabPoint& lab : data.labs) {
      widest_label = std::max(widest_label, canvas.TextWidth(lab.label, kFont));
    }
    const bool slanted = widest_label > slot - 4;
    const double label_depth = slanted ? widest_label * 0.72 + kFont : kFont + 2;
    const double bottom = height - 8 - label_depth;

    DrawLegend(canvas, left, 6, right - left, legend, true);
    const LinearScale y{range.low, range.high, bottom, top};
    DrawValueAxis(canvas, y, true, left, right, data.y_label, kFont);
    canvas.Line(left, bottom, right, bottom, palette::kInk, 0.8);

    cairo_save(cr);
    cairo_rectangle(cr, left, top, right - left, bottom - top);
    cairo_clip(cr);
    if (data.band && Finite(data.band->low) && Finite(data.band->high)) {
      canvas.FillRect(left, y(data.band->high), right - left, y(data.band->low) - y(data.band->high),
                      palette::kBand);
    }
    if (Finite(data.reference)) {
      canvas.Line(left, y(data.reference), right, y(data.reference), palette::kGreen, 1.4);
    }
    for (std::size_t i = 0; i < data.labs.size(); ++i) {
      const LabPoint& lab = data.labs[i];
      const double x = left + (static_cast<double>(i) + 0.5) * slot;
      const double bar = std::min(slot * 0.28, 7.0);
      if (lab.outer && Finite(lab.outer->low) && Finite(lab.outer->high)) {
        canvas.FillRect(x - bar, y(lab.outer->high), 2 * bar, y(lab.outer->low) - y(lab.outer->high),
                        Color{palette::kSky.r, palette::kSky.g, palette::kSky.b, 0.45});
      }
      if (Finite(lab.inner.low) && Finite(lab.inner.high)) {
        const Color ink = lab.included ? palette::kInk : palette::kVermillion;
        canvas.Line(x, y(lab.inner.low), x, y(lab.inner.high), ink, 1.4);
        canvas.Line(x - bar * 0.6, y(lab.inner.low), x + bar * 0.6, y(lab.inner.low), ink, 1.2);
        canvas.Line(x - bar * 0.6, y(lab.inner.high), x + bar * 0.6, y(lab.inner.high), ink, 1.2);
      }
      if (Finite(lab.value)) {
        if (lab.included) {
          canvas.Circle(x, y(lab.value), 3.4, palette::kBlue, true);
        } else {
          canvas.Diamond(x, y(lab.value), 3.4, palette::kVermillion, false);
        }
      }
    }
    cairo_restore(cr);

    // Off-scale values: an arrow at the edge with the value beside it.
    for (std::size_t i = 0; i < data.labs.size(); ++i) {
      const LabPoint& lab = data.labs[i];
      if (!Finite(lab.value) || (lab.value >= range.low && lab.value <= range.high)) continue;
      const double x = left + (static_cast<double>(i) + 0.5) * slot;
      const bool up = lab.value > range.high;
      const double edge = up ? top + 7 : bottom - 7;
      canvas.Arrow(x, edge, up, 6, palette::kVermillion);
      canvas.Text(x + 5, up ? top + 4 : bottom - 4, TickLabel(lab.value, step / 10), kFont - 0.5,
                  HAlign::kLeft, up ? VAlign::kTop : VAlign::kBottom, palette::kVermillion);
    }

    for (std::size_t i = 0; i < data.labs.size(); ++i) {
      const LabPoint& lab = data.labs[i];
      const double x = left + (static_cast<double>(i) + 0.5) * slot;
      canvas.Line(x, bottom, x, bottom + 3, palette::kInk, 0.8);
      const Color ink = lab.included ? palette::kInk : palette::kVermillion;
      if (slanted) {
        canvas.Text(x + 2, bottom + 6, lab.label, kFont, HAlign::kRight, VAlign::kMiddle, ink,
                    false, 45);
      } else {
        canvas.Text(x, bottom + 5, lab.label, kFont, HAlign::kCenter, VAlign::kTop, ink);
      }
    }
  };
  return figure;
}

}  // namespace keycomp::plots
