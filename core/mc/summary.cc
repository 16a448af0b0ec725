#include "core/mc/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

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

namespace {

/// Sorts finite doubles ascending with an LSD radix sort on their bit patterns (sign flipped so
/// that unsigned order is numeric order): six passes of 11 bits, several times faster than a
/// comparison sort for the 10^5-10^6 values of a Monte Carlo tail.
void RadixSort(std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 4096) {
    std::sort(values.begin(), values.end());
    return;
  }
  constexpr int kBits = 11;
  constexpr int kPasses = 6;  // 66 >= 64 bits
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  std::vector<std::uint64_t> keys(n), scratch(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    keys[i] = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
  }
  std::vector<std::size_t> counts(kBuckets);
  for (int pass = 0; pass < kPasses; ++pass) {
    const int shift = pass * kBits;
    std::fill(counts.begin(), counts.end(), 0);
    for (std::uint64_t k : keys) ++counts[(k >> shift) & (kBuckets - 1)];
    if (counts[(keys[0] >> shift) & (kBuckets - 1)] == n) continue;  // digit all equal
    std::size_t total = 0;
    for (std::size_t& c : counts) {
      const std::size_t here = c;
      c = total;
      total += here;
    }
    for (std::uint64_t k : keys) scratch[counts[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(scratch);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = keys[i];
    const std::uint64_t bits = (k >> 63) ? k & ~(std::uint64_t{1} << 63) : ~k;
    std::memcpy(&values[i], &bits, sizeof bits);
  }
}

/// The `tail` smallest and the `tail` largest values, each sorted ascending. Fast path: guess
/// thresholds from a strided subsample (its quantiles widened by 6 binomial standard errors),
/// gather the values beyond them in one pass and order only those; when a guess falls short
/// (possible only with extreme ties or pathological orderings), two nth_element calls on a
/// copy do the job.
void OrderedTails(std::span<double> values, std::size_t tail, bool parallel,
                  std::vector<double>& lower, std::vector<double>& upper) {
  const std::size_t m = values.size();
  auto finish = [&](std::vector<double>& v, bool smallest) {
    auto nth = v.begin() + static_cast<std::ptrdiff_t>(smallest ? tail : v.size() - tail);
    if (smallest) {
      std::nth_element(v.begin(), nth, v.end());
      v.resize(tail);
    } else {
      std::nth_element(v.begin(), nth, v.end());
      v.erase(v.begin(), nth);
    }
    RadixSort(v);
  };
  const std::size_t sample_size = std::min<std::size_t>(m, 1 << 17);
  if (m >= 2 * sample_size) {
    const std::size_t stride = m / sample_size;
    std::vector<double> sample(sample_size);
    for (std::size_t i = 0; i < sample_size; ++i) sample[i] = values[i * stride];
    std::sort(sample.begin(), sample.end());
    const double f = static_cast<double>(tail) / static_cast<double>(m);
    const double margin = 6 * std::sqrt(f * (1 - f) / static_cast<double>(sample_size)) + 2.0 / static_cast<double>(sample_size);
    const auto rank = [&](double fraction) {
      const double r = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(sample_size - 1);
      return sample[static_cast<std::size_t>(r)];
    };
    const double low_threshold = rank(f + margin);
    const double high_threshold = rank(1 - f - margin);
    if (low_threshold < high_threshold) {
      lower.clear();
      upper.clear();
      const std::size_t expected = static_cast<std::size_t>((f + 2 * margin) * static_cast<double>(m)) + 16;
      lower.reserve(expected);
      upper.reserve(expected);
      for (double v : values) {
        if (v <= low_threshold) {
          lower.push_back(v);
        } else if (v >= high_threshold) {
          upper.push_back(v);
        }
      }
      if (lower.size() >= tail && upper.size() >= tail) {
        if (parallel) {
          std::thread worker([&] { finish(upper, false); });
          finish(lower, true);
          worker.join();
        } else {
          finish(lower, true);
          finish(upper, false);
        }
        return;
      }
    }
  }
  lower.assign(values.begin(), values.end());
  upper = lower;
  finish(lower, true);
  finish(upper, false);
}

}  // namespace

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
  // 1-based order statistics y_(r): r <= tail from the lower tail, r > q from the upper one.
  std::vector<double> lower, upper;
  const bool full_sort = 2 * tail >= m || m < 4;
  if (full_sort) {
    std::sort(values.begin(), values.end());
  } else {
    OrderedTails(values, tail, parallel, lower, upper);
  }
  auto y = [&](std::size_t r) {
    if (full_sort) return values[r - 1];
    return r <= tail ? lower[r - 1] : upper[r - q - 1];
  };
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
