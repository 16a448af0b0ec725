// Small numerical helpers shared by the estimators: compensated sums, medians, weighted
// means of centred data.
#pragma once

#include <cmath>
#include <span>
#include <vector>

namespace keycomp {

/// Neumaier's compensated summation: the sum of many terms of mixed sign to about one ulp.
class CompensatedSum {
 public:
  void Add(double term) {
    const double t = sum_ + term;
    if (std::abs(sum_) >= std::abs(term)) {
      compensation_ += (sum_ - t) + term;
    } else {
      compensation_ += (term - t) + sum_;
    }
    sum_ = t;
  }
  double Total() const { return sum_ + compensation_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

/// Median of the values (the mean of the two middle ones for an even count). Empty -> NaN.
double Median(std::span<const double> values);

/// Median of |x_i - centre|.
double MedianAbsoluteDeviation(std::span<const double> values, double centre);

/// Weighted mean sum w_i x_i / sum w_i and the sum of weights, both with compensated sums.
struct WeightedMean {
  double mean = 0;
  double total_weight = 0;
};
WeightedMean ComputeWeightedMean(std::span<const double> x, std::span<const double> w);

/// sum w_i (x_i - m)^2 with a compensated sum.
double WeightedSquares(std::span<const double> x, std::span<const double> w, double m);

}  // namespace keycomp
