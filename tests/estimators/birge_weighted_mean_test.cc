// Birge-scaled weighted mean and Bodnar & Elster's correction: closed forms, the percentages
// quoted in the paper's abstract, the n >= 4 requirement (library and command line).
#include <catch2/catch.hpp>
#include <cmath>

#include "core/input_error.h"
#include "random_effects_test_support.h"

using re_test::Extra;
using re_test::MakeComparison;
using re_test::Run;

namespace {
constexpr double kT3 = 3.1824463052837078;  // R 4.2: qt(0.975, 3)
}  // namespace

TEST_CASE("Birge: inconsistent data, u = R_B/sqrt(W) by hand", "[birge_weighted_mean]") {
  // x = (-3, -1, 1, 3), u = 1: W = 4, chi2 = 20, R_B = sqrt(20/3), u = sqrt(5/3).
  const auto r = Run("birge_weighted_mean", MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1}));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(std::abs(r.value) <= 1e-15);
  CHECK(Extra(r, "birge_ratio") == Approx(std::sqrt(20.0 / 3)).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
  CHECK(*r.u_internal == Approx(0.5).epsilon(1e-15));
  CHECK(r.u_kind == "birge");
  CHECK(r.interval_method == "normal");
  for (int i = 0; i < 4; ++i) CHECK(r.weights(i) == Approx(0.25).epsilon(1e-15));
  REQUIRE(r.warnings.size() == 1);  // 4 labs: the Birge u is too small (Bodnar & Elster)
}

TEST_CASE("Birge: consistent data keep the internal u", "[birge_weighted_mean]") {
  // chi2 = 0.52 < n - 1: max(1, R_B) = 1.
  const auto r = Run("birge_weighted_mean", MakeComparison({-0.5, 0.5, 0.1, -0.1}, {1, 1, 1, 1}));
  CHECK(r.u == Approx(0.5).epsilon(1e-15));
  CHECK(r.warnings.empty());
}

TEST_CASE("Bodnar-Elster: u = sqrt((n-1)/(n-3)) R_B/sqrt(W) and the t_{n-1} interval",
          "[birge_weighted_mean]") {
  // Same data: the posterior of mu is x_wm + sqrt(5/3) t_3, its sd sqrt(3) sqrt(5/3) = sqrt(5).
  const auto c = MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1});
  const auto r = Run("birge_weighted_mean", c, {{"factor", "bodnar_elster"}});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.u == Approx(std::sqrt(5.0)).epsilon(1e-14));
  CHECK(r.u_kind == "bodnar_elster");
  CHECK(r.interval_method == "student_t(3)");
  CHECK(r.interval_high == Approx(kT3 * std::sqrt(5.0 / 3)).epsilon(1e-13));
  CHECK(r.interval_low == Approx(-kT3 * std::sqrt(5.0 / 3)).epsilon(1e-13));
}

TEST_CASE(
    "Bodnar-Elster: the increases quoted in the paper's abstract (73 % at n = 4, 13 % at n = 10)",
    "[birge_weighted_mean]") {
  // Bodnar & Elster, Metrologia 51 (2014) 516, abstract: "for n = 4 we get an increase of 73%
  // in the standard uncertainty ... and for n = 10 the increase is still 13%", relative to the
  // conventional Birge u = R_B/sqrt(W).
  for (auto [n, percent] : {std::pair{4, 73}, std::pair{10, 13}}) {
    std::vector<double> x, u;
    for (int i = 0; i < n; ++i) {
      x.push_back(3 * std::cos(1.7 * i));
      u.push_back(1 + 0.2 * i);
    }
    const auto c = MakeComparison(x, u);
    const auto birge = Run("birge_weighted_mean", c);
    const auto be = Run("birge_weighted_mean", c, {{"factor", "bodnar_elster"}});
    REQUIRE(Extra(birge, "birge_ratio") > 1);
    CHECK(std::lround(100 * (be.u / birge.u - 1)) == percent);
  }
}

TEST_CASE("Bodnar-Elster needs four labs: input error naming the estimator and the minimum",
          "[birge_weighted_mean]") {
  const auto c = MakeComparison({0, 1, 3}, {1, 1, 1});
  try {
    Run("birge_weighted_mean", c, {{"factor", "bodnar_elster"}});
    FAIL("no InputError");
  } catch (const keycomp::InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("birge_weighted_mean") != std::string::npos);
    CHECK(what.find("at least 4") != std::string::npos);
  }
  const auto cli = re_test::RunAnalyse("lab,value,u\nA,0,1\nB,1,1\nC,3,1\n",
                                       "-e birge_weighted_mean --set "
                                       "birge_weighted_mean.factor=bodnar_elster --format json",
                                       "be3");
  CHECK(cli.exit_code == 2);
  CHECK(cli.err.find("at least 4") != std::string::npos);
  CHECK_THROWS_AS(Run("birge_weighted_mean", c, {{"factor", "codata"}}), keycomp::InputError);
}
