#include "estimators/bma.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "core/numeric.h"
#include "estimators/bayes_support.h"
#include "estimators/settings.h"

namespace keycomp {
namespace {

constexpr double kMaxModels = 2e6;

double LogBinomial(std::size_t n, std::size_t k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

struct Component {
  double log_weight, mean, var;
};

}  // namespace

EstimatorResult EstimateBma(const LabSample& sample, const EstimatorOptions& options) {
  const std::size_t n = sample.size();
  SettingsReader settings(kBmaInfo.name, options.settings);
  const double k_setting = settings.Number("unbiased", 1, static_cast<double>(n),
                                           static_cast<double>(n / 2 + 1));
  const double draws_setting = settings.Number("draws", 100, 1e9, 100000);
  settings.RejectUnknown();
  if (k_setting != std::floor(k_setting)) {
    throw InputError("", 0, "--set bma.unbiased", "bma: unbiased must be a whole number");
  }
  const auto k = static_cast<std::size_t>(k_setting);
  const auto draws = static_cast<std::size_t>(draws_setting);

  EstimatorResult r;
  if (LogBinomial(n, k) > std::log(kMaxModels)) {
    r.status = Status::kFailed;
    r.message = fmt::format("bma: C({}, {}) models exceed the limit of {:.0f}; choose unbiased "
                            "closer to 1 or to n",
                            n, k, kMaxModels);
    return r;
  }

  std::vector<double> w(n), log_u(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = 1 / (sample.u[i] * sample.u[i]);
    log_u[i] = std::log(sample.u[i]);
  }
  // Enumerate the subsets of size k in lexicographic order.
  std::vector<Component> models;
  std::vector<std::size_t> idx(k);
  for (std::size_t j = 0; j < k; ++j) idx[j] = j;
  std::vector<std::uint32_t> members;  // k indices per model, flattened
  for (;;) {
    double sw = 0, swx = 0, slog = 0;
    for (std::size_t j : idx) {
      sw += w[j];
      swx += w[j] * sample.x[j];
      slog += log_u[j];
    }
    double m = swx / sw;
    double chi2 = 0, resid = 0;
    for (std::size_t j : idx) {
      const double d = sample.x[j] - m;
      resid += w[j] * d;
      chi2 += w[j] * d * d;
    }
    const double shift = resid / sw;
    m += shift;
    chi2 -= shift * resid;
    models.push_back({-slog - 0.5 * std::log(sw) - 0.5 * chi2, m, 1 / sw});
    for (std::size_t j : idx) members.push_back(static_cast<std::uint32_t>(j));
    // Next combination.
    std::size_t pos = k;
    while (pos > 0 && idx[pos - 1] == n - k + pos - 1) --pos;
    if (pos == 0) break;
    ++idx[pos - 1];
    for (std::size_t j = pos; j < k; ++j) idx[j] = idx[j - 1] + 1;
  }
  double max_log = -std::numeric_limits<double>::infinity();
  for (const Component& c : models) max_log = std::max(max_log, c.log_weight);
  CompensatedSum total;
  std::vector<double> p(models.size());
  for (std::size_t s = 0; s < models.size(); ++s) {
    p[s] = std::exp(models[s].log_weight - max_log);
    total.Add(p[s]);
  }
  for (double& v : p) v /= total.Total();

  // Posterior of mu.
  CompensatedSum m1;
  for (std::size_t s = 0; s < models.size(); ++s) m1.Add(p[s] * models[s].mean);
  const double mean = m1.Total();
  CompensatedSum m2;
  for (std::size_t s = 0; s < models.size(); ++s) {
    const double d = models[s].mean - mean;
    m2.Add(p[s] * (models[s].var + d * d));
  }
  r.value = mean;
  r.u = std::sqrt(m2.Total());
  r.u_kind = "posterior_sd";

  bayes::Mixture mix;
  for (std::size_t s = 0; s < models.size(); ++s) {
    if (p[s] < 1e-20) continue;
    mix.weight.push_back(p[s]);
    mix.mean.push_back(models[s].mean);
    mix.scale.push_back(std::sqrt(models[s].var));
  }
  auto cdf = [&](double x) { return bayes::NormalMixtureCdf(mix, x); };
  const double lo_p = 0.5 * (1 - options.coverage), hi_p = 0.5 * (1 + options.coverage);
  r.interval_low = bayes::MixtureQuantile(cdf, lo_p, r.value - 3 * r.u, r.value);
  r.interval_high = bayes::MixtureQuantile(cdf, hi_p, r.value, r.value + 3 * r.u);
  r.interval_method = "posterior";

  // Per-lab bias summaries.
  std::vector<CompensatedSum> p_in(n), b1(n);
  for (std::size_t s = 0; s < models.size(); ++s) {
    std::vector<bool> in(n, false);
    for (std::size_t j = 0; j < k; ++j) in[members[s * k + j]] = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (in[i]) {
        p_in[i].Add(p[s]);
      } else {
        b1[i].Add(p[s] * (sample.x[i] - models[s].mean));
      }
    }
  }
  std::vector<CompensatedSum> b2(n);
  std::vector<double> bias(n);
  for (std::size_t i = 0; i < n; ++i) bias[i] = b1[i].Total();
  for (std::size_t s = 0; s < models.size(); ++s) {
    std::vector<bool> in(n, false);
    for (std::size_t j = 0; j < k; ++j) in[members[s * k + j]] = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (in[i]) {
        b2[i].Add(p[s] * bias[i] * bias[i]);
      } else {
        const double d = sample.x[i] - models[s].mean - bias[i];
        b2[i].Add(p[s] * (d * d + sample.u[i] * sample.u[i] + models[s].var));
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    r.extra.push_back({fmt::format("p_unbiased_{}", i + 1), p_in[i].Total(),
                       ExtraValue::Kind::kDimensionless});
    r.extra.push_back({fmt::format("bias_{}", i + 1), bias[i], ExtraValue::Kind::kScale});
    r.extra.push_back({fmt::format("u_bias_{}", i + 1), std::sqrt(b2[i].Total()),
                       ExtraValue::Kind::kScale});
  }
  r.extra.push_back({"unbiased", static_cast<double>(k), ExtraValue::Kind::kDimensionless});
  r.extra.push_back({"models", static_cast<double>(models.size()), ExtraValue::Kind::kDimensionless});
  r.extra.push_back({"posterior_median", bayes::MixtureQuantile(cdf, 0.5, r.value - r.u, r.value + r.u),
                     ExtraValue::Kind::kLocation});

  // Draws of mu from the model-averaged posterior.
  std::vector<double> cumulative(mix.weight.size());
  double c = 0;
  for (std::size_t s = 0; s < mix.weight.size(); ++s) cumulative[s] = (c += mix.weight[s]);
  bayes::Random rng(options.seed, 0xb4a);
  r.kcrv_draws.resize(draws);
  for (std::size_t d = 0; d < draws; ++d) {
    const double target = rng.Uniform() * c;
    std::size_t s = static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    if (s >= mix.weight.size()) s = mix.weight.size() - 1;
    r.kcrv_draws[d] = mix.mean[s] + mix.scale[s] * rng.Normal();
  }
  r.message = fmt::format("{} models with {} of {} labs unbiased", models.size(), k, n);
  r.status = Status::kOk;
  return r;
}

}  // namespace keycomp
