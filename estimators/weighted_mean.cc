#include "estimators/weighted_mean.h"

#include <cmath>
#include <vector>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp {

EstimatorResult EstimateWeightedMean(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kWeightedMeanInfo.name, options.settings);
  const std::string which = settings.Choice("u", {"internal", "external"}, "internal");
  settings.RejectUnknown();

  const std::size_t n = sample.size();
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = 1 / (sample.u[i] * sample.u[i]);
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);

  EstimatorResult r;
  r.value = wm.mean;
  r.weights.resize(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    r.weights(static_cast<Eigen::Index>(i)) = w[i] / wm.total_weight;
  }
  // Independent results: 1/sqrt(W). Correlated ones: the weights stay 1/u_i^2 (use `gls` for
  // weights that account for the correlations) and the variance is a' V a.
  r.u_internal = sample.correlation == nullptr ? 1 / std::sqrt(wm.total_weight)
                                               : std::sqrt(sample.CombinationVariance(r.weights));
  if (sample.correlation != nullptr) {
    r.warnings.push_back("correlated results: weights 1/u_i^2 ignore the correlations, u is "
                         "propagated with the full covariance (gls weights them optimally)");
  }
  if (n > 1) {
    const double chi2 = WeightedSquares(sample.x, w, wm.mean);
    const double birge = std::sqrt(chi2 / static_cast<double>(n - 1));
    r.u_external = birge * *r.u_internal;
    r.extra.push_back({"birge_ratio", birge, ExtraValue::Kind::kDimensionless});
  }
  r.u_kind = which;
  if (which == "external" && !r.u_external) {
    r.status = Status::kFailed;
    r.message = "the external (Birge-scaled) uncertainty needs at least two labs";
    return r;
  }
  r.u = which == "internal" ? *r.u_internal : *r.u_external;
  r.status = Status::kOk;
  return r;
}

double WeightedMeanPoint(const LabSample& sample, const EstimatorOptions& /*options*/,
                         std::vector<double>& /*workspace*/) {
  double sw = 0, swx = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double w = 1 / (sample.u[i] * sample.u[i]);
    sw += w;
    swx += w * sample.x[i];
  }
  double mean = swx / sw;
  double residual = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    residual += (sample.x[i] - mean) / (sample.u[i] * sample.u[i]);
  }
  return mean + residual / sw;
}

}  // namespace keycomp
