// Every estimator's Monte Carlo fast path (Estimator::point) returns the same KCRV as its full
// estimate, on random consistent and heterogeneous data, with and without outliers.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "estimators/registry.h"

TEST_CASE("Fast point estimates agree with the full estimators", "[point]") {
  std::mt19937_64 rng(123);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.2, 5);
  int checked = 0;
  for (const keycomp::Estimator& e : keycomp::BuiltinEstimators()) {
    if (e.point == nullptr) continue;
    std::vector<double> work;
    for (int rep = 0; rep < 200; ++rep) {
      const std::size_t n = std::max<std::size_t>(e.info.min_labs, 2 + rep % 40);
      const double tau = rep % 3 == 0 ? 0.0 : 3.0 * uniform(rng);
      std::vector<double> x(n), u(n), dof(n, INFINITY);
      for (std::size_t i = 0; i < n; ++i) {
        u[i] = uniform(rng);
        x[i] = tau * normal(rng) + u[i] * normal(rng);
      }
      if (rep % 5 == 0) x[0] += 30;
      const keycomp::LabSample sample{x, u, dof};
      const auto full = e.estimate(sample, {});
      REQUIRE(full.status == keycomp::Status::kOk);
      const double fast = e.point(sample, {}, work);
      INFO(e.info.name << " n=" << n << " rep=" << rep);
      CHECK(std::abs(fast - full.value) <= 1e-12 * (std::abs(full.value) + full.u));
    }
    ++checked;
  }
  CHECK(checked >= 4);
}
