#include "estimators/weighted_median.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "core/numeric.h"
#include "estimators/lab_resampling.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

// Distinguishes this estimator's random stream from the other estimators' ones.
constexpr std::uint64_t kStream = 0x776D656469616EULL;  // "wmedian"

}  // namespace

double WeightedMedian(std::span<const double> x, std::span<const double> w) {
  const std::size_t n = x.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return x[a] < x[b] || (x[a] == x[b] && a < b); });
  CompensatedSum total;
  for (double wi : w) total.Add(wi);
  const double big_w = total.Total();
  const double tolerance = 8 * std::numeric_limits<double>::epsilon() * big_w;
  CompensatedSum cumulative;
  for (std::size_t k = 0; k < n; ++k) {
    cumulative.Add(w[order[k]]);
    const double twice = 2 * cumulative.Total();
    if (twice >= big_w - tolerance) {
      if (twice <= big_w + tolerance && k + 1 < n) {
        const double a = x[order[k]];
        const double b = x[order[k + 1]];
        return a + 0.5 * (b - a);
      }
      return x[order[k]];
    }
  }
  return x[order[n - 1]];
}

EstimatorResult EstimateWeightedMedian(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kWeightedMedianInfo.name, options.settings);
  settings.RejectUnknown();

  const std::size_t n = sample.size();
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = 1 / (sample.u[i] * sample.u[i]);

  EstimatorResult r;
  r.value = WeightedMedian(sample.x, w);
  std::vector<double> draws = lab_resampling::Resample(
      sample, options.internal_trials, options.seed, kStream, options.threads,
      [&w](std::span<const double> d) { return WeightedMedian(d, w); });
  const lab_resampling::Summary s = lab_resampling::Summarise(std::move(draws), options.coverage);
  r.u = s.sd;
  r.u_kind = "bootstrap";
  r.interval_low = s.low;
  r.interval_high = s.high;
  r.interval_method = "bootstrap percentile";
  r.extra.push_back({"bootstrap_mean", s.mean, ExtraValue::Kind::kLocation});
  r.extra.push_back({"bootstrap_trials", static_cast<double>(options.internal_trials),
                     ExtraValue::Kind::kDimensionless});
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
