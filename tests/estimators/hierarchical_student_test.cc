// hierarchical_student: with very many dof the Student lab effects become Gaussian, so the
// sampler must reproduce hierarchical_gauss's quadrature within Monte Carlo error; settings.
#include "estimators/hierarchical_student.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "core/input_error.h"
#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"
#include "test_support.h"

namespace {
double Extra(const keycomp::EstimatorResult& r, const std::string& name) {
  for (const auto& e : r.extra) {
    if (e.name == name) return e.value;
  }
  FAIL("no extra value " << name);
  return 0;
}
}  // namespace

TEST_CASE("hierarchical_student: the Gaussian limit matches the quadrature", "[hierarchical_student]") {
  const auto c = keycomp::ReadComparisonFile(
      keycomp::testing::SourcePath("datasets/ccqm_k25_pcb28/results.csv"));
  keycomp::EstimatorOptions options;
  options.settings = {{"sigma", "known"}, {"draws", "1000"}};
  const auto q = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_gauss"), c, options);
  options.settings = {{"sigma", "known"}, {"effect_dof", "1e6"}};
  options.threads = 2;
  const auto s = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_student"), c, options);
  REQUIRE(s.status == keycomp::Status::kOk);
  // Model difference at 1e6 dof is O(1e-6) relative: far below the Monte Carlo error.
  CHECK(std::abs(s.value - q.value) < 4.5 * q.u / std::sqrt(Extra(s, "ess_mu")));
  CHECK(std::abs(s.u - q.u) < 4.5 * 2 * q.u / std::sqrt(2 * Extra(s, "ess_mu")));
  CHECK(std::abs(*s.tau - *q.tau) < 4.5 * Extra(q, "tau_sd") / std::sqrt(Extra(s, "ess_tau")));
}

TEST_CASE("hierarchical_student: heavier tails pull less towards an outlier", "[hierarchical_student]") {
  // Five agreeing labs and one far away: the Student (4 dof) consensus stays nearer the five.
  const auto c = keycomp::ParseComparisonCsv(
      "lab,value,u\nA,10.0,0.1\nB,10.1,0.1\nC,9.9,0.1\nD,10.05,0.1\nE,9.95,0.1\nF,12,0.1\n", "t.csv");
  keycomp::EstimatorOptions options;
  options.settings = {{"draws", "1000"}};
  const auto g = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_gauss"), c, options);
  options.settings = {};
  const auto s = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_student"), c, options);
  REQUIRE(s.status == keycomp::Status::kOk);
  CHECK(std::abs(s.value - 10.0) < std::abs(g.value - 10.0));
}

TEST_CASE("hierarchical_student: settings are checked", "[hierarchical_student]") {
  const auto c = keycomp::ParseComparisonCsv("lab,value,u\nA,1,1\nB,2,1\nC,4,2\n", "t.csv");
  keycomp::EstimatorOptions options;
  options.settings = {{"effect_dof", "2"}};
  CHECK_THROWS_AS(keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_student"), c, options),
                  keycomp::InputError);
  options.settings = {{"method", "quadrature"}};  // gauss only
  CHECK_THROWS_AS(keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_student"), c, options),
                  keycomp::InputError);
}
