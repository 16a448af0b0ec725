// Summaries of Monte Carlo output values (JCGM 101 section 7.6-7.7): mean and standard
// deviation, probabilistically symmetric and shortest coverage intervals, histogram, and the
// numerical tolerance of a standard uncertainty (JCGM 101 7.9.2).
//
// Coverage intervals need order statistics, not a full sort: with q = round(p M) the
// symmetric interval is [y_(r), y_(r+q)], r = round((M - q)/2), and the shortest is the
// shortest [y_(r), y_(r+q)], r = 1..M-q; both only read the M - q smallest and the M - q
// largest values. Thresholds guessed from a strided subsample gather each tail (plus a safety
// margin) in one pass; nth_element trims the gathered values to the tail and only the tails are
// sorted (with a fallback to nth_element on all values if a guess falls short).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace keycomp::mc {

/// Count, mean and sum of squared deviations of a set of values; sets merge exactly in a fixed
/// order (Chan, Golub & LeVeque 1979), so that per-block moments combined in block order give
/// the same numbers for any number of threads.
struct Moments {
  std::size_t count = 0;
  double mean = 0;
  double m2 = 0;  ///< sum of (x - mean)^2

  /// Two-pass moments of the values.
  static Moments Of(std::span<const double> values);
  void Merge(const Moments& other);
  /// Sample variance m2 / (count - 1) (JCGM 101 7.6 uses M - 1).
  double Variance() const;
  double StandardDeviation() const;
};

struct CoverageIntervals {
  double coverage = 0;
  double symmetric_low = 0;   ///< quantile (1 - p)/2
  double symmetric_high = 0;  ///< quantile (1 + p)/2
  double shortest_low = 0;
  double shortest_high = 0;
  double minimum = 0;
  double maximum = 0;
  double plot_low = 0;   ///< the 0.05 % quantile (or the minimum): histogram range
  double plot_high = 0;  ///< the 99.95 % quantile (or the maximum)
};

/// Coverage intervals of finite values; may reorder `values`. Uses up to 2 threads (the two
/// tails are sorted concurrently) when `parallel`.
CoverageIntervals ComputeCoverageIntervals(std::span<double> values, double coverage,
                                           bool parallel = true);

struct Histogram {
  double low = 0;   ///< left edge of the first bin
  double high = 0;  ///< right edge of the last bin
  std::vector<std::size_t> counts;
  std::size_t below = 0;  ///< values < low
  std::size_t above = 0;  ///< values > high
};

/// Equal-width histogram of the values on [low, high].
Histogram MakeHistogram(std::span<const double> values, double low, double high,
                        std::size_t bins);

/// JCGM 101 7.9.2: write u with `digits` significant digits as c x 10^l (c an integer of
/// `digits` digits); the numerical tolerance is 10^l / 2. E.g. u = 0.0539, 2 digits: 0.054 =
/// 54 x 10^-3, tolerance 0.0005.
double NumericalTolerance(double u, int digits);

}  // namespace keycomp::mc
