#include "estimators/cox_procedure_b.h"

#include <vector>

#include "core/numeric.h"
#include "estimators/lab_resampling.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

// Distinguishes this estimator's random stream from the other estimators' ones.
constexpr std::uint64_t kStream = 0x636F7842ULL;  // "coxB"

}  // namespace

EstimatorResult EstimateCoxProcedureB(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kCoxProcedureBInfo.name, options.settings);
  settings.RejectUnknown();

  EstimatorResult r;
  r.value = Median(sample.x);
  std::vector<double> medians = lab_resampling::Resample(
      sample, options.internal_trials, options.seed, kStream, options.threads,
      [](std::span<const double> d) { return Median(d); });
  const lab_resampling::Summary s = lab_resampling::Summarise(std::move(medians), options.coverage);
  r.u = s.sd;
  r.u_kind = "monte_carlo";
  r.interval_low = s.low;
  r.interval_high = s.high;
  r.interval_method = "monte_carlo";
  r.extra.push_back({"monte_carlo_mean", s.mean, ExtraValue::Kind::kLocation});
  r.extra.push_back({"monte_carlo_trials", static_cast<double>(options.internal_trials),
                     ExtraValue::Kind::kDimensionless});
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
