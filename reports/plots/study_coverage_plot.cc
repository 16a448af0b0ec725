// `keycomp study --plot`: coverage of the KCRV interval against tau/u, one panel per number of
// labs, one line per estimator (solid: the first outlier setting of the grid; dashed: the
// second, when there is one). Other grid axes are taken at their first value.
#include <algorithm>
#include <cmath>

#include "reports/plots/plots.h"
#include "reports/study_output.h"

namespace keycomp {
namespace {

using plots::Canvas;
using plots::Color;
using plots::LegendItem;
using plots::LinearScale;

constexpr double kFont = 8;

const Color kColors[] = {
    {0.000, 0.447, 0.698}, {0.902, 0.624, 0.000}, {0.835, 0.369, 0.000}, {0.000, 0.620, 0.451},
    {0.337, 0.706, 0.914}, {0.800, 0.475, 0.655}, {0.10, 0.10, 0.10},    {0.55, 0.55, 0.55},
    {0.60, 0.40, 0.20},    {0.40, 0.20, 0.60},    {0.80, 0.80, 0.20},    {0.20, 0.50, 0.20},
};

}  // namespace

plots::Figure StudyCoveragePlot(const StudyOptions& spec,
                                const std::vector<std::vector<StudyTally>>& totals) {
  const std::vector<StudyScenario> scenarios = spec.Scenarios();
  plots::Figure figure;
  const std::size_t panels = std::max<std::size_t>(1, spec.n.size());
  figure.width = 470;
  figure.height = 300;
  figure.draw = [spec, scenarios, totals, panels](cairo_t* cr) {
    Canvas canvas(cr);
    std::vector<LegendItem> legend;
    for (std::size_t e = 0; e < spec.estimators.size(); ++e) {
      legend.push_back({LegendItem::Symbol::kLine, spec.estimators[e].label,
                        kColors[e % std::size(kColors)]});
    }
    if (spec.outliers.size() > 1) {
      legend.push_back({LegendItem::Symbol::kDashedLine,
                        std::to_string(spec.outliers[1].count) + " outlier(s)", plots::palette::kInk});
    }
    legend.push_back({LegendItem::Symbol::kDashedLine, "nominal", plots::palette::kGrey});
    const double legend_height = DrawLegend(canvas, 40, 6, 420, legend);
    const double top = 6 + legend_height + 18;
    const double bottom = 300 - 36;
    double tmax = 0;
    for (double t : spec.tau_over_u) tmax = std::max(tmax, t);
    double tlo = 0, thi = tmax > 0 ? tmax : 1;
    double ylo = 1;
    for (const auto& row : totals) {
      for (const StudyTally& t : row) {
        const double c = ComputeStudyMetrics(t).coverage;
        if (std::isfinite(c)) ylo = std::min(ylo, c);
      }
    }
    ylo = std::floor(std::min(ylo, spec.coverage - 0.05) * 10) / 10;
    const double yhi = 1;
    const double gap = 34;
    const double left0 = 40, right0 = 462;
    const double width = (right0 - left0 - gap * static_cast<double>(panels - 1)) /
                         static_cast<double>(panels);
    for (std::size_t p = 0; p < spec.n.size(); ++p) {
      const double left = left0 + static_cast<double>(p) * (width + gap);
      const LinearScale x{tlo, thi, left, left + width};
      const LinearScale y{ylo, yhi, bottom, top};
      plots::DrawValueAxis(canvas, y, true, left, left + width, p == 0 ? "coverage" : "", kFont);
      plots::DrawValueAxis(canvas, x, false, bottom, top, "τ / u", kFont);
      canvas.Text(left + width / 2, top - 4, "n = " + std::to_string(spec.n[p]), kFont + 1,
                  plots::HAlign::kCenter, plots::VAlign::kBaseline, plots::palette::kInk, true);
      canvas.Line(left, y(spec.coverage), left + width, y(spec.coverage), plots::palette::kGrey, 1,
                  true);
      for (std::size_t o = 0; o < std::min<std::size_t>(2, spec.outliers.size()); ++o) {
        for (std::size_t e = 0; e < spec.estimators.size(); ++e) {
          const Color color = kColors[e % std::size(kColors)];
          double px = 0, py = 0;
          bool have = false;
          for (std::size_t s = 0; s < scenarios.size(); ++s) {
            const StudyScenario& sc = scenarios[s];
            if (sc.n != spec.n[p] || sc.u_ratio != spec.u_ratio[0] || sc.dof != spec.dof[0] ||
                sc.correlation != spec.correlation[0] ||
                sc.outliers.count != spec.outliers[o].count ||
                sc.outliers.shift != spec.outliers[o].shift ||
                sc.outliers.u_factor != spec.outliers[o].u_factor) {
              continue;
            }
            const double c = ComputeStudyMetrics(totals[s][e]).coverage;
            if (!std::isfinite(c)) continue;
            const double qx = x(sc.tau_over_u), qy = y(c);
            if (have) canvas.Line(px, py, qx, qy, color, 1.2, o == 1);
            canvas.Circle(qx, qy, 1.8, color, o == 0);
            px = qx, py = qy, have = true;
          }
        }
      }
    }
  };
  return figure;
}

}  // namespace keycomp
