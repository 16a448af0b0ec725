// hierarchical_gauss: quadrature against an independent brute-force 2-D integration, the
// quadrature's draws against its own moments, the Gibbs sampler against the quadrature, the
// NIST Consensus Builder's published results (datasets/*/published.json), reproducibility
// across thread counts, and the non-convergence path.
#include "estimators/hierarchical_gauss.h"

#include <fmt/format.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/input_error.h"
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

struct Data {
  std::vector<double> x, u, dof;
};

// R's mad(): 1.4826 median |x - median x|, written out here independently of the library.
double Mad(std::vector<double> x) {
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  const double m = median(x);
  for (double& v : x) v = std::abs(v - m);
  return 1.4826 * median(x);
}

// Posterior moments by brute force: adaptive Gauss-Kronrod over tau in (0, inf) of adaptive
// Gauss-Kronrod over mu in (-inf, inf) of the joint density
//   prod_i N(x_i; mu, u_i^2 + tau^2) / (1 + (tau/s)^2),  s = mad(x),
// with no analytic marginalisation of mu. Returns E[mu], sd[mu], E[tau].
struct Moments {
  double mean, sd, tau;
};
Moments BruteForce(const Data& d) {
  using boost::math::quadrature::gauss_kronrod;
  const double s = Mad(d.x);
  const double inf = std::numeric_limits<double>::infinity();
  // log density at a reference point, to keep exponentials in range
  auto log_joint = [&](double mu, double tau) {
    double l = -std::log1p((tau / s) * (tau / s));
    for (std::size_t i = 0; i < d.x.size(); ++i) {
      const double v = d.u[i] * d.u[i] + tau * tau;
      l += -0.5 * std::log(v) - 0.5 * (d.x[i] - mu) * (d.x[i] - mu) / v;
    }
    return l;
  };
  double xbar = 0;
  for (double v : d.x) xbar += v / static_cast<double>(d.x.size());
  const double ref = log_joint(xbar, s);
  const double x_min = *std::min_element(d.x.begin(), d.x.end());
  const double x_max = *std::max_element(d.x.begin(), d.x.end());
  const double u_max = *std::max_element(d.u.begin(), d.u.end());
  auto inner = [&](double tau, int power) {
    // mu | tau has sd <= sqrt(u_max^2 + tau^2); 40 of them beyond the data hold everything.
    const double w = 40 * std::sqrt(u_max * u_max + tau * tau);
    auto f = [&](double mu) { return std::pow(mu - xbar, power) * std::exp(log_joint(mu, tau) - ref); };
    return gauss_kronrod<double, 61>::integrate(f, x_min - w, x_max + w, 12, 1e-13);
  };
  auto outer = [&](int power_mu, int power_tau) {
    auto f = [&](double tau) { return std::pow(tau, power_tau) * inner(tau, power_mu); };
    return gauss_kronrod<double, 61>::integrate(f, 0.0, inf, 12, 1e-12);
  };
  const double z = outer(0, 0);
  const double m1 = outer(1, 0) / z;
  const double m2 = outer(2, 0) / z;
  const double t1 = outer(0, 1) / z;
  return {xbar + m1, std::sqrt(m2 - m1 * m1), t1};
}

keycomp::EstimatorResult RunOn(const Data& d, const std::map<std::string, std::string>& settings,
                               unsigned threads = 1) {
  keycomp::EstimatorOptions options;
  options.settings = settings;
  options.threads = threads;
  return keycomp::EstimateHierarchicalGauss(keycomp::LabSample{d.x, d.u, d.dof}, options);
}

Data Load(const std::string& dataset) {
  const auto c = keycomp::ReadComparisonFile(SourcePath("datasets/" + dataset + "/results.csv"));
  Data d;
  for (std::size_t i : c.included_indices()) {
    d.x.push_back(c.results()[i].value);
    d.u.push_back(c.results()[i].u);
    d.dof.push_back(c.results()[i].dof);
  }
  return d;
}

// Centred and scaled copies, as RunEstimator hands them to estimators.
Data Scaled(Data d) {
  std::vector<double> xs = d.x, us = d.u;
  std::sort(xs.begin(), xs.end());
  std::sort(us.begin(), us.end());
  const std::size_t n = xs.size();
  const double c = n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
  const double s = n % 2 ? us[n / 2] : 0.5 * (us[n / 2 - 1] + us[n / 2]);
  for (double& v : d.x) v = (v - c) / s;
  for (double& v : d.u) v /= s;
  return d;
}

}  // namespace

TEST_CASE("hierarchical_gauss: quadrature agrees with brute-force 2-D integration",
          "[hierarchical_gauss]") {
  std::vector<std::pair<std::string, Data>> cases;
  for (const char* name : {"ccqm_k25_pcb28", "ccqm_k155_ni_sample_a", "ccqm_k144_fe", "ccqm_k49_cd"}) {
    cases.emplace_back(name, Scaled(Load(name)));
  }
  cases.push_back({"consistent", {{0.1, -0.2, 0.05, 0.3, -0.1}, {1, 1.2, 0.8, 1.5, 1}, {}}});
  cases.push_back({"three labs", {{-1, 0.5, 2}, {0.5, 1, 0.7}, {}}});
  double worst = 0;
  for (auto& [name, d] : cases) {
    d.dof.assign(d.x.size(), std::numeric_limits<double>::infinity());
    const Moments ref = BruteForce(d);
    const auto r = RunOn(d, {{"draws", "1000"}});
    REQUIRE(r.status == keycomp::Status::kOk);
    const double e_mean = std::abs(r.value - ref.mean) / ref.sd;
    const double e_sd = std::abs(r.u - ref.sd) / ref.sd;
    const double e_tau = std::abs(*r.tau - ref.tau) / ref.tau;
    worst = std::max({worst, e_mean, e_sd, e_tau});
    INFO(fmt::format("{}: mean {:.12g} vs {:.12g}, sd {:.12g} vs {:.12g}, tau {:.12g} vs {:.12g}",
                     name, r.value, ref.mean, r.u, ref.sd, *r.tau, ref.tau));
    CHECK(e_mean < 1e-9);
    CHECK(e_sd < 1e-9);
    CHECK(e_tau < 1e-9);
  }
  WARN(fmt::format("quadrature vs brute force: worst relative error {:.2e} ({:.1f} digits)", worst,
                   -std::log10(std::max(worst, 1e-17))));
}

TEST_CASE("hierarchical_gauss: quadrature agrees with R golden values (nested integrate)",
          "[hierarchical_gauss]") {
  // tests/oracle/hierarchical_gauss/generate.R: R's integrate() nested over (tau, mu), no
  // analytic marginalisation; data in original units.
  std::ifstream in(SourcePath("tests/oracle/hierarchical_gauss/golden.csv"));
  REQUIRE(in.good());
  std::string line;
  int cases = 0;
  double worst_golden = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("dataset,", 0) == 0) continue;
    std::stringstream ss(line);
    std::string dataset, field;
    std::getline(ss, dataset, ',');
    std::vector<double> v;
    while (std::getline(ss, field, ',')) v.push_back(std::stod(field));
    REQUIRE(v.size() == 5);  // mean, sd, tau_mean, q_low, q_high
    auto c = keycomp::ReadComparisonFile(SourcePath("datasets/" + dataset + "/results.csv"));
    keycomp::EstimatorOptions options;
    options.settings = {{"sigma", "known"}, {"draws", "1000"}};
    const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_gauss"), c, options);
    REQUIRE(r.status == keycomp::Status::kOk);
    INFO(dataset);
    worst_golden = std::max({worst_golden, std::abs(r.value - v[0]) / v[1], std::abs(r.u - v[1]) / v[1],
                             std::abs(*r.tau - v[2]) / v[2], std::abs(r.interval_low - v[3]) / v[1],
                             std::abs(r.interval_high - v[4]) / v[1]});
    // R's integrate() is asked for 1e-10 relative; allow 1e-7 of the posterior sd.
    CHECK(std::abs(r.value - v[0]) < 1e-7 * v[1]);
    CHECK(std::abs(r.u - v[1]) < 1e-7 * v[1]);
    CHECK(std::abs(*r.tau - v[2]) < 1e-7 * v[2]);
    CHECK(std::abs(r.interval_low - v[3]) < 1e-6 * v[1]);
    CHECK(std::abs(r.interval_high - v[4]) < 1e-6 * v[1]);
    ++cases;
  }
  CHECK(cases >= 4);
  WARN(fmt::format("quadrature vs R nested integrate: {} cases, worst error {:.2e} posterior sd", cases,
                   worst_golden));
}

TEST_CASE("hierarchical_gauss: quadrature draws follow the quadrature posterior",
          "[hierarchical_gauss]") {
  Data d = Scaled(Load("ccqm_k25_pcb28"));
  d.dof.assign(d.x.size(), std::numeric_limits<double>::infinity());
  const auto r = RunOn(d, {{"draws", "200000"}});
  REQUIRE(r.kcrv_draws.size() == 200000);
  REQUIRE(r.tau_draws.size() == 200000);
  double m = 0, t = 0;
  for (double v : r.kcrv_draws) m += v / 200000;
  for (double v : r.tau_draws) t += v / 200000;
  // Independent draws: standard errors u / sqrt(M) and sd(tau) / sqrt(M); 4.5 se bounds.
  CHECK(std::abs(m - r.value) < 4.5 * r.u / std::sqrt(200000.0));
  CHECK(std::abs(t - *r.tau) < 4.5 * Extra(r, "tau_sd") / std::sqrt(200000.0));
  // Coverage of the reported interval by the draws: binomial se sqrt(p(1-p)/M).
  double inside = 0;
  for (double v : r.kcrv_draws) inside += (v >= r.interval_low && v <= r.interval_high) ? 1 : 0;
  CHECK(std::abs(inside / 200000 - 0.95) < 4.5 * std::sqrt(0.95 * 0.05 / 200000));
}

TEST_CASE("hierarchical_gauss: Gibbs sampler agrees with the quadrature (sigma known)",
          "[hierarchical_gauss]") {
  Data d = Scaled(Load("ccqm_k25_pcb28"));
  d.dof.assign(d.x.size(), std::numeric_limits<double>::infinity());
  const auto q = RunOn(d, {{"draws", "1000"}});
  const auto s = RunOn(d, {{"method", "mcmc"}, {"draws", "100000"}}, 2);
  REQUIRE(s.status == keycomp::Status::kOk);
  const double se = Extra(s, "mcse_value");
  CHECK(std::abs(s.value - q.value) < 4.5 * se);
  // sd and tau: se from the effective sample size (sd: ~ u / sqrt(2 ESS), tau: sd(tau)/sqrt(ESS)).
  CHECK(std::abs(s.u - q.u) < 4.5 * q.u / std::sqrt(2 * Extra(s, "ess_mu")) * 1.5);
  CHECK(std::abs(*s.tau - *q.tau) < 4.5 * Extra(q, "tau_sd") / std::sqrt(Extra(s, "ess_tau")));
  CHECK(Extra(s, "rhat") < 1.01);
}

TEST_CASE("hierarchical_gauss: reproduces the NIST Consensus Builder's published results",
          "[hierarchical_gauss]") {
  // NICOB ran JAGS with 250000 iterations, 50000 burn-in, thinning 25, one chain (its defaults,
  // ui.R): 8000 kept draws. Its Monte Carlo standard errors, taken as those of 8000 independent
  // draws for mu (sd: 1.5 x the normal-theory value for the tails) and of 2000 for tau (JAGS
  // mixes tau worse), are combined with ours and with half a unit of the last printed digit:
  //   tolerance = half_unit + 3 sqrt(se_nicob^2 + se_ours^2).
  for (const char* dataset : {"ccqm_k25_pcb28", "ccqm_k155_ni_sample_a", "ccqm_k144_fe"}) {
    std::ifstream in(SourcePath(std::string("datasets/") + dataset + "/published.json"));
    const auto pub = nlohmann::json::parse(in);
    const nlohmann::json* bayes = &pub;
    if (pub["method"] != "hierarchical_gauss") {
      for (const auto& alt : pub["alternatives"]) {
        if (alt["method"] == "hierarchical_gauss") bayes = &alt;
      }
    }
    REQUIRE((*bayes)["method"] == "hierarchical_gauss");
    const auto c = keycomp::ReadComparisonFile(SourcePath(std::string("datasets/") + dataset + "/results.csv"));
    keycomp::EstimatorOptions options;
    const auto r = keycomp::RunEstimator(*keycomp::FindEstimator("hierarchical_gauss"), c, options);
    REQUIRE(r.status == keycomp::Status::kOk);
    const double kcrv = (*bayes)["kcrv"], u = (*bayes)["u_kcrv"], tau = (*bayes)["tau"];
    const auto interval = (*bayes).contains("interval95") ? (*bayes)["interval95"] : nlohmann::json();
    // Half a unit in the last printed place (3 or 4 significant digits as printed).
    auto half_unit = [](double v, int digits) {
      return 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(v))) - digits + 1);
    };
    const int digits = std::string(dataset) == "ccqm_k155_ni_sample_a" ? 4 : 3;
    const double tau_sd = Extra(r, "tau_sd");
    const double se_mean = std::hypot(r.u / std::sqrt(8000.0), Extra(r, "mcse_value"));
    const double se_u = std::hypot(1.5 * r.u / std::sqrt(16000.0), 1.5 * r.u / std::sqrt(2 * Extra(r, "ess_mu")));
    const double se_tau = std::hypot(tau_sd / std::sqrt(2000.0), tau_sd / std::sqrt(Extra(r, "ess_tau")));
    // 2.5 % / 97.5 % quantiles: sqrt(p(1-p)/N) / density, density ~ normal's 0.0584/u.
    const double se_q = std::hypot(std::sqrt(0.025 * 0.975 / 8000) / (0.0584 / r.u),
                                   std::sqrt(0.025 * 0.975 / Extra(r, "ess_mu")) / (0.0584 / r.u));
    const double tol_mean = half_unit(kcrv, digits) + 3 * se_mean;
    const double tol_u = half_unit(u, digits) + 3 * se_u;
    const double tol_tau = half_unit(tau, 3) + 3 * se_tau;
    WARN(fmt::format("{}: KCRV {:.5g} (published {}, diff {:.2g}, tol {:.2g}); u {:.4g} ({}, {:.2g}, "
                     "{:.2g}); tau {:.4g} ({}, {:.2g}, {:.2g}); interval [{:.5g}, {:.5g}]; R-hat {:.4f}",
                     dataset, r.value, kcrv, r.value - kcrv, tol_mean, r.u, u, r.u - u, tol_u, *r.tau,
                     tau, *r.tau - tau, tol_tau, r.interval_low, r.interval_high, Extra(r, "rhat")));
    CHECK(std::abs(r.value - kcrv) < tol_mean);
    CHECK(std::abs(r.u - u) < tol_u);
    CHECK(std::abs(*r.tau - tau) < tol_tau);
    if (!interval.is_null()) {
      const double lo = interval[0], hi = interval[1];
      CHECK(std::abs(r.interval_low - lo) < half_unit(lo, digits) + 3 * se_q);
      CHECK(std::abs(r.interval_high - hi) < half_unit(hi, digits) + 3 * se_q);
    }
  }
}

TEST_CASE("hierarchical_gauss: bit-identical for any thread count", "[hierarchical_gauss]") {
  const Data d = Scaled(Load("ccqm_k144_fe"));
  const auto one = RunOn(d, {{"draws", "20000"}}, 1);
  const auto two = RunOn(d, {{"draws", "20000"}}, 2);
  const auto eight = RunOn(d, {{"draws", "20000"}}, 8);
  REQUIRE(one.kcrv_draws.size() == 20000);
  CHECK(one.kcrv_draws == two.kcrv_draws);
  CHECK(one.tau_draws == eight.tau_draws);
  CHECK(one.value == eight.value);
}

TEST_CASE("hierarchical_gauss: a sampler that has not converged says so", "[hierarchical_gauss]") {
  const Data d = Scaled(Load("ccqm_k144_fe"));
  // 2 chains of 50 draws, no warm-up, dispersed starts: R-hat above 1.01 (the collapsed
  // sampler converges fast, so the run must be this short).
  const auto r = RunOn(d, {{"draws", "100"}, {"warmup", "0"}, {"chains", "2"}});
  REQUIRE(Extra(r, "rhat") > 1.01);
  CHECK(r.status == keycomp::Status::kNotConverged);
  CHECK(r.message.find("R-hat") != std::string::npos);
  CHECK(r.message.find("ESS") != std::string::npos);
  const auto accepted =
      RunOn(d, {{"draws", "100"}, {"warmup", "0"}, {"chains", "2"}, {"accept_unconverged", "1"}});
  CHECK(accepted.status == keycomp::Status::kOk);
  REQUIRE_FALSE(accepted.warnings.empty());
  CHECK(accepted.warnings.back().find("NOT converged") != std::string::npos);

  // The command line exits 1.
  const auto run = keycomp::testing::RunBinary(
      "analyse " + SourcePath("datasets/ccqm_k144_fe/results.csv") +
      " -e hierarchical_gauss --set hierarchical_gauss.draws=100 --set hierarchical_gauss.warmup=0 "
      "--set hierarchical_gauss.chains=2 --format json");
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("R-hat") != std::string::npos);
}

TEST_CASE("hierarchical_gauss: settings are checked", "[hierarchical_gauss]") {
  const Data d = Scaled(Load("ccqm_k144_fe"));
  CHECK_THROWS_AS(RunOn(d, {{"tau_prior", "flat"}}), keycomp::InputError);
  CHECK_THROWS_AS(RunOn(d, {{"draws", "12.5"}}), keycomp::InputError);
  CHECK_THROWS_AS(RunOn(d, {{"no_such_setting", "1"}}), keycomp::InputError);
  // Quadrature asked for while sigma is modelled (finite dof): a reported failure.
  CHECK(RunOn(d, {{"method", "quadrature"}}).status == keycomp::Status::kFailed);
}
