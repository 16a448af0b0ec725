#include "core/mc/summary.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace keycomp::mc {

Moments Moments::Of(std::span<const double> values) {
  Moments m;
  m.count = values.size();
  if (values.empty()) return m;
  double sum = 0;
  for (double v : values) sum += v;
  m.mean = sum / static_cast<double>(values.size());
  // Second pass about the first-pass mean, with the usual correction for its rounding.
  double deviation = 0, squares = 0;
  for (double v : values) {
    const double d = v - m.mean;
    deviation += d;
    squares += d * d;
  }
  m.mean += deviation / static_cast<double>(values.size());
  m.m2 = squares - deviation * deviation / static_cast<double>(values.size());
  if (m.m2 < 0) m.m2 = 0;
  return m;
}

void Moments::Merge(const Moments& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double n_a = static_cast<double>(count);
  const double n_b = static_cast<double>(other.count);
  const double n = n_a + n_b;
  const double delta = other.mean - mean;
  mean += delta * n_b / n;
  m2 += other.m2 + delta * delta * n_a * n_b / n;
  count += other.count;
}

double Moments::Variance() const {
  return count > 1 ? m2 / static_cast<double>(count - 1) : 0.0;
}

double Moments::StandardDeviation() const { return std::sqrt(Variance()); }

CoverageIntervals ComputeCoverageIntervals(std::span<double> values, double coverage,
                                           bool parallel) {
  CoverageIntervals out;
  out.coverage = coverage;
  const std::size_t m = values.size();
  if (m == 0) return out;
  // JCGM 101 7.7.1: q = pM when an integer, else the integer part of pM + 1/2.
  const double pm = coverage * static_cast<double>(m);
  std::size_t q = pm == std::floor(pm) ? static_cast<std::size_t>(pm)
                                       : static_cast<std::size_t>(std::floor(pm + 0.5));
  q = std::clamp<std::size_t>(q, 1, m > 1 ? m - 1 : 1);
  const std::size_t tail = m - q;  // values needed in order at each end
  auto first = values.begin();
  if (2 * tail >= m || m < 4) {
    std::sort(first, values.end());
  } else {
    std::nth_element(first, first + tail, values.end());
    auto upper = [&] {
      std::nth_element(first + tail, first + q, values.end());
      std::sort(first + q, values.end());
    };
    if (parallel) {
      std::thread worker(upper);
      std::sort(first, first + tail);
      worker.join();
    } else {
      std::sort(first, first + tail);
      upper();
    }
  }
  // 1-based order statistics y_(r) = values[r - 1].
  auto y = [&](std::size_t r) { return values[r - 1]; };
  // Symmetric: r = (M - q)/2 when an integer, else the integer part of (M - q + 1)/2.
  const std::size_t r_sym = std::max<std::size_t>(1, tail % 2 == 0 ? tail / 2 : (tail + 1) / 2);
  out.symmetric_low = y(r_sym);
  out.symmetric_high = y(std::min(r_sym + q, m));
  std::size_t best = 1;
  double best_width = y(1 + q) - y(1);
  for (std::size_t r = 2; r <= tail; ++r) {
    const double width = y(r + q) - y(r);
    if (width < best_width) {
      best_width = width;
      best = r;
    }
  }
  out.shortest_low = y(best);
  out.shortest_high = y(best + q);
  out.minimum = y(1);
  out.maximum = y(m);
  // Plot range: the 0.05 % and 99.95 % order statistics when they lie in the sorted tails.
  const std::size_t k = static_cast<std::size_t>(0.0005 * static_cast<double>(m));
  out.plot_low = y(std::min(k + 1, tail));
  out.plot_high = y(std::max(m - k, q + 1));
  return out;
}

Histogram MakeHistogram(std::span<const double> values, double low, double high,
                        std::size_t bins) {
  Histogram h;
  h.low = low;
  h.high = high;
  h.counts.assign(std::max<std::size_t>(bins, 1), 0);
  const std::size_t nb = h.counts.size();
  const double width = high - low;
  if (!(width > 0)) {
    // Degenerate output (a constant model): one bin holding everything.
    h.counts[0] = values.size();
    return h;
  }
  const double scale = static_cast<double>(nb) / width;
  for (double v : values) {
    if (v < low) {
      ++h.below;
    } else if (v > high) {
      ++h.above;
    } else {
      const auto bin = std::min(static_cast<std::size_t>((v - low) * scale), nb - 1);
      ++h.counts[bin];
    }
  }
  return h;
}

double NumericalTolerance(double u, int digits) {
  if (!(u > 0) || !std::isfinite(u)) return 0;
  int l = static_cast<int>(std::floor(std::log10(u))) - (digits - 1);
  const double c = std::round(u / std::pow(10.0, l));
  if (c >= std::pow(10.0, digits)) ++l;  // rounding carried into one more digit
  return 0.5 * std::pow(10.0, l);
}

}  // namespace keycomp::mc
