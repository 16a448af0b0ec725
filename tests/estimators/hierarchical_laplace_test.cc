// hierarchical_laplace: the Gibbs sampler against an independent brute-force 2-D integration
// of the posterior (lab effects integrated in closed form: the normal-Laplace convolution), and
// the NIST Consensus Builder's published Laplace+Gauss result for CCQM-K49 (Cd).
#include "estimators/hierarchical_laplace.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/read_comparison.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"
#include "test_support.h"

namespace {

using keycomp::testing::SourcePath;

double Extra(const keycomp::EstimatorResult& r, const std::string& name) {
  for (const auto& e : r.extra) {
    if (e.name == name) return e.value;
  }
  FAIL("no extra value " << name);
  return 0;
}

// log(exp(a^2) erfc(a)), stable for any a.
double LogErfcx(double a) {
  if (a < 0) return a * a + std::log(std::erfc(a));
  if (a < 25) {
    const long double al = a;
    return static_cast<double>(al * al + std::log(std::erfc(al)));
  }
  const double a2 = a * a;
  const double series = 1 - 1 / (2 * a2) + 3 / (4 * a2 * a2) - 15 / (8 * a2 * a2 * a2);
  return std::log(series / (a * std::sqrt(M_PI)));
}

// log density of y = lambda + e - mu with lambda - mu ~ Laplace(0, b), e ~ N(0, s^2).
double LogNormalLaplace(double y, double b, double s) {
  const double a1 = (s / b - y / s) / std::sqrt(2.0);
  const double a2 = (s / b + y / s) / std::sqrt(2.0);
  const double t1 = -y * y / (2 * s * s) + LogErfcx(a1);
  const double t2 = -y * y / (2 * s * s) + LogErfcx(a2);
  const double m = std::max(t1, t2);
  return -std::log(4 * b) + m + std::log(std::exp(t1 - m) + std::exp(t2 - m));
}

struct Moments {
  double mean, sd, tau;
};

Moments BruteForce(const std::vector<double>& x, const std::vector<double>& u, double s) {
  using boost::math::quadrature::gauss_kronrod;
  const double inf = std::numeric_limits<double>::infinity();
  auto log_joint = [&](double mu, double tau) {
    double l = -std::log1p((tau / s) * (tau / s));
    for (std::size_t i = 0; i < x.size(); ++i) l += LogNormalLaplace(x[i] - mu, tau / std::sqrt(2.0), u[i]);
    return l;
  };
  double xbar = 0;
  for (double v : x) xbar += v / static_cast<double>(x.size());
  const double ref = log_joint(xbar, s);
  const double x_min = *std::min_element(x.begin(), x.end());
  const double x_max = *std::max_element(x.begin(), x.end());
  const double u_max = *std::max_element(u.begin(), u.end());
  auto outer = [&](int pm, int pt) {
    auto f = [&](double tau) {
      // mu | tau is within 40 sqrt(u_max^2 + tau^2) of the data up to ~exp(-40).
      const double w = 40 * std::sqrt(u_max * u_max + tau * tau);
      auto g = [&](double mu) { return std::pow(mu - xbar, pm) * std::exp(log_joint(mu, tau) - ref); };
      return std::pow(tau, pt) * gauss_kronrod<double, 61>::integrate(g, x_min - w, x_max + w, 10, 1e-11);
    };
    return gauss_kronrod<double, 61>::integrate(f, 0.0, inf, 10, 1e-10);
  };
  const double z = outer(0, 0);
  const double m1 = outer(1, 0) / z, m2 = outer(2, 0) / z, t1 = outer(0, 1) / z;
  return {xbar + m1, std::sqrt(m2 - m1 * m1), t1};
}

}  // namespace

TEST_CASE("hierarchical_laplace: Gibbs sampler agrees with brute-force integration",
          "[hierarchical_laplace]") {
  // Two synthetic sets in centred and scaled units (u known): eight labs with one far off,
  // and four labs.
  const std::vector<std::pair<std::vector<double>, std::vector<double>>> cases = {
      {{0.5, 2.0, -4.6667, -0.3333, -1.2667, 2.5, -1.4, 13.8},
       {0.4, 2.0, 1.7333, 1.0, 0.8667, 3.792, 1.4, 1.6667}},
      {{-1.0, 0.3, 0.8, 2.5}, {0.5, 1.0, 0.7, 1.2}}};
  for (const auto& [x, u] : cases) {
    std::vector<double> xs = x;
    std::sort(xs.begin(), xs.end());
    const std::size_t n = xs.size();
    const double med = n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
    std::vector<double> dev;
    for (double v : x) dev.push_back(std::abs(v - med));
    std::sort(dev.begin(), dev.end());
    const double mad = 1.4826 * (n % 2 ? dev[n / 2] : 0.5 * (dev[n / 2 - 1] + dev[n / 2]));
    const Moments ref = BruteForce(x, u, mad);
    const std::vector<double> dof(n, std::numeric_limits<double>::infinity());
    keycomp::EstimatorOptions options;
    options.threads = 2;
    const auto r = keycomp::EstimateHierarchicalLaplace(keycomp::LabSample{x, u, dof}, options);
    REQUIRE(r.status == keycomp::Status::kOk);
    const double ess_mu = Extra(r, "ess_mu"), ess_tau = Extra(r, "ess_tau");
    INFO(fmt::format("mean {} vs {}, sd {} vs {}, tau {} vs {}; ESS {} {}", r.value, ref.mean, r.u,
                     ref.sd, *r.tau, ref.tau, ess_mu, ess_tau));
    // Tolerances: 4.5 Monte Carlo standard errors from the sampler's own ESS (sd: u/sqrt(2 ESS)
    // x 2 for the heavy-tailed posterior).
    CHECK(std::abs(r.value - ref.mean) < 4.5 * ref.sd / std::sqrt(ess_mu));
    CHECK(std::abs(r.u - ref.sd) < 4.5 * 2 * ref.sd / std::sqrt(2 * ess_mu));
    CHECK(std::abs(*r.tau - ref.tau) < 4.5 * Extra(r, "tau_sd") / std::sqrt(ess_tau));
    CHECK(Extra(r, "rhat") < 1.01);
  }
}

TEST_CASE("hierarchical_laplace: reproduces the published Laplace+Gauss CCQM-K49 result",
          "[hierarchical_laplace]") {
  std::ifstream in(SourcePath("datasets/ccqm_k49_cd/published.json"));
  const auto pub = nlohmann::json::parse(in);
  const auto c = keycomp::ReadComparisonFile(SourcePath("datasets/ccqm_k49_cd/results.csv"));
  keycomp::EstimatorOptions options;
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_laplace"), c, options);
  REQUIRE(r.status == keycomp::Status::kOk);
  // As for hierarchical_gauss: NICOB's 8000 kept JAGS draws (2000 effective for tau), our own
  // ESS, half a unit of the 4th significant digit.
  const double kcrv = pub["kcrv"], u = pub["u_kcrv"], tau = pub["tau"];
  const double lo = pub["interval95"][0], hi = pub["interval95"][1];
  const double half = 0.5e-5, half_u = 0.5e-6, half_tau = 0.5e-6;
  const double se_mean = std::hypot(r.u / std::sqrt(8000.0), Extra(r, "mcse_value"));
  const double se_u = 1.5 * r.u * std::hypot(1 / std::sqrt(16000.0), 1 / std::sqrt(2 * Extra(r, "ess_mu")));
  const double tau_sd = Extra(r, "tau_sd");
  const double se_tau = tau_sd * std::hypot(1 / std::sqrt(2000.0), 1 / std::sqrt(Extra(r, "ess_tau")));
  const double se_q = r.u / 0.0584 * std::hypot(std::sqrt(0.025 * 0.975 / 8000), std::sqrt(0.025 * 0.975 / Extra(r, "ess_mu")));
  WARN(fmt::format("CCQM-K49 Laplace: KCRV {:.5g} (published {}, tol {:.2g}); u {:.4g} ({}, tol {:.2g}); "
                   "tau {:.4g} ({}, tol {:.2g}); interval [{:.5g}, {:.5g}] ([{}, {}]); R-hat {:.4f}",
                   r.value, kcrv, half + 3 * se_mean, r.u, u, half_u + 3 * se_u, *r.tau, tau,
                   half_tau + 3 * se_tau, r.interval_low, r.interval_high, lo, hi, Extra(r, "rhat")));
  CHECK(std::abs(r.value - kcrv) < half + 3 * se_mean);
  CHECK(std::abs(r.u - u) < half_u + 3 * se_u);
  CHECK(std::abs(*r.tau - tau) < half_tau + 3 * se_tau);
  CHECK(std::abs(r.interval_low - lo) < half + 3 * se_q);
  CHECK(std::abs(r.interval_high - hi) < half + 3 * se_q);
}

TEST_CASE("hierarchical_laplace: a sampler that has not converged says so", "[hierarchical_laplace]") {
  const auto c = keycomp::ReadComparisonFile(SourcePath("datasets/ccqm_k144_fe/results.csv"));
  keycomp::EstimatorOptions options;
  options.settings = {{"draws", "100"}, {"warmup", "0"}};  // 4 chains x 25 draws
  const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_laplace"), c, options);
  REQUIRE(Extra(r, "rhat") > 1.01);
  CHECK(r.status == keycomp::Status::kNotConverged);
  CHECK(r.message.find("R-hat") != std::string::npos);
  options.settings["accept_unconverged"] = "1";
  const auto a = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_laplace"), c, options);
  CHECK(a.status == keycomp::Status::kOk);
  CHECK_FALSE(a.warnings.empty());
}
