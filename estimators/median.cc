#include "estimators/median.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/numeric.h"
#include "estimators/lab_resampling.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

// 1 / Phi^-1(3/4): makes the MAD a consistent estimator of sigma for normal data.
constexpr double kMadToSigma = 1.482602218505602;

// Distinguishes this estimator's random stream from the other estimators' ones.
constexpr std::uint64_t kStream = 0x6D656442ULL;  // "medB"

// sqrt(pi/2) MADe / sqrt(n): sqrt(pi/2) is the large-sample ratio sd(median)/sd(mean) for
// normal data (ISO Guide 35:2017 B.26 rounds it to 1.253, ISO 13528:2015 7.7.3 to 1.25).
double MadeU(std::size_t n, double made) {
  return std::sqrt(std::numbers::pi / 2) * made / std::sqrt(static_cast<double>(n));
}

void SetMadeU(const LabSample& sample, double made, EstimatorResult& r) {
  if (!(made > 0)) {
    r.status = Status::kFailed;
    r.message =
        "u=made is undefined: MADe = 0 (at least half the results equal the median); use "
        "--set median.u=bootstrap or the estimator cox_procedure_b";
    return;
  }
  r.u = MadeU(sample.size(), made);
  r.status = Status::kOk;
}

void SetBootstrapU(const LabSample& sample, const EstimatorOptions& options, EstimatorResult& r) {
  std::vector<double> medians = lab_resampling::ResampleValues(
      sample.x, options.internal_trials, options.seed, kStream, options.threads,
      [](std::span<const double> d) { return Median(d); });
  const lab_resampling::Summary s = lab_resampling::Summarise(std::move(medians), options.coverage);
  r.extra.push_back({"bootstrap_mean", s.mean, ExtraValue::Kind::kLocation});
  r.extra.push_back({"bootstrap_trials", static_cast<double>(options.internal_trials),
                     ExtraValue::Kind::kDimensionless});
  if (!(s.sd > 0)) {
    r.status = Status::kFailed;
    r.message = "u=bootstrap is undefined: every resample has the same median (equal values)";
    return;
  }
  r.u = s.sd;
  r.status = Status::kOk;
}

}  // namespace

EstimatorResult EstimateMedian(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kMedianInfo.name, options.settings);
  const std::string which = settings.Choice("u", {"made", "bootstrap"}, "made");
  settings.RejectUnknown();

  EstimatorResult r;
  r.value = Median(sample.x);
  r.u_kind = which;
  const double made = kMadToSigma * MedianAbsoluteDeviation(sample.x, r.value);
  r.extra.push_back({"MADe", made, ExtraValue::Kind::kScale});
  if (which == "bootstrap") {
    // ISO Guide 35:2017 B.26 gives the MADe form as the least u of a robust estimate: show it
    // beside the bootstrap u so that the comparison needs no second run.
    if (made > 0)
      r.extra.push_back({"u_made", MadeU(sample.size(), made), ExtraValue::Kind::kScale});
    SetBootstrapU(sample, options, r);
  } else {
    SetMadeU(sample, made, r);
  }
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
