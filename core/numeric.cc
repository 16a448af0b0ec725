#include "core/numeric.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace keycomp {

double Median(std::span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v(values.begin(), values.end());
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return lower + 0.5 * (upper - lower);
}

double MedianAbsoluteDeviation(std::span<const double> values, double centre) {
  std::vector<double> dev(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) dev[i] = std::abs(values[i] - centre);
  return Median(dev);
}

WeightedMean ComputeWeightedMean(std::span<const double> x, std::span<const double> w) {
  CompensatedSum sw, swx;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sw.Add(w[i]);
    swx.Add(w[i] * x[i]);
  }
  WeightedMean out;
  out.total_weight = sw.Total();
  out.mean = swx.Total() / out.total_weight;
  // One refinement step: the residual mean removes the rounding of the first pass.
  CompensatedSum residual;
  for (std::size_t i = 0; i < x.size(); ++i) residual.Add(w[i] * (x[i] - out.mean));
  out.mean += residual.Total() / out.total_weight;
  return out;
}

double WeightedSquares(std::span<const double> x, std::span<const double> w, double m) {
  CompensatedSum s;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = x[i] - m;
    s.Add(w[i] * d * d);
  }
  return s.Total();
}

}  // namespace keycomp
