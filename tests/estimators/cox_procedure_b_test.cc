// Cox's Procedure B (estimators/cox_procedure_b.h): the median with Monte Carlo u and coverage
// interval, against the exact distribution of the median of three independent normal results
// (equal and unequal means and uncertainties), Student t draws, seeds and threads, equivariance.
// Tolerances: 5 Monte Carlo standard errors at the fixed seed (rob_test_support.h).
#include "estimators/cox_procedure_b.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "rob_test_support.h"

using keycomp::EstimateCoxProcedureB;
using keycomp::EstimatorOptions;
using keycomp::Status;
using rob_test::ExtraValue;
using rob_test::SampleData;

TEST_CASE("Procedure B on three equal results: the median of three normals",
          "[cox_procedure_b][monte_carlo]") {
  const SampleData d({5.0, 5.0, 5.0}, {0.2, 0.2, 0.2});
  const rob_test::Median3 exact{{5, 5, 5}, {0.2, 0.2, 0.2}};
  EstimatorOptions o;
  const auto r = EstimateCoxProcedureB(d.view(), o);
  REQUIRE(r.status == Status::kOk);
  CHECK(r.value == 5.0);
  const double sd = exact.Sd();
  CHECK(std::abs(r.u / sd - 1) <= rob_test::SdTolerance(o.internal_trials, 3.5));
  const double q_low = exact.Quantile(0.025), q_high = exact.Quantile(0.975);
  CHECK(std::abs(r.interval_low - q_low) <=
        rob_test::QuantileTolerance(o.internal_trials, 0.025, exact.Pdf(q_low)));
  CHECK(std::abs(r.interval_high - q_high) <=
        rob_test::QuantileTolerance(o.internal_trials, 0.025, exact.Pdf(q_high)));
}

TEST_CASE("Procedure B on three dissimilar results matches the exact median distribution",
          "[cox_procedure_b][monte_carlo]") {
  const SampleData d({10.0, 10.8, 9.5}, {0.3, 0.6, 0.4});
  const rob_test::Median3 exact{{10.0, 10.8, 9.5}, {0.3, 0.6, 0.4}};
  EstimatorOptions o;
  const auto r = EstimateCoxProcedureB(d.view(), o);
  CHECK(r.value == 10.0);  // the median of the results, not the Monte Carlo mean
  const double sd = exact.Sd();
  CHECK(std::abs(r.u / sd - 1) <= rob_test::SdTolerance(o.internal_trials, 3.5));
  CHECK(std::abs(ExtraValue(r, "monte_carlo_mean") - exact.Mean()) <=
        5 * sd / std::sqrt(static_cast<double>(o.internal_trials)));
  for (const double p : {0.025, 0.975}) {
    const double q = exact.Quantile(p);
    const double got = p < 0.5 ? r.interval_low : r.interval_high;
    CHECK(std::abs(got - q) <= rob_test::QuantileTolerance(o.internal_trials, p, exact.Pdf(q)));
  }
}

TEST_CASE("Procedure B draws Student t for finite dof", "[cox_procedure_b][monte_carlo]") {
  const SampleData d({0.0}, {2.0}, {5.0});  // a single result: the median is the draw
  EstimatorOptions o;
  const auto r = EstimateCoxProcedureB(d.view(), o);
  // sd of 2 t_5 = 2 sqrt(5/3); kurtosis 3 + 6/(5 - 4) = 9.
  CHECK(std::abs(r.u / (2 * std::sqrt(5.0 / 3)) - 1) <=
        rob_test::SdTolerance(o.internal_trials, 9));
}

TEST_CASE("Procedure B is bit-identical whatever the thread count, and follows the seed",
          "[cox_procedure_b][monte_carlo]") {
  const SampleData d({1.0, 2.5, 1.7, 3.0, 2.2, 2.0}, {0.2, 0.5, 0.3, 0.4, 0.25, 0.3},
                     {4, INFINITY, 10, 3, INFINITY, 8});
  EstimatorOptions one, many;
  one.threads = 1;
  many.threads = 4;
  one.internal_trials = many.internal_trials = 30001;
  const auto a = EstimateCoxProcedureB(d.view(), one);
  const auto b = EstimateCoxProcedureB(d.view(), many);
  CHECK(a.u == b.u);
  CHECK(a.interval_low == b.interval_low);
  CHECK(a.interval_high == b.interval_high);
  CHECK(ExtraValue(a, "monte_carlo_mean") == ExtraValue(b, "monte_carlo_mean"));
  EstimatorOptions other = one;
  other.seed = 1;
  CHECK(EstimateCoxProcedureB(d.view(), other).u != a.u);
}

TEST_CASE("Procedure B is location-scale equivariant", "[cox_procedure_b]") {
  const SampleData d({1.0, 2.5, 1.7, 3.0, 2.2, 9.0}, {0.2, 0.5, 0.3, 0.4, 0.25, 0.3});
  EstimatorOptions o;
  o.internal_trials = 20000;
  const auto r0 = EstimateCoxProcedureB(d.view(), o);
  // b > 0: the same seed gives the same standardised draws e_i, so every Monte Carlo value moves
  // exactly with the data. (For b < 0 the draws would be reflected: equal in distribution only.)
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{0, 1e-9}, {-4, 3}, {1e3, 7}}) {
    const SampleData t = d.Transformed(a, b);
    const auto r = EstimateCoxProcedureB(t.view(), o);
    INFO("a = " << a << ", b = " << b);
    const double tol = 1e-12 + 100 * std::numeric_limits<double>::epsilon() * std::abs(a / b);
    CHECK(r.value == Approx(a + b * r0.value).epsilon(tol));
    CHECK(r.u == Approx(std::abs(b) * r0.u).epsilon(1e-10));
    CHECK(r.interval_high == Approx(a + b * r0.interval_high).epsilon(1e-10));
  }
}

TEST_CASE("Procedure B has no settings", "[cox_procedure_b]") {
  const SampleData d({1, 2, 3}, {1, 1, 1});
  EstimatorOptions o;
  o.settings["trials"] = "10";
  CHECK_THROWS(EstimateCoxProcedureB(d.view(), o));
}
