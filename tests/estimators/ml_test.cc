// ML: closed-form cases with equal u, the boundary at tau^2 = 0, the maximum checked
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
constexpr bool kRestricted = false;
const char* const kName = "ml";
}  // namespace

TEST_CASE("ML: equal u, tau^2 = SS/n - u^2 by hand", "[ml]") {
  // With equal u the score sum w^2 r^2 - sum w vanishes at u^2 + t = SS/n.
  // x = -/+ 1.5, u = 1: SS = 4.5, tau^2 = 1.25, u(mu)^2 = 2.25/2.
  const auto two = Run(kName, MakeComparison({-1.5, 1.5}, {1, 1}));
  REQUIRE(two.status == keycomp::Status::kOk);
  CHECK(Extra(two, "tau2") == Approx(1.25).epsilon(1e-14));
  CHECK(two.u == Approx(std::sqrt(2.25 / 2)).epsilon(1e-14));
  // x = (-3, -1, 1, 3), u = 1: SS = 20, tau^2 = 4, u(mu)^2 = 5/4; KH q = n/(n-1) = 4/3.
  const auto c = MakeComparison({-3, -1, 1, 3}, {1, 1, 1, 1});
  const auto four = Run(kName, c);
  CHECK(Extra(four, "tau2") == Approx(4.0).epsilon(1e-14));
  CHECK(four.u == Approx(std::sqrt(5.0 / 4)).epsilon(1e-14));
  const auto kh = Run(kName, c, {{"u", "knapp_hartung"}});
  CHECK(Extra(kh, "knapp_hartung_q") == Approx(4.0 / 3).epsilon(1e-14));
  CHECK(kh.u == Approx(std::sqrt(5.0 / 3)).epsilon(1e-14));
}

TEST_CASE("ML: boundary, the score at 0 is negative and tau is exactly 0", "[ml]") {
  // x = (-0.5, 0.5, 0.1, -0.1), u = 1: score at 0 = SS - n = 0.52 - 4 < 0.
  const std::vector<double> x{-0.5, 0.5, 0.1, -0.1}, u{1, 1, 1, 1};
  const auto r = Run(kName, MakeComparison(x, u));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(*r.tau == 0);
  CHECK(r.message.find("boundary") != std::string::npos);
  CHECK(re_test::ProfileLogLikelihood(x, u, 0, kRestricted) >
        re_test::ProfileLogLikelihood(x, u, 1e-6, kRestricted));
}

TEST_CASE("ML: CCQM-K145 Ni, the IUPAC guide's maximum-likelihood re-analysis", "[ml][dataset]") {
  // datasets/ccqm_k145_ni_bovine_liver/published.json, alternative "ml" (bbmle::mle2):
  // 2.043 (0.015), tau 0.044, printed to 3 decimals.
  const std::string dir = std::string(KEYCOMP_SOURCE_DIR) + "/datasets/ccqm_k145_ni_bovine_liver";
  const auto published = nlohmann::json::parse(re_test::Slurp(dir + "/published.json"));
  const nlohmann::json* ml = nullptr;
  for (const auto& alt : published.at("alternatives")) {
    if (alt.at("method") == "ml") ml = &alt;
  }
  REQUIRE(ml != nullptr);
  const double half_unit = 0.5e-3 + 1e-12;
  const auto r = Run(kName, keycomp::ReadComparisonFile(dir + "/results.csv"));
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(std::abs(r.value - ml->at("kcrv").get<double>()) <= half_unit);
  CHECK(std::abs(r.u - ml->at("u_kcrv").get<double>()) <= half_unit);
  CHECK(std::abs(*r.tau - ml->at("tau").get<double>()) <= half_unit);
}

TEST_CASE("ML: the estimate is the maximum of an independent long-double likelihood", "[ml]") {
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

TEST_CASE("ML: settings are checked", "[ml]") {
  const auto c = MakeComparison({0, 1, 5}, {1, 1, 1});
  CHECK_THROWS_AS(Run(kName, c, {{"u", "birge"}}), keycomp::InputError);
  CHECK_THROWS_AS(Run(kName, c, {{"max_iterations", "3"}}), keycomp::InputError);
}
