// bma: the closed-form limits (K = n: weighted mean; K = 1: equal-weight linear pool), an
// independent brute-force evaluation (bit-mask enumeration, model evidence by numerical
// integration over mu rather than by formula), and the R brute-force oracle
// tests/oracle/bma/generate.R (golden.csv: 19 (case, K) pairs, all outputs). The paper's CCL-K1
// example could not be read, so no published agreement is claimed.
#include "estimators/bma.h"

#include <fmt/format.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

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
  for (int i = 1; i <= 5; ++i)
    CHECK(Extra(b, fmt::format("p_unbiased_{}", i)) == Approx(0.2).epsilon(1e-13));
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
          if (mask & (1u << i))
            l +=
                -0.5 * std::log(2 * M_PI * kU[i] * kU[i]) - 0.5 * std::pow((kX[i] - mu) / kU[i], 2);
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
        if (mask & (1u << i))
          p_in[i] += e0;
        else
          b1[i] += kX[i] * e0 - e1;  // E[beta_i | S] = x_i - E[mu | S]
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

TEST_CASE("bma: agrees with the R brute-force oracle on every golden row", "[bma][oracle]") {
  // tests/oracle/bma/generate.R: all 2^n bit masks, evidence and posterior moments of mu and of
  // each bias by R's integrate() (nested for the biases), quantiles by uniroot() on the averaged
  // CDF; none of keycomp's closed forms. R integrates to 1e-12 relative and checks itself
  // against the closed forms (worst 2e-14), so 1e-9 of the posterior sd leaves room to spare;
  // a few ulps of the value are added for the offset case (ulp(25000) = 4e-12 is 2e-8 of its u).
  std::ifstream in(keycomp::testing::SourcePath("tests/oracle/bma/golden.csv"));
  REQUIRE(in.good());
  std::map<std::pair<std::string, int>, std::map<std::string, double>> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("case,", 0) == 0) continue;
    std::stringstream ss(line);
    std::string name, k, key, value;
    std::getline(ss, name, ',');
    std::getline(ss, k, ',');
    std::getline(ss, key, ',');
    std::getline(ss, value, ',');
    golden[{name, std::stoi(k)}][key] = std::stod(value);
  }
  REQUIRE(golden.size() == 19);
  double worst = 0;  // in posterior sd (locations, sds) or absolute (probabilities)
  std::size_t checked = 0;
  for (const auto& [id, g] : golden) {
    const auto c = keycomp::ReadComparisonFile(
        keycomp::testing::SourcePath("tests/oracle/bma/cases/" + id.first + ".csv"));
    keycomp::EstimatorOptions o;
    o.settings = {{"unbiased", std::to_string(id.second)}, {"draws", "1000"}};
    const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("bma"), c, o);
    REQUIRE(r.status == keycomp::Status::kOk);
    const double sd = g.at("u");
    for (const auto& [key, want] : g) {
      double got = 0;
      if (key == "value")
        got = r.value;
      else if (key == "u")
        got = r.u;
      else if (key == "interval_low")
        got = r.interval_low;
      else if (key == "interval_high")
        got = r.interval_high;
      else
        got = Extra(r, key);
      INFO(fmt::format("{} K={} {}: keycomp {:.17g}, R {:.17g}", id.first, id.second, key, got,
                       want));
      if (key == "models") {
        CHECK(got == want);
      } else if (key.rfind("p_unbiased_", 0) == 0) {
        worst = std::max(worst, std::abs(got - want));
        CHECK(std::abs(got - want) < 1e-10);
      } else {
        const double ulps = 4 * std::numeric_limits<double>::epsilon() * std::abs(want);
        worst = std::max(worst, std::max(0.0, std::abs(got - want) - ulps) / sd);
        CHECK(std::abs(got - want) <= 1e-9 * sd + ulps);
      }
      ++checked;
    }
  }
  WARN(
      fmt::format("bma vs R brute force: {} (case, K) pairs, {} numbers, worst error {:.2e} "
                  "(posterior sd or probability)",
                  golden.size(), checked, worst));
}
