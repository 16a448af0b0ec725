#include "estimators/median.h"

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

}  // namespace keycomp
