#include "estimators/arithmetic_mean.h"

#include <cmath>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp {

EstimatorResult EstimateArithmeticMean(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kArithmeticMeanInfo.name, options.settings);
  const std::string which = settings.Choice("u", {"internal", "external"}, "external");
  settings.RejectUnknown();
  if (sample.correlation != nullptr && which == "external") {
    // The external u (the spread of the results) knows nothing of their covariance, while the
    // DoE subtracts the covariance terms: u(d_i) could go negative.
    EstimatorResult refused;
    refused.status = Status::kFailed;
    refused.message =
        "arithmetic_mean with u = external (the default) does not propagate correlations "
        "between results (--correlations); use --set arithmetic_mean.u=internal";
    return refused;
  }

  const std::size_t n = sample.size();
  const double dn = static_cast<double>(n);
  CompensatedSum sum;
  for (double x : sample.x) sum.Add(x);
  double mean = sum.Total() / dn;
  CompensatedSum residual, squares, variances;
  for (std::size_t i = 0; i < n; ++i) residual.Add(sample.x[i] - mean);
  mean += residual.Total() / dn;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = sample.x[i] - mean;
    squares.Add(d * d);
    variances.Add(sample.u[i] * sample.u[i]);
  }

  EstimatorResult r;
  r.value = mean;
  r.weights = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(n), 1 / dn);
  // With correlated results the internal u is propagated with the full covariance.
  r.u_internal = sample.correlation == nullptr ? std::sqrt(variances.Total()) / dn
                                               : std::sqrt(sample.CombinationVariance(r.weights));
  r.u_external = std::sqrt(squares.Total() / (dn - 1)) / std::sqrt(dn);
  r.u_kind = which;
  r.u = which == "internal" ? *r.u_internal : *r.u_external;
  if (which == "external" && squares.Total() == 0) {
    r.warnings.push_back(
        "all included results are identical: the external u (their spread) is 0; "
        "--set arithmetic_mean.u=internal gives the u propagated from the labs' uncertainties");
  }
  r.status = Status::kOk;
  return r;
}

double ArithmeticMeanPoint(const LabSample& sample, const EstimatorOptions& /*options*/,
                           std::vector<double>& /*workspace*/) {
  const double n = static_cast<double>(sample.size());
  double sum = 0;
  for (double x : sample.x) sum += x;
  const double mean = sum / n;
  double residual = 0;
  for (double x : sample.x) residual += x - mean;
  return mean + residual / n;
}

}  // namespace keycomp
