#include "estimators/power_moderated_mean.h"

#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

// sum (x_i - x_s)^2/(u_i^2 + s2) - (N - 1): decreasing in s2 (Rukhin, Biggerstaff, Vangel,
// J. Stat. Plan. Inference 83 (2000) 319), so its root is unique.
double MandelPauleExcess(const LabSample& sample, double s2) {
  const std::size_t n = sample.size();
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = 1 / (sample.u[i] * sample.u[i] + s2);
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  return WeightedSquares(sample.x, w, wm.mean) - static_cast<double>(n - 1);
}

}  // namespace

EstimatorResult EstimatePowerModeratedMean(const LabSample& sample,
                                           const EstimatorOptions& options) {
  const std::size_t n = sample.size();
  const double dn = static_cast<double>(n);
  SettingsReader settings(kPowerModeratedMeanInfo.name, options.settings);
  const double alpha = settings.Number("alpha", 0, 2, 2 - 3 / dn);
  settings.RejectUnknown();

  EstimatorResult r;
  r.u_kind = "pmm";

  // Step 1: s^2 from the Mandel-Paule condition.
  double s2 = 0;
  if (MandelPauleExcess(sample, 0) > 0) {
    CompensatedSum sum;
    for (double x : sample.x) sum.Add(x);
    const double mean = sum.Total() / dn;
    CompensatedSum squares;
    for (double x : sample.x) squares.Add((x - mean) * (x - mean));
    double high = std::max(squares.Total() / (dn - 1), 1e-300);
    int doublings = 0;
    while (MandelPauleExcess(sample, high) > 0 && doublings < 2000) {
      high *= 2;
      ++doublings;
    }
    std::uintmax_t max_iterations = 300;
    const auto f = [&](double t) { return MandelPauleExcess(sample, t); };
    const auto bracket = boost::math::tools::toms748_solve(
        f, 0.0, high,
        boost::math::tools::eps_tolerance<double>(std::numeric_limits<double>::digits - 1),
        max_iterations);
    r.iterations = static_cast<int>(max_iterations);
    if (max_iterations >= 300 || !std::isfinite(bracket.first)) {
      r.status = Status::kNotConverged;
      r.message = "the Mandel-Paule equation for s^2 did not converge";
      return r;
    }
    s2 = bracket.first + 0.5 * (bracket.second - bracket.first);
  }

  // Steps 2-4.
  std::vector<double> variance(n), power_weight(n);
  CompensatedSum inverse_variances, power_weights;
  for (std::size_t i = 0; i < n; ++i) {
    variance[i] = sample.u[i] * sample.u[i] + s2;
    inverse_variances.Add(1 / variance[i]);
    power_weight[i] = std::pow(variance[i], -alpha / 2);
    power_weights.Add(power_weight[i]);
  }
  CompensatedSum sum;
  for (double x : sample.x) sum.Add(x);
  const double arithmetic_mean = sum.Total() / dn;
  CompensatedSum squares;
  for (double x : sample.x) squares.Add((x - arithmetic_mean) * (x - arithmetic_mean));
  const double var_arithmetic_mean = squares.Total() / (dn * (dn - 1));
  const double var_mandel_paule = 1 / inverse_variances.Total();
  const double big_s2 = dn * std::max(var_arithmetic_mean, var_mandel_paule);

  const WeightedMean pmm = ComputeWeightedMean(sample.x, power_weight);
  r.value = pmm.mean;
  r.u = std::sqrt(std::pow(big_s2, 1 - alpha / 2) / pmm.total_weight);
  r.weights.resize(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    r.weights(static_cast<Eigen::Index>(i)) = power_weight[i] / pmm.total_weight;
  }
  r.extra.push_back({"s", std::sqrt(s2), ExtraValue::Kind::kScale});
  r.extra.push_back({"alpha", alpha, ExtraValue::Kind::kDimensionless});
  r.extra.push_back({"S", std::sqrt(big_s2), ExtraValue::Kind::kScale});
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
