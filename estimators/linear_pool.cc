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
    throw InputError(
        "", 0, "--set linear_pool.weights",
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

// The pool's weights pi_i, summing to one.
std::vector<double> PoolWeights(const std::string& text, const LabSample& sample) {
  const std::size_t n = sample.size();
  std::vector<double> w;
  if (text == "equal") {
    w.assign(n, 1.0);
  } else if (text == "inverse_variance") {
    for (std::size_t i = 0; i < n; ++i) w.push_back(1 / (sample.u[i] * sample.u[i]));
  } else {
    w = ParseWeights(text, n);
  }
  CompensatedSum total;
  for (double v : w) total.Add(v);
  if (!(total.Total() > 0)) {
    throw InputError("", 0, "--set linear_pool.weights", "linear_pool: the weights sum to zero");
  }
  for (double& v : w) v /= total.Total();
  return w;
}

std::string LabName(const LabSample& sample, std::size_t i) {
  return i < sample.labs.size() ? "'" + sample.labs[i] + "'" : fmt::format("{}", i + 1);
}

// The pool's components: lab i is x_i + scale_i T_i, T_i standard normal (dof inf) or Student t.
struct Components {
  std::vector<double> scale, dof;
  std::vector<std::size_t> heavy;  // weighted labs with dof <= 2 (no finite variance)
  bool mean_exists = true;         // false when a weighted lab has dof <= 1
  std::string refusal;             // non-empty: the pool cannot be formed
};

Components BuildComponents(const LabSample& sample, const std::vector<double>& w,
                           const std::string& dof_mode) {
  const std::size_t n = sample.size();
  Components c;
  c.scale.resize(n);
  c.dof.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double nu =
        dof_mode == "ignore" ? std::numeric_limits<double>::infinity() : sample.dof[i];
    c.dof[i] = nu;
    if (!std::isfinite(nu)) {
      c.scale[i] = sample.u[i];
    } else if (nu > 2) {
      c.scale[i] = sample.u[i] * std::sqrt((nu - 2) / nu);  // standard deviation u_i
    } else if (dof_mode == "strict") {
      c.refusal = fmt::format(
          "linear_pool: lab {} has {} degrees of freedom; a Student t with dof <= 2 has no "
          "finite variance, so the pool's u does not exist (dof=strict). The default "
          "(dof=use) follows the NIST Consensus Builder; dof=ignore uses normal components",
          LabName(sample, i), nu);
      return c;
    } else if (nu < 1) {
      // The Consensus Builder refuses dof < 1, and its factor below turns negative or NaN
      // for dof < ~0.28: there is no published treatment to follow.
      c.refusal = fmt::format(
          "linear_pool: lab {} has {} degrees of freedom; the NIST Consensus Builder's "
          "treatment of dof <= 2 covers dof >= 1 only. Use --set linear_pool.dof=ignore for "
          "normal components",
          LabName(sample, i), nu);
      return c;
    } else {
      c.scale[i] = sample.u[i] / NicobSmallDofFactor(nu);
      if (w[i] > 0) {
        c.heavy.push_back(i);
        if (nu <= 1) c.mean_exists = false;
      }
    }
  }
  return c;
}

// n draws from the mixture: the component by inversion of the cumulative weights, then its
// draw. One generator, used in order, so the draws depend on the seed alone.
std::vector<double> DrawPool(const LabSample& sample, const std::vector<double>& w,
                             const Components& c, std::size_t draws, std::uint64_t seed) {
  const std::size_t n = sample.size();
  std::vector<double> cumulative(n);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) cumulative[i] = (total += w[i]);
  bayes::Random rng(seed, 0x1b00);
  std::vector<double> out(draws);
  for (double& v : out) {
    const double target = rng.Uniform() * total;
    auto i = static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    if (i >= n) i = n - 1;
    while (w[i] == 0 && i + 1 < n) ++i;
    const double t = std::isfinite(c.dof[i]) ? rng.StudentT(c.dof[i]) : rng.Normal();
    v = sample.x[i] + c.scale[i] * t;
  }
  return out;
}

// What the result says when some component has no finite variance.
std::string HeavyTailWarning(const LabSample& sample, const Components& c, std::size_t draws,
                             double coverage) {
  std::string labs;
  for (std::size_t i : c.heavy) {
    labs += fmt::format("{}{} ({} dof, scale u/{:.4f})", labs.empty() ? "" : ", ",
                        LabName(sample, i), c.dof[i], NicobSmallDofFactor(c.dof[i]));
  }
  std::string text = fmt::format(
      "linear_pool: lab{} {} {} at most 2 degrees of freedom: as the NIST Consensus Builder does "
      "(linearOP.R), such a lab's component is a Student t scaled by u_i divided by its "
      "empirical factor, and has no finite variance, so neither has the pool. u is the "
      "standard deviation of the {} draws, a sample figure that changes with the seed and grows "
      "with the number of draws; the {:g} % coverage interval is the reliable statement",
      c.heavy.size() > 1 ? "s" : "", labs, c.heavy.size() > 1 ? "have" : "has", draws,
      100 * coverage);
  if (!c.mean_exists) {
    text += fmt::format(
        ". With 1 dof (a Cauchy component) the pool has no mean either: the KCRV is the mean of "
        "the draws, also a sample figure; extra.mixture_median is a reliable location");
  }
  return text + " (dof=strict refuses such labs, dof=ignore uses normal components)";
}

}  // namespace

double NicobSmallDofFactor(double nu) {
  // linearOP.R and DoEUnilateralLinearPool.R: phi = 1.5 (1 - (3/4)(a - 4 b (nu^(-3/4) - 1)/3))
  // ^(-4/3) with a = 0.4668994, b = -0.3998882 (no derivation given; phi(2) = 1.980,
  // phi(1) = 2.664).
  const double a = 0.4668994, b = -0.3998882;
  return 1.5 * std::pow(1 - 0.75 * (a - 4 * b * (std::pow(nu, -0.75) - 1) / 3), -4.0 / 3);
}

EstimatorResult EstimateLinearPool(const LabSample& sample, const EstimatorOptions& options) {
  SettingsReader settings(kLinearPoolInfo.name, options.settings);
  const std::string weights_text = settings.Text("weights", "equal");
  const std::string dof_mode = settings.Choice("dof", {"use", "strict", "ignore"}, "use");
  const double draws_setting = settings.Number("draws", 100, 1e9, 100000);
  settings.RejectUnknown();
  const auto draws = static_cast<std::size_t>(draws_setting);
  const std::size_t n = sample.size();
  const std::vector<double> w = PoolWeights(weights_text, sample);

  EstimatorResult r;
  const Components c = BuildComponents(sample, w, dof_mode);
  if (!c.refusal.empty()) {
    r.status = Status::kFailed;
    r.message = c.refusal;
    return r;
  }
  r.kcrv_draws = DrawPool(sample, w, c, draws, options.seed);

  const WeightedMean wm = ComputeWeightedMean(sample.x, w);
  if (c.heavy.empty()) {  // closed-form moments
    CompensatedSum var;
    for (std::size_t i = 0; i < n; ++i) {
      const double d = sample.x[i] - wm.mean;
      var.Add(w[i] * (sample.u[i] * sample.u[i] + d * d));
    }
    r.value = wm.mean;
    r.u = std::sqrt(var.Total());
    r.u_kind = "mixture_sd";
  } else {  // no finite variance: sample figures, as the Consensus Builder reports them
    const bayes::MeanSd moments = bayes::SampleMeanSd(r.kcrv_draws);
    r.value = c.mean_exists ? wm.mean : moments.mean;
    r.u = moments.sd;
    r.u_kind = "sample_sd_of_draws";
    r.warnings.push_back(HeavyTailWarning(sample, c, draws, options.coverage));
  }

  auto cdf = [&](double m) {
    CompensatedSum s;
    for (std::size_t i = 0; i < n; ++i) {
      if (w[i] == 0) continue;
      const double z = (m - sample.x[i]) / c.scale[i];
      if (std::isfinite(c.dof[i])) {
        s.Add(w[i] * boost::math::cdf(boost::math::students_t(c.dof[i]), z));
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
  r.extra.push_back({"mixture_median",
                     bayes::MixtureQuantile(cdf, 0.5, r.value - r.u, r.value + r.u),
                     ExtraValue::Kind::kLocation});
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
