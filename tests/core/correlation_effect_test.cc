// The effect of a link common to every result (CCM.M-K8 style: each result is a difference
// against the pilot's working standards) on the KCRV and the DoE, against closed forms.
//
// Model: x_i = m + e_i + c, var(e_i) = s_i^2, var(c) = u_link^2, so u_i^2 = s_i^2 + u_link^2
// and V = diag(s^2) + u_link^2 11'. With a = weights of a linear KCRV (sum a = 1),
// d_i = x_i - a'x = e_i - a'e (c cancels), so
//     u^2(d_i) = s_i^2 (1 - 2 a_i) + sum_j a_j^2 s_j^2         (included lab)
//     u^2(KCRV) = a' V a = sum_j a_j^2 s_j^2 + u_link^2.
// Weighted mean: a_i = u_i^-2 / W, W = sum u_j^-2; sum a_j^2 u_j^2 = 1/W, so
//     u^2(KCRV) = 1/W + u_link^2 (1 - sum a_j^2);  correlations ignored: 1/W, u_i^2 - 1/W.
// GLS: by Sherman-Morrison V^-1 1 is proportional to diag(s^-2) 1, so b_i = s_i^-2 / S with
// S = sum s_j^-2, KCRV = b'x, u^2(KCRV) = 1/S + u_link^2, u^2(d_i) = s_i^2 - 1/S; correlations
// ignored, GLS is the weighted mean.
#include "core/correlation_effect.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "core/read_comparison.h"
#include "estimators/registry.h"
#include "test_support.h"

namespace {

struct Example {
  keycomp::Comparison comparison;
  std::vector<double> x, u, s;
  double u_link = 0;
};

std::string Attribute(const keycomp::LabResult& r, const std::string& key) {
  for (const auto& [k, v] : r.attributes) {
    if (k == key) return v;
  }
  FAIL("no attribute " << key << " for " << r.lab);
  return {};
}

Example LoadExample() {
  Example e{keycomp::ReadComparisonFile(keycomp::testing::SourcePath(
                "datasets/ccm_m_k8_style_example/comparison.json")),
            {}, {}, {}, 0};
  for (const auto& r : e.comparison.results()) {
    e.x.push_back(r.value);
    e.u.push_back(r.u);
    e.s.push_back(std::stod(Attribute(r, "u_independent")));
    e.u_link = std::stod(Attribute(r, "u_link"));
  }
  REQUIRE(e.comparison.has_correlations());
  REQUIRE(e.comparison.size() == 8);
  return e;
}

keycomp::AnalysisOptions OptionsFor(const char* estimator) {
  keycomp::AnalysisOptions options;
  const keycomp::Estimator* e = keycomp::FindEstimator(estimator);
  REQUIRE(e != nullptr);
  options.estimators = {e};
  return options;
}

double Rel(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

TEST_CASE("correlation effect: the example's correlations are the common link",
          "[correlation_effect]") {
  const Example e = LoadExample();
  const auto& r = e.comparison.correlation_matrix();
  for (std::size_t i = 0; i < e.u.size(); ++i) {
    CHECK(Rel(e.u[i] * e.u[i], e.s[i] * e.s[i] + e.u_link * e.u_link) < 1e-14);
    for (std::size_t j = 0; j < e.u.size(); ++j) {
      if (i == j) continue;
      CHECK(Rel(r(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * e.u[i] * e.u[j],
                e.u_link * e.u_link) < 1e-14);
    }
  }
  const keycomp::Comparison plain = keycomp::WithoutCorrelations(e.comparison);
  CHECK_FALSE(plain.has_correlations());
  CHECK(plain.size() == e.comparison.size());
}

TEST_CASE("correlation effect: weighted mean with a common link, closed form",
          "[correlation_effect]") {
  const Example e = LoadExample();
  const std::size_t n = e.x.size();
  double w_sum = 0, wx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    w_sum += 1 / (e.u[i] * e.u[i]);
    wx += e.x[i] / (e.u[i] * e.u[i]);
  }
  std::vector<double> a(n);
  double sum_a2 = 0, sum_a2s2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = 1 / (e.u[i] * e.u[i]) / w_sum;
    sum_a2 += a[i] * a[i];
    sum_a2s2 += a[i] * a[i] * e.s[i] * e.s[i];
  }
  const double link2 = e.u_link * e.u_link;

  const auto effect = keycomp::AnalyseCorrelationEffect(e.comparison, OptionsFor("weighted_mean"));
  const auto& with = effect.with_correlations.results.front();
  const auto& without = effect.without_correlations.results.front();
  REQUIRE(with.result.status == keycomp::Status::kOk);
  REQUIRE(without.result.status == keycomp::Status::kOk);

  // KCRV unchanged; u^2 = 1/W + u_link^2 (1 - sum a^2) against 1/W.
  CHECK(Rel(with.result.value, wx / w_sum) < 1e-12);
  CHECK(Rel(without.result.value, wx / w_sum) < 1e-12);
  CHECK(Rel(with.result.u, std::sqrt(1 / w_sum + link2 * (1 - sum_a2))) < 1e-12);
  CHECK(Rel(without.result.u, 1 / std::sqrt(w_sum)) < 1e-12);

  for (std::size_t i = 0; i < n; ++i) {
    INFO("lab " << with.doe.labs[i].lab);
    const double var_with = e.s[i] * e.s[i] * (1 - 2 * a[i]) + sum_a2s2;
    const double var_without = e.u[i] * e.u[i] - 1 / w_sum;
    CHECK(Rel(with.doe.labs[i].u, std::sqrt(var_with)) < 1e-11);
    CHECK(Rel(without.doe.labs[i].u, std::sqrt(var_without)) < 1e-11);
    // Ignoring the link overstates u^2(d_i) by u_link^2 [(1 - a_i)^2 + sum_{j != i} a_j^2].
    const double excess = link2 * ((1 - a[i]) * (1 - a[i]) + sum_a2 - a[i] * a[i]);
    CHECK(Rel(without.doe.labs[i].u * without.doe.labs[i].u - with.doe.labs[i].u *
                                                                 with.doe.labs[i].u,
              excess) < 1e-9);
    CHECK(with.doe.labs[i].d == without.doe.labs[i].d);
  }
}

TEST_CASE("correlation effect: gls with a common link, closed form", "[correlation_effect]") {
  const Example e = LoadExample();
  const std::size_t n = e.x.size();
  double s_sum = 0, sx = 0, w_sum = 0, wx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    s_sum += 1 / (e.s[i] * e.s[i]);
    sx += e.x[i] / (e.s[i] * e.s[i]);
    w_sum += 1 / (e.u[i] * e.u[i]);
    wx += e.x[i] / (e.u[i] * e.u[i]);
  }
  const double link2 = e.u_link * e.u_link;
  const auto effect = keycomp::AnalyseCorrelationEffect(e.comparison, OptionsFor("gls"));
  const auto& with = effect.with_correlations.results.front();
  const auto& without = effect.without_correlations.results.front();
  REQUIRE(with.result.status == keycomp::Status::kOk);
  CHECK(Rel(with.result.value, sx / s_sum) < 1e-12);
  CHECK(Rel(with.result.u, std::sqrt(1 / s_sum + link2)) < 1e-12);
  CHECK(Rel(without.result.value, wx / w_sum) < 1e-12);
  CHECK(Rel(without.result.u, 1 / std::sqrt(w_sum)) < 1e-12);
  for (std::size_t i = 0; i < n; ++i) {
    INFO("lab " << with.doe.labs[i].lab);
    CHECK(Rel(with.doe.labs[i].d, e.x[i] - sx / s_sum) < 1e-11);
    CHECK(Rel(with.doe.labs[i].u, std::sqrt(e.s[i] * e.s[i] - 1 / s_sum)) < 1e-11);
    CHECK(Rel(without.doe.labs[i].u, std::sqrt(e.u[i] * e.u[i] - 1 / w_sum)) < 1e-11);
  }
}

TEST_CASE("correlation effect: Monte Carlo options are not carried into the comparison",
          "[correlation_effect]") {
  const Example e = LoadExample();
  auto options = OptionsFor("weighted_mean");
  options.mc.trials = 1000;
  const auto effect = keycomp::AnalyseCorrelationEffect(e.comparison, options);
  CHECK(effect.options.mc.trials == 0);
  CHECK(effect.with_correlations.results.front().uncertainty_method == "analytic");
  CHECK_FALSE(effect.with_correlations.results.front().mc.has_value());
}
