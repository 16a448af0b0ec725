// The report's plots. Each takes a plain data struct holding numbers that the analysis already
// computed (reports never recompute), so the same struct can be filled from any source: the
// report builder fills them from core::Analysis, the tests from hand-made data.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reports/plots/canvas.h"

namespace keycomp::plots {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// An interval [low, high].
struct Span {
  double low = kNaN;
  double high = kNaN;
};

/// One lab in a lab-by-lab plot: a value with an inner bar and an optional outer bar.
struct LabPoint {
  std::string label;
  double value = kNaN;
  Span inner;                 ///< e.g. x_i -/+ U_i
  std::optional<Span> outer;  ///< e.g. x_i -/+ k sqrt(u_i^2 + tau^2)
  bool included = true;       ///< drawn filled when included, open when excluded
};

/// Values of the labs in input order against a reference line and band: the results plot
/// (x_i, KCRV) and the KCDB-style DoE plot (D_i, zero).
struct LabIntervalsData {
  std::string y_label;  ///< with the unit, e.g. "w(PCB 28) / (ng/g)"
  std::string point_label = "xᵢ";  ///< legend text of the marker
  std::vector<LabPoint> labs;
  double reference = kNaN;  ///< horizontal line (KCRV, or 0 for DoE); NaN: none
  std::optional<Span> band;  ///< shaded band, e.g. the KCRV's coverage interval
  std::string reference_label;
  std::string band_label;
  std::string inner_label;  ///< legend text of the inner bar
  std::string outer_label;  ///< legend text of the outer bar (when any lab has one)
};
Figure LabIntervalsPlot(const LabIntervalsData& data);

/// One row of an interval panel: an estimate with its interval; value NaN draws `note` instead.
struct IntervalRow {
  std::string label;
  double value = kNaN;
  Span interval;
  bool highlight = false;  ///< the report's own estimate
  std::string text;        ///< shown at the right, e.g. "33.60 [32.14, 35.06]"
};

/// Estimates side by side, one row each: the estimator-comparison panel and the leave-one-out
/// sensitivity plot.
struct IntervalPanelData {
  std::string x_label;
  std::vector<IntervalRow> rows;
  std::string interval_label = "coverage interval";  ///< legend text of the bars
  double reference = kNaN;   ///< vertical line (the report's KCRV)
  std::optional<Span> band;  ///< shaded band about it
  std::string reference_label;
};
Figure IntervalPanel(const IntervalPanelData& data);

/// Pairwise degrees of equivalence d_ij = x_i - x_j with expanded uncertainties U_ij
/// (row-major n x n; the diagonal is ignored).
struct PairwiseDoeData {
  std::vector<std::string> labels;
  std::vector<double> d;
  std::vector<double> expanded;
  std::string unit;
  int decimals = 2;  ///< decimals of the d_ij printed in the cells
};
Figure PairwiseDoeMap(const PairwiseDoeData& data);

/// A vertical line or interval marked on a histogram.
struct HistogramMark {
  std::string label;
  Span interval;  ///< low == high draws one line
  Color color = palette::kVermillion;
  bool dashed = false;
};

/// A histogram of Monte Carlo draws (of the KCRV, say), binned by the analysis, with
/// intervals marked; drawn as a probability density.
struct HistogramData {
  std::string x_label;
  double low = 0;   ///< left edge of the first bin
  double high = 1;  ///< right edge of the last bin
  std::vector<std::size_t> counts;
  std::size_t total = 0;  ///< number of draws (including any outside [low, high])
  std::vector<HistogramMark> marks;
};
Figure DrawsHistogram(const HistogramData& data);

}  // namespace keycomp::plots
