// REML: closed-form cases with equal u, the boundary at tau^2 = 0, the maximum checked
// against an independent long-double likelihood, a published re-analysis, options.
// (Agreement with metafor on 61 cases: metafor_oracle_test.cc.)
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "core/input_error.h"
#include "likelihood_test_support.h"
#include "random_effects_test_support.h"

using re_test::Extra;
using re_test::MakeComparison;
using re_test::Run;

namespace {
constexpr bool kRestricted = true;
const char* const kName = "reml";
}  // namespace

TEST_CASE("REML: equal u, tau^2 = SS/(n-1) - u^2 by hand", "[reml]") {
  // With equal u the restricted score SS/(u^2+t)^2 - (n-1)/(u^2+t) vanishes at
  // u^2 + t = SS/(n-1). x = -/+ 1.5, u = 1: tau^2 = 3.5. x = (-3, -1, 1, 3): tau^2 = 17/3,
  // u(mu)^2 = 5/3, KH q = 1.
  const auto two = Run(kName, MakeComparison({-1.5, 1.5}, {1, 1}));
  REQUIRE(two.status == keycomp::Status::kOk);
  CHECK(Extra(two, "tau2") == Approx(3.5).epsilon(1e-14));
  CHECK(two.u == Approx(std::sqrt(4.5 / 2)).epsilon(1e-14));
  const auto c = MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1});
  const auto four = Run(kName, c);
  CHECK(Extra(four, "tau2") == Approx(17.0 / 3).epsilon(1e-14));
  CHECK(four.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
  const auto kh = Run(kName, c, {{"u", "knapp_hartung"}});
  CHECK(Extra(kh, "knapp_hartung_q") == Approx(1.0).epsilon(1e-14));
  CHECK(kh.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
}

TEST_CASE("REML: boundary, the score at 0 is negative and tau is exactly 0", "[reml]") {
  // x = (-0.5, 0.5, 0.1, -0.1), u = 1: restricted score at 0 = SS - (n-1) = 0.52 - 3 < 0.
  const std::vector<double> x{-0.5, 0.5, 0.1, -0.1}, u{1, 1, 1, 1};
  const auto r = Run(kName, MakeComparison(x, u));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(*r.tau == 0);
  CHECK(r.message.find("boundary") != std::string::npos);
  CHECK(re_test::ProfileLogLikelihood(x, u, 0, kRestricted) >
        re_test::ProfileLogLikelihood(x, u, 1e-6, kRestricted));
}

TEST_CASE("REML: CCQM-K145 Ni, the IUPAC guide's REML + Knapp-Hartung re-analysis",
          "[reml][dataset]") {
  // datasets/ccqm_k145_ni_bovine_liver/published.json: metafor rma(method="REML",
  // test="knha"): 2.0428, se 0.0159, tau 0.0463, Q 40.1205, 95 % interval [2.0091, 2.0765]
  // (t with 16 dof), printed to 4 decimals.
  const std::string dir = std::string(KEYCOMP_SOURCE_DIR) + "/datasets/ccqm_k145_ni_bovine_liver";
  const auto published = nlohmann::json::parse(re_test::Slurp(dir + "/published.json"));
  REQUIRE(published.at("method") == "reml");
  const double half_unit = 0.5e-4 + 1e-12;
  const auto r =
      Run(kName, keycomp::ReadComparisonFile(dir + "/results.csv"), {{"u", "knapp_hartung"}});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(std::abs(r.value - published.at("kcrv").get<double>()) <= half_unit);
  CHECK(std::abs(r.u - published.at("u_kcrv").get<double>()) <= half_unit);
  CHECK(std::abs(*r.tau - published.at("tau").get<double>()) <= half_unit);
  CHECK(std::abs(Extra(r, "cochran_q") - published.at("cochran_Q").get<double>()) <= half_unit);
  CHECK(std::abs(r.interval_low - published.at("ci95")[0].get<double>()) <= half_unit);
  CHECK(std::abs(r.interval_high - published.at("ci95")[1].get<double>()) <= half_unit);
  CHECK(r.interval_method == "student_t(16)");
}

TEST_CASE("REML: the estimate is the maximum of an independent long-double likelihood", "[reml]") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> spread(0, std::log(100.0));
  int interior = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 2 + static_cast<std::size_t>(trial) * 2;
    std::vector<double> x(n), u(n);
    for (std::size_t i = 0; i < n; ++i) {
      u[i] = std::exp(spread(rng));
      x[i] = 5 * normal(rng) + u[i] * normal(rng);
    }
    const auto r = Run(kName, MakeComparison(x, u));
    REQUIRE(r.status == keycomp::Status::kOk);
    const long double t = Extra(r, "tau2");
    INFO("n = " << n << ", tau2 = " << (double)t);
    const long double l = re_test::ProfileLogLikelihood(x, u, t, kRestricted);
    if (t == 0) {
      CHECK(l > re_test::ProfileLogLikelihood(x, u, 1e-9L, kRestricted));
      continue;
    }
    ++interior;
    // A maximum: lower on both sides; and its value within rounding of the best nearby point.
    CHECK(l > re_test::ProfileLogLikelihood(x, u, t * (1 - 1e-5L), kRestricted));
    CHECK(l > re_test::ProfileLogLikelihood(x, u, t * (1 + 1e-5L), kRestricted));
    // The score (central difference) vanishes relative to its scale sum w.
    const long double h = t * 1e-6L;
    const long double score = (re_test::ProfileLogLikelihood(x, u, t + h, kRestricted) -
                               re_test::ProfileLogLikelihood(x, u, t - h, kRestricted)) /
                              (2 * h);
    long double sw = 0;
    for (std::size_t i = 0; i < n; ++i) sw += 1.0L / ((long double)u[i] * u[i] + t);
    CHECK(std::abs((double)(score / sw)) < 1e-6);
  }
  CHECK(interior >= 10);
}

TEST_CASE("REML: settings are checked", "[reml]") {
  const auto c = MakeComparison({0, 1, 5}, {1, 1, 1});
  CHECK_THROWS_AS(Run(kName, c, {{"u", "birge"}}), keycomp::InputError);
  CHECK_THROWS_AS(Run(kName, c, {{"max_iterations", "3"}}), keycomp::InputError);
}
