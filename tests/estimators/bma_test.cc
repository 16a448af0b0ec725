// bma: the closed-form limits (K = n: weighted mean; K = 1: equal-weight linear pool) and an
// independent brute-force evaluation (bit-mask enumeration, model evidence by numerical
// integration over mu rather than by formula). The paper's CCL-K1 example could not be read,
// so no published agreement is claimed.
#include "estimators/bma.h"

#include <fmt/format.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace {

double Extra(const keycomp::EstimatorResult& r, const std::string& name) {
  for (const auto& e : r.extra) {
    if (e.name == name) return e.value;
  }
  FAIL("no extra value " << name);
  return 0;
}

const std::vector<double> kX = {10.2, 9.8, 10.1, 11.5, 9.95};
const std::vector<double> kU = {0.2, 0.3, 0.15, 0.25, 0.4};
const std::vector<double> kDof(5, std::numeric_limits<double>::infinity());

keycomp::EstimatorResult Run(int k) {
  keycomp::EstimatorOptions o;
  o.settings = {{"unbiased", std::to_string(k)}};
  return keycomp::EstimateBma(keycomp::LabSample{kX, kU, kDof}, o);
}

}  // namespace

TEST_CASE("bma: all labs unbiased is the weighted mean", "[bma]") {
  const auto r = Run(5);
  REQUIRE(r.status == keycomp::Status::kOk);
  double w = 0, wx = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    w += 1 / (kU[i] * kU[i]);
    wx += kX[i] / (kU[i] * kU[i]);
  }
  CHECK(r.value == Approx(wx / w).epsilon(1e-14));
  CHECK(r.u == Approx(1 / std::sqrt(w)).epsilon(1e-14));
  CHECK(r.interval_high - r.value == Approx(1.959963984540054 / std::sqrt(w)).epsilon(1e-11));
  CHECK(Extra(r, "p_unbiased_4") == Approx(1).epsilon(1e-15));
  CHECK(Extra(r, "bias_4") == 0);
}

TEST_CASE("bma: one unbiased lab is the equal-weight linear pool", "[bma]") {
  const auto b = Run(1);
  const auto c = keycomp::ParseComparisonCsv(
      "lab,value,u\nA,10.2,0.2\nB,9.8,0.3\nC,10.1,0.15\nD,11.5,0.25\nE,9.95,0.4\n", "t.csv");
  const auto p = keycomp::RunEstimator(*keycomp::FindEstimator("linear_pool"), c, {});
  CHECK(b.value == Approx(p.value).epsilon(1e-13));
  CHECK(b.u == Approx(p.u).epsilon(1e-13));
  CHECK(b.interval_low == Approx(p.interval_low).epsilon(1e-11));
  CHECK(b.interval_high == Approx(p.interval_high).epsilon(1e-11));
  for (int i = 1; i <= 5; ++i) CHECK(Extra(b, fmt::format("p_unbiased_{}", i)) == Approx(0.2).epsilon(1e-13));
}

TEST_CASE("bma: agrees with a brute-force evaluation", "[bma]") {
  using boost::math::quadrature::gauss_kronrod;
  for (int k = 2; k <= 4; ++k) {
    const auto r = Run(k);
    REQUIRE(r.status == keycomp::Status::kOk);
    // Evidence of model S: integral over mu of prod_{i in S} N(x_i; mu, u_i^2) (the free
    // biases integrate to 1 under flat priors), by adaptive quadrature.
    double z = 0, m1 = 0, m2 = 0;
    std::vector<double> p_in(5, 0), b1(5, 0);
    std::vector<std::pair<unsigned, double>> evidence;
    for (unsigned mask = 0; mask < 32; ++mask) {
      if (__builtin_popcount(mask) != k) continue;
      auto dens = [&](double mu) {
        double l = 0;
        for (int i = 0; i < 5; ++i) {
          if (mask & (1u << i)) l += -0.5 * std::log(2 * M_PI * kU[i] * kU[i]) -
                                     0.5 * std::pow((kX[i] - mu) / kU[i], 2);
        }
        return std::exp(l);
      };
      const double e0 = gauss_kronrod<double, 61>::integrate(dens, 8.0, 13.0, 20, 1e-14);
      const double e1 = gauss_kronrod<double, 61>::integrate(
          [&](double mu) { return mu * dens(mu); }, 8.0, 13.0, 20, 1e-14);
      const double e2 = gauss_kronrod<double, 61>::integrate(
          [&](double mu) { return mu * mu * dens(mu); }, 8.0, 13.0, 20, 1e-14);
      z += e0;
      m1 += e1;
      m2 += e2;
      for (int i = 0; i < 5; ++i) {
        if (mask & (1u << i)) p_in[i] += e0;
        else b1[i] += kX[i] * e0 - e1;  // E[beta_i | S] = x_i - E[mu | S]
      }
    }
    const double mean = m1 / z, sd = std::sqrt(m2 / z - mean * mean);
    INFO("K = " << k);
    CHECK(r.value == Approx(mean).epsilon(1e-10));
    CHECK(r.u == Approx(sd).epsilon(1e-8));
    for (int i = 0; i < 5; ++i) {
      CHECK(Extra(r, fmt::format("p_unbiased_{}", i + 1)) == Approx(p_in[i] / z).epsilon(1e-10));
      CHECK(Extra(r, fmt::format("bias_{}", i + 1)) ==
            Approx(b1[i] / z).epsilon(1e-9).margin(1e-12));
    }
  }
}

TEST_CASE("bma: settings and limits", "[bma]") {
  keycomp::EstimatorOptions o;
  o.settings = {{"unbiased", "7"}};
  CHECK_THROWS(keycomp::EstimateBma(keycomp::LabSample{kX, kU, kDof}, o));
  o.settings = {{"unbiased", "2.5"}};
  CHECK_THROWS(keycomp::EstimateBma(keycomp::LabSample{kX, kU, kDof}, o));
  // Default: a majority, floor(5/2) + 1 = 3.
  const auto r = keycomp::EstimateBma(keycomp::LabSample{kX, kU, kDof}, {});
  CHECK(Extra(r, "unbiased") == 3);
  CHECK(Extra(r, "models") == 10);
}
