#include "estimators/median.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp {

EstimatorResult EstimateMedian(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kMedianInfo.name, options.settings);
  settings.RejectUnknown();

  const double median = Median(sample.x);
  const double made = 1.482602218505602 * MedianAbsoluteDeviation(sample.x, median);
  EstimatorResult r;
  r.value = median;
  r.u = std::sqrt(std::numbers::pi / 2) * made / std::sqrt(static_cast<double>(sample.size()));
  r.u_kind = "robust";
  r.extra.push_back({"MADe", made, ExtraValue::Kind::kScale});
  r.status = Status::kOk;
  return r;
}

double MedianPoint(const LabSample& sample, const EstimatorOptions& /*options*/,
                   std::vector<double>& workspace) {
  workspace.assign(sample.x.begin(), sample.x.end());
  const std::size_t mid = workspace.size() / 2;
  const auto middle = workspace.begin() + static_cast<std::ptrdiff_t>(mid);
  std::nth_element(workspace.begin(), middle, workspace.end());
  const double upper = *middle;
  if (workspace.size() % 2 == 1) return upper;
  const double lower = *std::max_element(workspace.begin(), middle);
  return lower + 0.5 * (upper - lower);
}

}  // namespace keycomp
