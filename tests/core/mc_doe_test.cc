// Monte Carlo DoE: agreement with the analytic formulas within Monte Carlo error, published
// bootstrap uncertainty of CCQM-K25, reproducibility across thread counts, leave-one-out and
// pairwise closed forms.
#include "core/mc_doe.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/analysis.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"
#include "test_support.h"

namespace {

// x = (1, 2, 4), u = (1, 1, 2) included; D = (3, 1) excluded.
const char* kData = "lab,value,u,include\nA,1,1,1\nB,2,1,1\nC,4,2,1\nD,3,1,0\n";

// Relative standard error of a sample standard deviation from M normal draws: 1/sqrt(2(M-1)).
double SdRelativeError(std::size_t trials) { return 1 / std::sqrt(2.0 * (trials - 1)); }

}  // namespace

TEST_CASE("MC DoE of the weighted mean matches the analytic formulas", "[mc_doe]") {
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto* wm = keycomp::FindEstimator("weighted_mean");
  const auto point = keycomp::RunEstimator(*wm, comparison, {});
  const auto analytic = keycomp::ComputeAnalyticDoe(comparison, wm->info, point, {});
  keycomp::McDoeOptions options;
  options.trials = 200000;
  options.seed = 7;
  const auto mc = keycomp::RunMonteCarloDoe(*wm, comparison, {}, point, options);
  const double tol = 4 * SdRelativeError(options.trials);  // 4 standard errors
  CHECK(mc.failed_trials == 0);
  CHECK(mc.kcrv.u == Approx(point.u).epsilon(tol));
  CHECK(mc.kcrv.mean == Approx(point.value).margin(4 * point.u / std::sqrt(200000.0)));
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("lab " << analytic.labs[i].lab);
    CHECK(mc.doe.labs[i].d == analytic.labs[i].d);
    CHECK(mc.doe.labs[i].u == Approx(analytic.labs[i].u).epsilon(tol));
    // Normal d: the shortest symmetric 95 % interval has half-width 1.959964 u. The relative
    // error of a quantile estimate is larger than that of an sd: allow 2 %.
    CHECK(mc.doe.labs[i].expanded == Approx(1.959963984540054 * analytic.labs[i].u).epsilon(0.02));
  }
  for (std::size_t k = 0; k < mc.doe.pairwise.size(); ++k) {
    CHECK(mc.doe.pairwise[k].u == Approx(analytic.pairwise[k].u).epsilon(tol));
  }
}

TEST_CASE("MC DoE is bit-identical for any number of threads", "[mc_doe]") {
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  for (const char* name : {"weighted_mean", "median", "dersimonian_laird"}) {
    const auto* e = keycomp::FindEstimator(name);
    REQUIRE(e != nullptr);
    const auto point = keycomp::RunEstimator(*e, comparison, {});
    keycomp::McDoeOptions options;
    options.trials = 50000;  // several blocks of trials
    options.seed = 99;
    options.threads = 1;
    const auto one = keycomp::RunMonteCarloDoe(*e, comparison, {}, point, options);
    options.threads = 2;
    const auto two = keycomp::RunMonteCarloDoe(*e, comparison, {}, point, options);
    options.threads = 3;
    const auto three = keycomp::RunMonteCarloDoe(*e, comparison, {}, point, options);
    INFO(name);
    CHECK(one.kcrv.u == two.kcrv.u);
    CHECK(one.kcrv.u == three.kcrv.u);
    CHECK(one.kcrv.intervals.shortest_low == three.kcrv.intervals.shortest_low);
    for (std::size_t i = 0; i < one.doe.labs.size(); ++i) {
      CHECK(one.doe.labs[i].u == two.doe.labs[i].u);
      CHECK(one.doe.labs[i].expanded == three.doe.labs[i].expanded);
    }
    options.seed = 100;
    const auto other_seed = keycomp::RunMonteCarloDoe(*e, comparison, {}, point, options);
    CHECK(other_seed.kcrv.u != one.kcrv.u);
  }
}

TEST_CASE("DerSimonian-Laird bootstrap u on CCQM-K25 PCB 28 lands on the published 0.77 ng/g",
          "[mc_doe]") {
  // NIST Consensus Builder manual (Koepke et al.): DerSimonian-Laird KCRV 33.6 ng/g with
  // u = 0.77 ng/g by parametric bootstrap (two digits); data datasets/ccqm_k25_pcb28.
  const auto comparison = keycomp::ReadComparisonFile(
      keycomp::testing::SourcePath("datasets/ccqm_k25_pcb28/results.csv"));
  const auto* dl = keycomp::FindEstimator("dersimonian_laird");
  const auto point = keycomp::RunEstimator(*dl, comparison, {});
  keycomp::McDoeOptions options;
  options.trials = 200000;
  options.seed = 2017;
  const auto mc = keycomp::RunMonteCarloDoe(*dl, comparison, {}, point, options);
  // Half a unit in the published last digit plus 4 Monte Carlo standard errors.
  const double tolerance = 0.005 + 4 * 0.77 * SdRelativeError(options.trials);
  CHECK(std::abs(mc.kcrv.u - 0.77) <= tolerance);
  CHECK(mc.kcrv.u > point.u);  // the bootstrap carries the uncertainty of tau
}

TEST_CASE("Leave-one-out DoE of the weighted mean, closed form", "[doe][loo]") {
  // Without A: x_ref(-A) = (2*1 + 4*0.25)/1.25 = 2.4, u^2 = 1/1.25; d = 1 - 2.4,
  // u^2(d) = 1 + 0.8. The excluded lab D keeps the full KCRV 16/9 and u^2 = 1 + 4/9.
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto* wm = keycomp::FindEstimator("weighted_mean");
  const auto point = keycomp::RunEstimator(*wm, comparison, {});
  keycomp::DoeOptions options;
  options.convention = keycomp::DoeConvention::kLeaveOneOut;
  const auto loo = keycomp::ComputeLeaveOneOutDoe(comparison, *wm, {}, point, options);
  CHECK(loo.labs[0].kcrv_without == Approx(2.4).epsilon(1e-14));
  CHECK(loo.labs[0].d == Approx(-1.4).epsilon(1e-14));
  CHECK(loo.labs[0].u == Approx(std::sqrt(1.8)).epsilon(1e-14));
  CHECK(loo.labs[3].d == Approx(3 - 16.0 / 9).epsilon(1e-14));
  CHECK(loo.labs[3].u == Approx(std::sqrt(1 + 4.0 / 9)).epsilon(1e-14));

  // The Monte Carlo leave-one-out agrees within Monte Carlo error.
  keycomp::McDoeOptions mco;
  mco.trials = 100000;
  mco.doe = options;
  const auto mc = keycomp::RunMonteCarloDoe(*wm, comparison, {}, point, mco);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(mc.doe.labs[i].u == Approx(loo.labs[i].u).epsilon(4 * SdRelativeError(mco.trials)));
  }
}

TEST_CASE("Analytic pairwise DoE, closed form with and without tau", "[doe]") {
  const auto comparison = keycomp::ParseComparisonCsv(kData, "t.csv");
  const auto pairs = keycomp::ComputeAnalyticPairwise(comparison, 0.0, 2);
  REQUIRE(pairs.size() == 6);
  CHECK(pairs[1].a == 0);
  CHECK(pairs[1].b == 2);
  CHECK(pairs[1].d == -3);
  CHECK(pairs[1].u == Approx(std::sqrt(5.0)).epsilon(1e-15));
  CHECK(pairs[1].expanded == Approx(2 * std::sqrt(5.0)).epsilon(1e-15));
  const auto with_tau = keycomp::ComputeAnalyticPairwise(comparison, 0.25, 2);
  CHECK(with_tau[1].u == Approx(std::sqrt(5.5)).epsilon(1e-15));
}

TEST_CASE("Correlated results are drawn jointly", "[mc_doe]") {
  // A and B correlated with r = 0.5: u^2(d_AB) = 1 + 1 - 2 * 0.5 = 1.
  const auto comparison = keycomp::ParseComparisonJson(
      R"({"results": [{"lab": "A", "value": 1, "u": 1}, {"lab": "B", "value": 2, "u": 1},
          {"lab": "C", "value": 4, "u": 2}], "correlations": [{"a": "A", "b": "B", "r": 0.5}]})",
      "c.json");
  const auto* am = keycomp::FindEstimator("arithmetic_mean");
  const auto point = keycomp::RunEstimator(*am, comparison, {});
  keycomp::McDoeOptions options;
  options.trials = 100000;
  const auto mc = keycomp::RunMonteCarloDoe(*am, comparison, {}, point, options);
  CHECK(mc.doe.pairwise[0].u == Approx(1.0).epsilon(4 * SdRelativeError(options.trials)));
  const auto analytic = keycomp::ComputeAnalyticPairwise(comparison, 0, 2);
  CHECK(analytic[0].u == Approx(1.0).epsilon(1e-15));
}
