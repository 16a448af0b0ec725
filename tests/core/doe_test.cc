#include "core/doe.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

// x = (1, 2, 4), u = (1, 1, 2) included; D = (3, 1) excluded.
// Weighted mean: a = (4/9, 4/9, 1/9), x_ref = 16/9, u_ref^2 = 4/9.
// Independent closed form for a linear KCRV: var(d_i) = sum_j (delta_ij - a_j)^2 u_j^2.
const char* kData = "lab,value,u,include\nA,1,1,1\nB,2,1,1\nC,4,2,1\nD,3,1,0\n";

double IndependentVariance(std::size_t i, const std::vector<double>& a,
                           const std::vector<double>& u) {
  double v = 0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const double c = (i == j ? 1.0 : 0.0) - a[j];
    v += c * c * u[j] * u[j];
  }
  return v;
}

}  // namespace

TEST_CASE("Analytic DoE of the weighted mean, included and excluded labs", "[doe]") {
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto* wm = keycomp::FindEstimator("weighted_mean");
  const auto result = keycomp::RunEstimator(*wm, comparison, {});
  const auto doe = keycomp::ComputeAnalyticDoe(comparison, wm->info, result, {});
  REQUIRE(doe.labs.size() == 4);
  CHECK(doe.coverage_factor == 2);
  CHECK(doe.covariance == "linear");
  CHECK(doe.dark == keycomp::DarkUncertainty::kIgnored);

  const std::vector<double> a = {4.0 / 9, 4.0 / 9, 1.0 / 9, 0};
  const std::vector<double> u = {1, 1, 2, 1};
  const std::vector<double> x = {1, 2, 4, 3};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("lab " << doe.labs[i].lab);
    CHECK(doe.labs[i].d == Approx(x[i] - 16.0 / 9).epsilon(1e-14));
    double var = IndependentVariance(i, a, u);
    if (i == 3) var = 1 + 4.0 / 9;  // excluded: u_i^2 + u_ref^2
    CHECK(doe.labs[i].u == Approx(std::sqrt(var)).epsilon(1e-14));
    CHECK(doe.labs[i].expanded == Approx(2 * std::sqrt(var)).epsilon(1e-14));
    CHECK(doe.labs[i].en == Approx((x[i] - 16.0 / 9) / (2 * std::sqrt(var))).epsilon(1e-13));
    CHECK(doe.labs[i].low == Approx(doe.labs[i].d - doe.labs[i].expanded).epsilon(1e-14));
  }
  CHECK(doe.labs[0].u == Approx(std::sqrt(5.0 / 9)).epsilon(1e-14));   // u_i^2 - u_ref^2
  CHECK(doe.labs[2].u == Approx(std::sqrt(32.0 / 9)).epsilon(1e-14));
  CHECK(doe.labs[0].included);
  CHECK_FALSE(doe.labs[3].included);
}

TEST_CASE("Analytic DoE of the arithmetic mean uses its weights 1/n", "[doe]") {
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto* am = keycomp::FindEstimator("arithmetic_mean");
  keycomp::EstimatorOptions options;
  options.settings["u"] = "internal";
  const auto result = keycomp::RunEstimator(*am, comparison, options);
  const auto doe = keycomp::ComputeAnalyticDoe(comparison, am->info, result, {});
  // Internal u of the mean is exactly the propagated one, so the closed form applies.
  const std::vector<double> a = {1.0 / 3, 1.0 / 3, 1.0 / 3, 0};
  const std::vector<double> u = {1, 1, 2, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(doe.labs[i].u == Approx(std::sqrt(IndependentVariance(i, a, u))).epsilon(1e-14));
  }
}

TEST_CASE("Analytic DoE coverage factor is 2 at 95 % and the normal quantile otherwise",
          "[doe]") {
  CHECK(keycomp::DoeCoverageFactor(0.95) == 2);
  CHECK(keycomp::DoeCoverageFactor(0.99) == Approx(2.5758293035489004).epsilon(1e-14));
}

TEST_CASE("Analytic DoE of a non-linear estimator neglects the covariance and says so",
          "[doe]") {
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto* median = keycomp::FindEstimator("median");
  const auto result = keycomp::RunEstimator(*median, comparison, {});
  const auto doe = keycomp::ComputeAnalyticDoe(comparison, median->info, result, {});
  CHECK(doe.covariance == "neglected");
  CHECK(doe.labs[0].u == Approx(std::sqrt(1 + result.u * result.u)).epsilon(1e-14));
}
