#include "estimators/linear_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "core/numeric.h"
#include "core/text_fields.h"
#include "estimators/bayes_support.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

std::vector<double> ParseWeights(const std::string& text, std::size_t n) {
  std::vector<double> w;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    w.push_back(ParseFinite(item, {"", 0, "--set linear_pool.weights"}));
  }
  if (w.size() != n) {
    throw InputError("", 0, "--set linear_pool.weights",
                     fmt::format("linear_pool: {} weights given for {} included labs", w.size(), n));
  }
  for (double v : w) {
    if (!(v >= 0)) {
      throw InputError("", 0, "--set linear_pool.weights",
                       fmt::format("linear_pool: weights must be >= 0, got {}", v));
    }
  }
  return w;
}

}  // namespace

EstimatorResult EstimateLinearPool(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kLinearPoolInfo.name, options.settings);
  const std::string weights_text = settings.Text("weights", "equal");
  const std::string dof_mode = settings.Choice("dof", {"use", "ignore"}, "use");
  const double draws_setting = settings.Number("draws", 100, 1e9, 100000);
  settings.RejectUnknown();
  const auto draws = static_cast<std::size_t>(draws_setting);

  const std::size_t n = sample.size();
  std::vector<double> w;
  if (weights_text == "equal") {
    w.assign(n, 1.0);
  } else if (weights_text == "inverse_variance") {
    for (std::size_t i = 0; i < n; ++i) w.push_back(1 / (sample.u[i] * sample.u[i]));
  } else {
    w = ParseWeights(weights_text, n);
  }
  CompensatedSum total;
  for (double v : w) total.Add(v);
  if (!(total.Total() > 0)) {
    throw InputError("", 0, "--set linear_pool.weights", "linear_pool: the weights sum to zero");
  }
  for (double& v : w) v /= total.Total();

  EstimatorResult r;
  // Component scale: normal sd u_i, or the t scale giving sd u_i.
  std::vector<double> scale(n), dof(n);
  for (std::size_t i = 0; i < n; ++i) {
    dof[i] = dof_mode == "use" ? sample.dof[i] : std::numeric_limits<double>::infinity();
    if (std::isfinite(dof[i])) {
      if (!(dof[i] > 2)) {
        r.status = Status::kFailed;
        r.message = fmt::format(
            "linear_pool: lab {} has {} degrees of freedom; a Student t with dof <= 2 has no "
            "finite variance, so the pool's u does not exist. Use --set linear_pool.dof=ignore "
            "for normal components",
            i + 1, dof[i]);
        return r;
      }
      scale[i] = sample.u[i] * std::sqrt((dof[i] - 2) / dof[i]);
    } else {
      scale[i] = sample.u[i];
    }
  }
  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  CompensatedSum var;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = sample.x[i] - wm.mean;
    var.Add(w[i] * (sample.u[i] * sample.u[i] + d * d));
  }
  r.value = wm.mean;
  r.u = std::sqrt(var.Total());
  r.u_kind = "mixture_sd";

  auto cdf = [&](double m) {
    CompensatedSum s;
    for (std::size_t i = 0; i < n; ++i) {
      if (w[i] == 0) continue;
      const double z = (m - sample.x[i]) / scale[i];
      if (std::isfinite(dof[i])) {
        s.Add(w[i] * boost::math::cdf(boost::math::students_t(dof[i]), z));
      } else {
        s.Add(w[i] * 0.5 * boost::math::erfc(-z / std::sqrt(2.0)));
      }
    }
    return s.Total();
  };
  const double lo_p = 0.5 * (1 - options.coverage), hi_p = 0.5 * (1 + options.coverage);
  r.interval_low = bayes::MixtureQuantile(cdf, lo_p, r.value - 3 * r.u, r.value);
  r.interval_high = bayes::MixtureQuantile(cdf, hi_p, r.value, r.value + 3 * r.u);
  r.interval_method = "mixture_quantiles";
  r.extra.push_back({"mixture_median", bayes::MixtureQuantile(cdf, 0.5, r.value - r.u, r.value + r.u),
                     ExtraValue::Kind::kLocation});

  // Draws: component by inversion of the cumulative weights, then the component's draw.
  std::vector<double> cumulative(n);
  double c = 0;
  for (std::size_t i = 0; i < n; ++i) cumulative[i] = (c += w[i]);
  bayes::Random rng(options.seed, 0x1b00);
  r.kcrv_draws.resize(draws);
  for (std::size_t d = 0; d < draws; ++d) {
    const double target = rng.Uniform() * c;
    std::size_t i = static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    if (i >= n) i = n - 1;
    while (w[i] == 0 && i + 1 < n) ++i;
    const double t = std::isfinite(dof[i]) ? rng.StudentT(dof[i]) : rng.Normal();
    r.kcrv_draws[d] = sample.x[i] + scale[i] * t;
  }
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
