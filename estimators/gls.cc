#include "estimators/gls.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>

#include "core/generalised_least_squares.h"
#include "estimators/settings.h"

namespace keycomp {

EstimatorResult EstimateGls(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kGlsInfo.name, options.settings);
  const std::string which = settings.Choice("u", {"internal", "external"}, "internal");
  settings.RejectUnknown();

  EstimatorResult r;
  const std::optional<GlsSolution> s = SolveGls(sample);
  if (!s) {
    r.status = Status::kFailed;
    r.message = "the covariance matrix of the included results is singular (a correlation of "
                "+-1 makes results redundant); gls needs it positive definite";
    return r;
  }
  const std::size_t n = sample.size();
  r.value = s->value;
  r.weights = s->weights;
  r.u_internal = 1 / std::sqrt(s->total);
  r.extra.push_back({"chi2", s->chi2, ExtraValue::Kind::kDimensionless});
  if (n > 1) {
    const double birge = std::sqrt(s->chi2 / static_cast<double>(n - 1));
    r.u_external = birge * *r.u_internal;
    r.extra.push_back({"birge_ratio", birge, ExtraValue::Kind::kDimensionless});
  }
  const Eigen::Index negative = (s->weights.array() < 0).count();
  if (negative > 0) {
    r.warnings.push_back(fmt::format(
        "{} of the {} GLS weights are negative (strong positive correlations)", negative, n));
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

double GlsPoint(const LabSample& sample, const EstimatorOptions& /*options*/,
                std::vector<double>& /*workspace*/) {
  const std::optional<GlsSolution> s = SolveGls(sample);
  return s ? s->value : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace keycomp
