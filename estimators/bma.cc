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
    if (p[s] < 1e-18) continue;  // lost mass < 2e6 x 1e-18
    mix.weight.push_back(p[s]);
    mix.mean.push_back(models[s].mean);
    mix.scale.push_back(std::sqrt(models[s].var));
  }
  auto cdf = [&](double x) { return bayes::NormalMixtureCdf(mix, x); };
  const double lo_p = 0.5 * (1 - options.coverage), hi_p = 0.5 * (1 + options.coverage);
  r.interval_low = bayes::MixtureQuantile(cdf, lo_p, r.value - 3 * r.u, r.value);
  r.interval_high = bayes::MixtureQuantile(cdf, hi_p, r.value, r.value + 3 * r.u);
  r.interval_method = "posterior";

  // Per-lab bias summaries, in O(K) per model: sums over the models that exclude lab i are
  // sums over all models minus those over the models that include it.
  //   E[beta_i] = sum_{S not containing i} p_S (x_i - m_S)
  //   E[beta_i^2] = sum_{S not containing i} p_S ((x_i - m_S)^2 + u_i^2 + v_S)
  CompensatedSum all_v;
  for (std::size_t s = 0; s < models.size(); ++s) {
    all_v.Add(p[s] * models[s].var);
  }
  std::vector<CompensatedSum> p_in(n), m_in(n), mm_in(n), v_in(n);
  for (std::size_t s = 0; s < models.size(); ++s) {
    const double dm = models[s].mean - mean;
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t i = members[s * k + j];
      p_in[i].Add(p[s]);
      m_in[i].Add(p[s] * dm);
      mm_in[i].Add(p[s] * dm * dm);
      v_in[i].Add(p[s] * models[s].var);
    }
  }
  const double var_of_means = m2.Total() - all_v.Total();  // sum p_S (m_S - mean)^2
  std::vector<double> bias(n), u_bias(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double pin = p_in[i].Total(), pout = 1 - pin;
    const double a = sample.x[i] - mean;  // x_i - m_S = a - (m_S - mean)
    // sums over excluded models of p_S, p_S (m_S - mean), p_S (m_S - mean)^2, p_S v_S
    const double s1 = -m_in[i].Total();                   // sum over all of p dm is 0
    const double s2 = var_of_means - mm_in[i].Total();
    const double sv = all_v.Total() - v_in[i].Total();
    bias[i] = a * pout - s1;
    const double e2 = a * a * pout - 2 * a * s1 + s2 + sample.u[i] * sample.u[i] * pout + sv;
    u_bias[i] = std::sqrt(std::max(0.0, e2 - bias[i] * bias[i]));
  }
  for (std::size_t i = 0; i < n; ++i) {
    r.extra.push_back({fmt::format("p_unbiased_{}", i + 1), p_in[i].Total(),
                       ExtraValue::Kind::kDimensionless});
    r.extra.push_back({fmt::format("bias_{}", i + 1), bias[i], ExtraValue::Kind::kScale});
    r.extra.push_back({fmt::format("u_bias_{}", i + 1), u_bias[i], ExtraValue::Kind::kScale});
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
