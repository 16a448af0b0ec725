#include "estimators/arithmetic_mean.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/input_error.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {
const auto kData = "lab,value,u\nA,1,1\nB,2,1\nC,4,2\n";
}

TEST_CASE("arithmetic_mean: closed form, both uncertainties", "[arithmetic_mean]") {
  // mean 7/3; s^2 = 7/3, u_external = s/sqrt(3) = sqrt(7)/3; u_internal = sqrt(6)/3.
  const auto c = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("arithmetic_mean"), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(7.0 / 3).epsilon(1e-15));
  CHECK(*r.u_external == Approx(std::sqrt(7.0) / 3).epsilon(1e-15));
  CHECK(*r.u_internal == Approx(std::sqrt(6.0) / 3).epsilon(1e-15));
  CHECK(r.u == *r.u_external);
  CHECK(r.u_kind == "external");
  CHECK(r.interval_low == Approx(7.0 / 3 - 1.959963984540054 * std::sqrt(7.0) / 3).epsilon(1e-14));

  keycomp::EstimatorOptions internal;
  internal.settings["u"] = "internal";
  const auto ri = keycomp::RunEstimator(*keycomp::FindEstimator("arithmetic_mean"), c, internal);
  CHECK(ri.u == *ri.u_internal);
}

TEST_CASE("arithmetic_mean: bad settings are refused", "[arithmetic_mean]") {
  const auto c = keycomp::ParseComparisonCsv(kData, "t.csv");
  keycomp::EstimatorOptions bad;
  bad.settings["u"] = "both";
  CHECK_THROWS_AS(keycomp::RunEstimator(*keycomp::FindEstimator("arithmetic_mean"), c, bad),
                  keycomp::InputError);
  keycomp::EstimatorOptions unknown;
  unknown.settings["weights"] = "1";
  CHECK_THROWS_AS(keycomp::RunEstimator(*keycomp::FindEstimator("arithmetic_mean"), c, unknown),
                  keycomp::InputError);
}
