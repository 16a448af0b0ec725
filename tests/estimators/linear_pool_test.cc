// linear_pool: closed-form mixture moments, quantiles checked against an independently written
// mixture CDF, user weights, Student components, draws, and the NIST Consensus Builder's
// treatment of dof <= 2 (parity with its code: linear_pool_nicob_oracle_test.cc).
#include "estimators/linear_pool.h"

#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/input_error.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

const keycomp::Estimator& Pool() { return *keycomp::FindEstimator("linear_pool"); }

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

TEST_CASE("linear_pool: equal-weight normal mixture in closed form", "[linear_pool]") {
  // x = (0, 1, 3), u = (1, 0.5, 2): mean 4/3; variance = mean of u^2 + (x - 4/3)^2
  //   = (1 + 16/9 + 0.25 + 1/9 + 4 + 25/9) / 3 = (5.25 + 42/9) / 3.
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,0,1\nB,1,0.5\nC,3,2\n", "t.csv");
  const auto r = keycomp::RunEstimator(Pool(), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(4.0 / 3).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt((5.25 + 42.0 / 9) / 3)).epsilon(1e-14));
  auto cdf = [](double m) {
    return (NormalCdf(m / 1) + NormalCdf((m - 1) / 0.5) + NormalCdf((m - 3) / 2)) / 3;
  };
  CHECK(cdf(r.interval_low) == Approx(0.025).epsilon(1e-12));
  CHECK(cdf(r.interval_high) == Approx(0.975).epsilon(1e-12));
  CHECK(r.weights.size() == 0);
  // Draws: mean within 4.5 standard errors, 2.5 % tail within 4.5 binomial standard errors.
  REQUIRE(r.kcrv_draws.size() == 100000);
  double mean = 0, below = 0;
  for (double v : r.kcrv_draws) {
    mean += v / 1e5;
    below += v < r.interval_low ? 1 : 0;
  }
  CHECK(std::abs(mean - r.value) < 4.5 * r.u / std::sqrt(1e5));
  CHECK(std::abs(below / 1e5 - 0.025) < 4.5 * std::sqrt(0.025 * 0.975 / 1e5));
}

TEST_CASE("linear_pool: user weights and inverse-variance weights", "[linear_pool]") {
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,0,1\nB,1,0.5\nC,3,2\n", "t.csv");
  keycomp::EstimatorOptions o;
  o.settings = {{"weights", "0,1,0"}};
  auto r = keycomp::RunEstimator(Pool(), c, o);
  CHECK(r.value == Approx(1).epsilon(1e-15));
  CHECK(r.u == Approx(0.5).epsilon(1e-15));
  CHECK(r.interval_high == Approx(1 + 0.5 * 1.959963984540054).epsilon(1e-12));
  o.settings = {{"weights", "inverse_variance"}};
  r = keycomp::RunEstimator(Pool(), c, o);
  // w = (1, 4, 0.25) / 5.25
  CHECK(r.value == Approx((4 + 0.75) / 5.25).epsilon(1e-14));
  o.settings = {{"weights", "1,2"}};
  CHECK_THROWS_AS(keycomp::RunEstimator(Pool(), c, o), keycomp::InputError);
  o.settings = {{"weights", "1,-2,1"}};
  CHECK_THROWS_AS(keycomp::RunEstimator(Pool(), c, o), keycomp::InputError);
}

TEST_CASE("linear_pool: Student components scaled to sd u", "[linear_pool]") {
  const auto c = keycomp::ParseComparisonCsv("lab,value,u,dof\nA,0,1,5\nB,2,1,\n", "t.csv");
  const auto r = keycomp::RunEstimator(Pool(), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.value == Approx(1).epsilon(1e-14));
  CHECK(r.u == Approx(std::sqrt(2.0)).epsilon(1e-14));  // mean of (1 + 1) and (1 + 1)
  const double scale = std::sqrt(3.0 / 5.0);
  auto cdf = [&](double m) {
    return 0.5 * boost::math::cdf(boost::math::students_t(5.0), m / scale) + 0.5 * NormalCdf(m - 2);
  };
  CHECK(cdf(r.interval_low) == Approx(0.025).epsilon(1e-12));
  CHECK(cdf(r.interval_high) == Approx(0.975).epsilon(1e-12));
}

TEST_CASE("linear_pool: the Consensus Builder's factor for dof <= 2", "[linear_pool]") {
  // Values of linearOP.R's phi evaluated in R 4.2.2 (%.17g).
  CHECK(keycomp::NicobSmallDofFactor(1) == Approx(2.6649903295664026).epsilon(1e-14));
  CHECK(keycomp::NicobSmallDofFactor(1.5) == Approx(2.1830988678135155).epsilon(1e-14));
  CHECK(keycomp::NicobSmallDofFactor(2) == Approx(1.9802815160920453).epsilon(1e-14));
}

TEST_CASE("linear_pool: dof <= 2 as the Consensus Builder treats it, by default", "[linear_pool]") {
  const auto c = keycomp::ReadComparisonFile(std::string(KEYCOMP_SOURCE_DIR) +
                                             "/datasets/ccqm_k25_pcb28/results.csv");
  const auto r = keycomp::RunEstimator(Pool(), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  // The mixture mean exists (dof > 1): the mean of the six values, exactly.
  CHECK(r.value == Approx((34.30 + 32.90 + 34.53 + 32.42 + 31.90 + 35.80) / 6).epsilon(1e-14));
  CHECK(r.u_kind == "sample_sd_of_draws");
  REQUIRE(r.kcrv_draws.size() == 100000);
  double mean = 0, sq = 0;
  for (double v : r.kcrv_draws) mean += v / 1e5;
  for (double v : r.kcrv_draws) sq += (v - mean) * (v - mean);
  CHECK(r.u == Approx(std::sqrt(sq / (1e5 - 1))).epsilon(1e-12));  // u is the draws' sd
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Matchers::Contains("'NIST' (2 dof"));
  CHECK_THAT(r.warnings[0], Catch::Matchers::Contains("sample figure"));
  CHECK_THAT(r.warnings[0], Catch::Matchers::Contains("coverage interval is the reliable"));
  // The interval is the mixture's, with NIST's component x + (u / phi(2)) t_2.
  const double x[] = {34.30, 32.90, 34.53, 32.42, 31.90, 35.80};
  const double u[] = {1.03, 0.69, 0.83, 0.29, 0.40, 0.38};
  const double nu[] = {60, 4, 18, 2, 13, 60};
  auto cdf = [&](double m) {
    double p = 0;
    for (int i = 0; i < 6; ++i) {
      const double s =
          nu[i] > 2 ? u[i] * std::sqrt((nu[i] - 2) / nu[i]) : u[i] / 1.9802815160920453;
      p += boost::math::cdf(boost::math::students_t(nu[i]), (m - x[i]) / s) / 6;
    }
    return p;
  };
  CHECK(cdf(r.interval_low) == Approx(0.025).epsilon(1e-10));
  CHECK(cdf(r.interval_high) == Approx(0.975).epsilon(1e-10));
  // The same seed gives the same u; another seed another u.
  CHECK(keycomp::RunEstimator(Pool(), c, {}).u == r.u);
  keycomp::EstimatorOptions other;
  other.seed = 7;
  CHECK(keycomp::RunEstimator(Pool(), c, other).u != r.u);
}

TEST_CASE("linear_pool: dof=strict refuses dof <= 2, dof=ignore uses normals", "[linear_pool]") {
  const auto c = keycomp::ReadComparisonFile(std::string(KEYCOMP_SOURCE_DIR) +
                                             "/datasets/ccqm_k25_pcb28/results.csv");
  keycomp::EstimatorOptions o;
  o.settings = {{"dof", "strict"}};
  auto r = keycomp::RunEstimator(Pool(), c, o);
  CHECK(r.status == keycomp::Status::kFailed);
  CHECK_THAT(r.message, Catch::Matchers::Contains("lab 'NIST' has 2 degrees of freedom"));
  o.settings = {{"dof", "ignore"}};
  r = keycomp::RunEstimator(Pool(), c, o);
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.u_kind == "mixture_sd");
  CHECK(r.warnings.empty());
  CHECK(r.value == Approx((34.30 + 32.90 + 34.53 + 32.42 + 31.90 + 35.80) / 6).epsilon(1e-14));
}

TEST_CASE("linear_pool: dof 1 (no mean), dof below 1, zero weight on a heavy lab",
          "[linear_pool]") {
  auto c = keycomp::ParseComparisonCsv("lab,value,u,dof\nA,0,1,1\nB,2,1,\nC,3,1,\n", "t.csv");
  auto r = keycomp::RunEstimator(Pool(), c, {});
  REQUIRE(r.status == keycomp::Status::kOk);
  double mean = 0;
  for (double v : r.kcrv_draws) mean += v;
  CHECK(r.value == Approx(mean / 1e5).epsilon(1e-12));  // the draws' mean
  CHECK_THAT(r.warnings.at(0), Catch::Matchers::Contains("no mean either"));
  // The median of the mixture is well defined: between the Cauchy's centre and the others.
  CHECK(r.extra.at(0).name == "mixture_median");
  CHECK(r.extra.at(0).value > 0);
  CHECK(r.extra.at(0).value < 3);

  c = keycomp::ParseComparisonCsv("lab,value,u,dof\nA,0,1,0.5\nB,2,1,\nC,3,1,\n", "t.csv");
  r = keycomp::RunEstimator(Pool(), c, {});
  CHECK(r.status == keycomp::Status::kFailed);
  CHECK_THAT(r.message, Catch::Matchers::Contains("dof >= 1 only"));

  // A heavy lab with weight 0 does not enter the pool: closed-form moments, no warning.
  c = keycomp::ParseComparisonCsv("lab,value,u,dof\nA,0,1,2\nB,2,1,\nC,3,1,\n", "t.csv");
  keycomp::EstimatorOptions o;
  o.settings = {{"weights", "0,1,1"}};
  r = keycomp::RunEstimator(Pool(), c, o);
  REQUIRE(r.status == keycomp::Status::kOk);
  CHECK(r.warnings.empty());
  CHECK(r.u == Approx(std::sqrt(1 + 0.25)).epsilon(1e-14));
}

TEST_CASE("linear_pool: consistent with the NIST Consensus Builder's PCB 28 pool",
          "[linear_pool]") {
  // datasets/ccqm_k25_pcb28/published.json, alternative "linear_pool": NICOB's unilateral DoE
  // d_i = x_i - consensus imply a consensus of x_IRMM - d_IRMM = 34.30 - 0.6600223 = 33.6399777,
  // the mean of NICOB's Monte Carlo draws from the equal-weight pool (linearOP.R). Its sample
  // size is not printed (the code's comment says 1e5); assuming at least 1e4 draws, its Monte
  // Carlo standard error is at most u / sqrt(1e4). The pool's mean does not depend on how the
  // components' dof are treated (they are symmetric), so dof=ignore is used for a finite u.
  const auto c = keycomp::ReadComparisonFile(std::string(KEYCOMP_SOURCE_DIR) +
                                             "/datasets/ccqm_k25_pcb28/results.csv");
  keycomp::EstimatorOptions o;
  o.settings = {{"dof", "ignore"}};
  const auto r = keycomp::RunEstimator(Pool(), c, o);
  REQUIRE(r.status == keycomp::Status::kOk);
  const double nicob = 34.30 - 0.6600223;
  WARN("linear_pool PCB 28: " << r.value << " vs NICOB " << nicob << " (diff " << r.value - nicob
                              << ", MC se <= " << r.u / 100 << ")");
  CHECK(std::abs(r.value - nicob) < 4.5 * r.u / std::sqrt(1e4));
}
