#include "estimators/algorithm_a.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/numeric.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

constexpr int kMaxIterations = 10000;

// The standard's constants, as printed (ISO 13528:2015 C.2, C.3.1).
constexpr double kMadFactor = 1.483;
constexpr double kClipFactor = 1.5;
constexpr double kSdFactor = 1.134;
constexpr double kUncertaintyFactor = 1.25;

}  // namespace

EstimatorResult EstimateAlgorithmA(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kAlgorithmAInfo.name, options.settings);
  settings.RejectUnknown();

  const std::size_t n = sample.size();
  const double dn = static_cast<double>(n);
  EstimatorResult r;
  r.u_kind = "robust";

  double centre = Median(sample.x);
  double scale = kMadFactor * MedianAbsoluteDeviation(sample.x, centre);
  if (!(scale > 0)) {
    r.status = Status::kFailed;
    r.value = centre;
    r.message =
        "Algorithm A is undefined: the starting robust standard deviation 1.483 MAD is zero "
        "(more than half of the values are equal)";
    return r;
  }

  const double tolerance = 4 * std::numeric_limits<double>::epsilon();
  std::vector<double> clipped(n);
  double previous_centre = std::numeric_limits<double>::quiet_NaN();
  double previous_scale = previous_centre;
  bool converged = false;
  int iteration = 0;
  while (iteration < kMaxIterations) {
    ++iteration;
    const double delta = kClipFactor * scale;
    for (std::size_t i = 0; i < n; ++i) {
      clipped[i] = std::clamp(sample.x[i], centre - delta, centre + delta);
    }
    CompensatedSum sum;
    for (double c : clipped) sum.Add(c);
    double mean = sum.Total() / dn;
    CompensatedSum residual;
    for (double c : clipped) residual.Add(c - mean);
    mean += residual.Total() / dn;
    CompensatedSum squares;
    for (double c : clipped) squares.Add((c - mean) * (c - mean));
    const double new_scale = kSdFactor * std::sqrt(squares.Total() / (dn - 1));

    const bool settled = std::abs(mean - centre) <= tolerance * new_scale &&
                         std::abs(new_scale - scale) <= tolerance * new_scale;
    const bool cycle = mean == previous_centre && new_scale == previous_scale;
    previous_centre = centre;
    previous_scale = scale;
    centre = mean;
    scale = new_scale;
    if (!(scale > 0)) break;
    if (settled || cycle) {
      converged = true;
      break;
    }
  }

  r.value = centre;
  r.u = kUncertaintyFactor * scale / std::sqrt(dn);
  r.iterations = iteration;
  r.extra.push_back({"robust_sd", scale, ExtraValue::Kind::kScale});
  if (!converged) {
    r.status = Status::kNotConverged;
    r.message = scale > 0 ? "Algorithm A did not reach its fixed point in 10000 iterations"
                          : "Algorithm A collapsed to a zero robust standard deviation";
    return r;
  }
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
