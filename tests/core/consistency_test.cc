#include "core/consistency.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/read_comparison.h"

namespace {

keycomp::Comparison Make(const std::string& rows) {
  return keycomp::ParseComparisonCsv("lab,value,u,include\n" + rows, "t.csv");
}

}  // namespace

TEST_CASE("Consistency: two labs, closed form", "[consistency]") {
  // x = (0, 1), u = (1, 1): x_wm = 1/2, chi2 = 1/2, P(chi2_1 > 1/2) = erfc(1/2).
  const auto c = keycomp::CheckConsistency(Make("A,0,1,1\nB,1,1,1\n"));
  CHECK(c.dof == 1);
  CHECK(c.chi2 == Approx(0.5).epsilon(1e-15));
  CHECK(c.p_value == Approx(std::erfc(0.5)).epsilon(1e-14));
  CHECK(c.birge_ratio == Approx(std::sqrt(0.5)).epsilon(1e-15));
  CHECK(c.i2 == 0);
  CHECK(c.weighted_mean == Approx(0.5).epsilon(1e-15));
}

TEST_CASE("Consistency: three labs, closed form, excluded lab ignored", "[consistency]") {
  // x = (1, 2, 4), u = (1, 1, 2): x_wm = 16/9, chi2 = 17/9, dof 2, p = exp(-chi2/2).
  const auto c = keycomp::CheckConsistency(Make("A,1,1,1\nB,2,1,1\nC,4,2,1\nD,100,1,0\n"));
  CHECK(c.dof == 2);
  CHECK(c.chi2 == Approx(17.0 / 9).epsilon(1e-15));
  CHECK(c.p_value == Approx(std::exp(-17.0 / 18)).epsilon(1e-14));
  CHECK(c.birge_ratio == Approx(std::sqrt(17.0 / 18)).epsilon(1e-15));
  CHECK(c.i2 == 0);
  CHECK(c.weighted_mean == Approx(16.0 / 9).epsilon(1e-15));
}

TEST_CASE("Consistency: I2 of an inconsistent set, closed form", "[consistency]") {
  // x = (0, 10), u = (1, 1): chi2 = 50, dof 1, I2 = 49/50, p = erfc(5).
  const auto c = keycomp::CheckConsistency(Make("A,0,1,1\nB,10,1,1\n"));
  CHECK(c.chi2 == Approx(50).epsilon(1e-15));
  CHECK(c.i2 == Approx(49.0 / 50).epsilon(1e-15));
  CHECK(c.p_value == Approx(std::erfc(5.0)).epsilon(1e-12));
  CHECK_FALSE(c.Passes());
}

TEST_CASE("Consistency: invariant to location and scale at kg and 1e9 magnitudes",
          "[consistency]") {
  const auto base = keycomp::CheckConsistency(Make("A,1,1,1\nB,2,1,1\nC,4,2,1\n"));
  const auto kg = keycomp::CheckConsistency(
      Make("A,1.000000001,1e-9,1\nB,1.000000002,1e-9,1\nC,1.000000004,2e-9,1\n"));
  const auto big = keycomp::CheckConsistency(Make("A,2.21e9,1e7,1\nB,2.22e9,1e7,1\nC,2.24e9,2e7,1\n"));
  // The kg values carry a representation error of ~1e-16 relative to 1e-9 spreads: ~1e-7.
  CHECK(kg.chi2 == Approx(base.chi2).epsilon(1e-6));
  CHECK(big.chi2 == Approx(base.chi2).epsilon(1e-12));
}
