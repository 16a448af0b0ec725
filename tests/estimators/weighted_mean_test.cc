#include "estimators/weighted_mean.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

TEST_CASE("weighted_mean: closed form, internal and Birge-scaled external", "[weighted_mean]") {
  // x = (1, 2, 4), u = (1, 1, 2): W = 9/4, x_wm = 16/9, u_int = 2/3,
  // chi2 = 17/9, R_B = sqrt(17/18), u_ext = R_B * 2/3.
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,4,2\n", "t.csv");
  const auto* wm = keycomp::FindEstimator("weighted_mean");
  const auto r = keycomp::RunEstimator(*wm, c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(16.0 / 9).epsilon(1e-15));
  CHECK(r.u == Approx(2.0 / 3).epsilon(1e-15));
  CHECK(*r.u_internal == r.u);
  CHECK(*r.u_external == Approx(std::sqrt(17.0 / 18) * 2 / 3).epsilon(1e-15));
  REQUIRE(r.weights.size() == 3);
  CHECK(r.weights(0) == Approx(4.0 / 9).epsilon(1e-15));
  CHECK(r.weights(2) == Approx(1.0 / 9).epsilon(1e-15));

  keycomp::EstimatorOptions external;
  external.settings["u"] = "external";
  CHECK(keycomp::RunEstimator(*wm, c, external).u == Approx(std::sqrt(17.0 / 18) * 2 / 3).epsilon(1e-15));
}

TEST_CASE("weighted_mean: a single lab is its own reference", "[weighted_mean]") {
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,5,0.5\n", "t.csv");
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("weighted_mean"), c, {});
  CHECK(r.value == 5);
  CHECK(r.u == 0.5);
  CHECK_FALSE(r.u_external.has_value());
}

TEST_CASE("weighted_mean: digits survive kilogram-scale offsets", "[weighted_mean]") {
  // 1 kg + (1, 2, 4) ug with u = (1, 1, 2) ug: x_wm = 1 kg + 16/9 ug exactly in exact arithmetic.
  const auto c = keycomp::ParseComparisonCsv(
      "lab,value,u\nA,1.000000001,1e-9\nB,1.000000002,1e-9\nC,1.000000004,2e-9\n", "t.csv");
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("weighted_mean"), c, {});
  // The inputs themselves are rounded to ~1.1e-16 kg (1e-7 of their spread).
  CHECK((r.value - 1.0) * 1e9 == Approx(16.0 / 9).epsilon(1e-6));
  CHECK(r.u == Approx(2e-9 / 3).epsilon(1e-15));
}
