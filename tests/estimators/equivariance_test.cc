// Location-scale equivariance of every registered estimator: shifting the data by a and
// scaling them by b moves value, u, tau and the interval with them. Catches hard-coded scales,
// lost digits at large offsets and sign slips. New estimators are covered automatically.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

std::string MakeCsv(const std::vector<double>& x, const std::vector<double>& u, double a,
                    double b) {
  std::string text = "lab,value,u\n";
  for (std::size_t i = 0; i < x.size(); ++i) {
    text += fmt::format("L{:02},{:.17g},{:.17g}\n", i, a + b * x[i], std::abs(b) * u[i]);
  }
  return text;
}

}  // namespace

TEST_CASE("Every estimator is location-scale equivariant", "[equivariance]") {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.3, 3);
  const std::size_t n = 12;
  std::vector<double> x(n), u(n);
  for (std::size_t i = 0; i < n; ++i) {
    u[i] = uniform(rng);
    x[i] = 2.0 * normal(rng) + u[i] * normal(rng);  // heterogeneous: tau ~ 2
  }
  x[3] += 15;  // an outlier

  const auto base = keycomp::ParseComparisonCsv(MakeCsv(x, u, 0, 1), "base.csv");
  // (a, b, tolerance): the tolerance reflects the rounding of a + b x in the input text
  // (~1e-16 |a| / (|b| spread)); 1.000000012 kg with ug spreads loses about 7 digits.
  const std::vector<std::tuple<double, double, double>> transforms = {
      {0, 1e-9, 1e-12}, {0, 1e9, 1e-12}, {5.5, 1, 1e-12}, {-3, 2, 1e-12},
      {2.2e9, 1e6, 1e-9}, {1.000000012, 1e-9, 1e-6}};
  // Every estimator with its default settings, plus the settings that change how u is computed
  // in ways the defaults do not exercise.
  std::vector<std::pair<const keycomp::Estimator*, std::map<std::string, std::string>>> cases;
  for (const keycomp::Estimator& e : keycomp::BuiltinEstimators()) cases.push_back({&e, {}});
  cases.push_back({keycomp::FindEstimator("median"), {{"u", "bootstrap"}}});
  for (const auto& [estimator, settings] : cases) {
    const keycomp::Estimator& e = *estimator;
    keycomp::EstimatorOptions options;
    options.settings = settings;
    const auto r0 = keycomp::RunEstimator(e, base, options);
    REQUIRE(r0.status == keycomp::Status::kOk);
    // A stochastic estimator (internal Monte Carlo, MCMC) amplifies the last-bit differences of
    // the transformed inputs into Monte Carlo noise. Measure that noise from three other seeds
    // and allow four times the largest seed-to-seed difference.
    double noise = 0;
    for (std::uint64_t seed : {11u, 12u, 13u}) {
      keycomp::EstimatorOptions other = options;
      other.seed = seed;
      const auto rs = keycomp::RunEstimator(e, base, other);
      noise = std::max({noise, std::abs(rs.value - r0.value) / r0.u, std::abs(rs.u / r0.u - 1)});
      if (rs.tau && r0.tau) noise = std::max(noise, std::abs(*rs.tau - *r0.tau) / (*r0.tau + r0.u));
    }
    if (noise > 0) WARN(e.info.name << " is stochastic: relative Monte Carlo noise " << noise);
    for (auto [a, b, tol] : transforms) {
      tol = std::max(tol, 4 * noise);
      INFO(fmt::format("estimator {} ({} settings) a={} b={}", e.info.name, settings.size(), a,
                       b));
      const auto moved = keycomp::ParseComparisonCsv(MakeCsv(x, u, a, b), "moved.csv");
      const auto r = keycomp::RunEstimator(e, moved, options);
      REQUIRE(r.status == keycomp::Status::kOk);
      const double scale = std::abs(b);
      CHECK(std::abs((r.value - a) / b - r0.value) <= tol * (std::abs(r0.value) + r0.u));
      CHECK(std::abs(r.u / scale - r0.u) <= tol * r0.u);
      if (r0.tau) {
        REQUIRE(r.tau);
        CHECK(std::abs(*r.tau / scale - *r0.tau) <= tol * (*r0.tau + r0.u));
      }
      const double lo = (b > 0 ? r.interval_low : r.interval_high);
      CHECK(std::abs((lo - a) / b - r0.interval_low) <= tol * (std::abs(r0.interval_low) + r0.u));
    }
  }
}
