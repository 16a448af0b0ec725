#include "estimators/median.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

TEST_CASE("median: even count, MADe-based u, closed form", "[median]") {
  // x = (1, 2, 4, 10): median 3; |x - 3| = (2, 1, 1, 7), MAD = 1.5;
  // MADe = 1.482602218505602 * 1.5; u = sqrt(pi/2) * MADe / 2.
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,4,2\nD,10,1\n", "t.csv");
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("median"), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(3).epsilon(1e-15));
  const double made = 1.482602218505602 * 1.5;
  CHECK(r.u == Approx(std::sqrt(std::acos(-1.0) / 2) * made / 2).epsilon(1e-14));
  CHECK(r.weights.size() == 0);
}

TEST_CASE("median: odd count", "[median]") {
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,5,1\nB,-1,1\nC,2,2\n", "t.csv");
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("median"), c, {});
  CHECK(r.value == 2);
}
