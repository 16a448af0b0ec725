// The Monte Carlo engine: reproducibility across thread counts, the adaptive procedure, the
// Gaussian copula, non-finite trials, coverage intervals against a full sort, distributions'
// moments against closed forms, the numerical tolerance of JCGM 101 7.9.2.
#include "core/mc/engine.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "core/input_error.h"
#include "core/mc/summary.h"
#include "tests/core/mc/mc_test_support.h"

namespace keycomp::mc {
namespace {

using testing::RunModelText;

const char* kMixedModel = R"({
  "model": "a * exp(b) + c / d - sqrt(e) + f^2",
  "inputs": {
    "a": {"dist": "normal", "mean": 1, "sd": 0.1},
    "b": {"dist": "student_t", "mean": 0, "scale": 0.1, "dof": 4},
    "c": {"dist": "triangular", "low": 0, "mode": 1, "high": 3},
    "d": {"dist": "trapezoidal", "low": 2, "high": 4, "beta": 0.5},
    "e": {"dist": "gamma", "shape": 3, "scale": 2},
    "f": {"dist": "arcsine", "low": -1, "high": 1}},
  "correlations": [{"a": "a", "b": "d", "r": 0.6}]})";

TEST_CASE("results are bit-identical for any number of threads") {
  const McResult one = RunModelText(kMixedModel, 100000, 9, 1);
  const McResult two = RunModelText(kMixedModel, 100000, 9, 2);
  const McResult three = RunModelText(kMixedModel, 100000, 9, 3);
  for (const McResult* r : {&two, &three}) {
    CHECK(r->mean == one.mean);
    CHECK(r->u == one.u);
    CHECK(r->intervals.symmetric_low == one.intervals.symmetric_low);
    CHECK(r->intervals.symmetric_high == one.intervals.symmetric_high);
    CHECK(r->intervals.shortest_low == one.intervals.shortest_low);
    CHECK(r->intervals.shortest_high == one.intervals.shortest_high);
    CHECK(r->histogram.counts == one.histogram.counts);
  }
  // A different seed gives different draws.
  CHECK(RunModelText(kMixedModel, 100000, 10, 2).mean != one.mean);
}

TEST_CASE("the Gaussian copula gives normal inputs the requested correlation") {
  // Y = X1 + X2 with unit normals correlated r: var Y = 2 + 2 r exactly.
  for (double r : {-0.9, 0.5, 1.0}) {
    const std::string model =
        R"({"model": "X1 + X2", "inputs": {"X1": {"dist": "normal", "mean": 0, "sd": 1},
            "X2": {"dist": "normal", "mean": 0, "sd": 1}},
            "correlations": [{"a": "X1", "b": "X2", "r": )" +
        std::to_string(r) + "}]}";
    const auto b = testing::RunBatches(model, 20, 20000, 300);
    INFO("r = " << r);
    CHECK(std::abs(b.u.value - std::sqrt(2 + 2 * r)) <= 5 * b.u.se + 1e-12);
    // The GUM propagation uses the same correlation.
    CHECK(b.first.gum.u == Approx(std::sqrt(2 + 2 * r)).epsilon(1e-8).margin(1e-10));
  }
}

TEST_CASE("the adaptive procedure stops when the results are stable to the digits asked") {
  const std::string model = R"({"model": "X1 + X2", "inputs": {
      "X1": {"dist": "normal", "mean": 0, "sd": 1}, "X2": {"dist": "rectangular", "low": -1, "high": 1}}})";
  const ModelFile file = ParseModelJson(model, "m");
  const auto compiled = CompileModel(file.model);
  McOptions options;
  options.adaptive = true;
  options.digits = 2;
  options.seed = 5;
  options.threads = 2;
  const McResult r = RunMonteCarlo(file.model, *compiled, options);
  REQUIRE(r.status == Status::kOk);
  const AdaptiveSummary& a = r.adaptive_summary;
  CHECK(a.stabilised);
  CHECK(a.batch_trials % kBlockSize == 0);
  CHECK(a.batch_trials >= 10000);
  CHECK(r.trials == a.batches * a.batch_trials);
  CHECK(a.batches >= 2);
  // JCGM 101 7.9.4 i): stop when 2 s of each batch statistic is within the tolerance.
  CHECK(2 * std::max({a.sd_mean, a.sd_u, a.sd_low, a.sd_high}) <= a.tolerance);
  CHECK(a.tolerance == NumericalTolerance(r.u, 2));
  // u = sqrt(1 + 1/3) exactly.
  CHECK(std::abs(r.u - std::sqrt(4.0 / 3)) < 0.01);
  options.threads = 1;
  const McResult serial = RunMonteCarlo(file.model, *compiled, options);
  CHECK(serial.trials == r.trials);
  CHECK(serial.u == r.u);

  // A cap too small to stabilise at 5 digits: reported, not a silent number.
  options.digits = 5;
  options.max_trials = 100000;
  const McResult capped = RunMonteCarlo(file.model, *compiled, options);
  CHECK(capped.status == Status::kNotConverged);
  CHECK_THAT(capped.message, Catch::Contains("did not stabilise"));
}

TEST_CASE("trials giving NaN or infinity are counted, never averaged") {
  const std::string model = R"j({"model": "sqrt(x)", "inputs": {"x": {"dist": "normal", "mean": 1, "sd": 1}}})j";
  const McResult r = RunModelText(model, 100000, 3);
  CHECK(r.status == Status::kFailed);
  CHECK(std::isnan(r.mean));
  // P(x < 0) = Phi(-1) = 0.158655: the count is within 5 binomial standard errors.
  const double p = 0.15865525393145707;
  CHECK(std::abs(static_cast<double>(r.nonfinite) - p * 1e5) < 5 * std::sqrt(1e5 * p * (1 - p)));
  CHECK_THAT(r.message, Catch::Contains(std::to_string(r.nonfinite) + " of 100000 trials"));

  const ModelFile file = ParseModelJson(model, "m");
  const auto compiled = CompileModel(file.model);
  McOptions options;
  options.trials = 100000;
  options.seed = 3;
  options.drop_nonfinite = true;
  const McResult dropped = RunMonteCarlo(file.model, *compiled, options);
  CHECK(dropped.status == Status::kOk);
  CHECK(dropped.nonfinite == r.nonfinite);
  CHECK(std::isfinite(dropped.mean));
  CHECK_FALSE(dropped.warnings.empty());
}

TEST_CASE("coverage intervals from partial sorting equal those from a full sort") {
  Xoshiro256pp rng(77);
  for (std::size_t m : {5u, 40u, 999u, 10007u, 200000u, 600000u}) {
    for (double p : {0.5, 0.9, 0.95, 0.99}) {
      std::vector<double> x(m);
      // Skewed (shortest != symmetric), of both signs (the radix sort flips sign bits).
      for (double& v : x) v = std::exp(StandardNormal(rng)) - 1.5;
      std::vector<double> sorted = x;
      std::sort(sorted.begin(), sorted.end());
      // Reference straight from JCGM 101 7.7 on the full sort.
      const double pm = p * static_cast<double>(m);
      const std::size_t q = pm == std::floor(pm) ? static_cast<std::size_t>(pm)
                                                 : static_cast<std::size_t>(pm + 0.5);
      if (q >= m) continue;  // too few values for this coverage (JCGM 101 wants M >> 1/(1-p))
      const std::size_t r_sym = (m - q) % 2 == 0 ? (m - q) / 2 : (m - q + 1) / 2;
      std::size_t best = 1;
      for (std::size_t r = 1; r <= m - q; ++r) {
        if (sorted[r + q - 1] - sorted[r - 1] < sorted[best + q - 1] - sorted[best - 1]) best = r;
      }
      const CoverageIntervals ci = ComputeCoverageIntervals(x, p);
      INFO("M = " << m << ", p = " << p);
      CHECK(ci.symmetric_low == sorted[r_sym - 1]);
      CHECK(ci.symmetric_high == sorted[r_sym + q - 1]);
      CHECK(ci.shortest_low == sorted[best - 1]);
      CHECK(ci.shortest_high == sorted[best + q - 1]);
      CHECK(ci.minimum == sorted.front());
      CHECK(ci.maximum == sorted.back());
    }
  }
}

TEST_CASE("numerical tolerance of JCGM 101 7.9.2") {
  // JCGM 101 7.9.2 example: u(y) = 1.2 x 10^-3 ... tolerance 0.05 x 10^-3; and 9.3: 0.0005.
  CHECK(NumericalTolerance(0.0012, 2) == Approx(0.00005));
  CHECK(NumericalTolerance(0.0539, 2) == Approx(0.0005));
  CHECK(NumericalTolerance(0.0754, 2) == Approx(0.0005));
  CHECK(NumericalTolerance(2.0, 2) == Approx(0.05));
  CHECK(NumericalTolerance(0.0996, 2) == Approx(0.005));  // rounds to 0.10 = 10 x 10^-2
  CHECK(NumericalTolerance(35.3, 1) == Approx(5));
}

TEST_CASE("moments merge exactly as one pass over all the values") {
  Xoshiro256pp rng(8);
  std::vector<double> x(1000);
  for (double& v : x) v = 1e9 + StandardNormal(rng);  // large offset: centred sums matter
  Moments merged;
  for (std::size_t b = 0; b < 10; ++b) {
    merged.Merge(Moments::Of(std::span<const double>(x).subspan(b * 100, 100)));
  }
  const Moments whole = Moments::Of(x);
  CHECK(merged.count == 1000);
  CHECK(merged.mean == Approx(whole.mean).epsilon(1e-15));
  CHECK(merged.Variance() == Approx(whole.Variance()).epsilon(1e-9));
}

TEST_CASE("every distribution: sampled moments match the closed forms") {
  // Closed forms written out here, independently of Distribution::Expectation/StandardDeviation.
  struct Case {
    const char* json;
    double mean;
    double sd;
  };
  const double s12 = std::sqrt(12.0);
  const Case cases[] = {
      {R"({"dist": "normal", "mean": 3, "sd": 2})", 3, 2},
      {R"({"dist": "student_t", "mean": 1, "scale": 2, "dof": 6})", 1, 2 * std::sqrt(6.0 / 4)},
      {R"({"dist": "rectangular", "low": -1, "high": 5})", 2, 6 / s12},
      {R"({"dist": "triangular", "low": 0, "mode": 1, "high": 4})", 5.0 / 3,
       std::sqrt((0 + 1 + 16 - 0 - 0 - 4) / 18.0)},
      {R"({"dist": "arcsine", "low": 0, "high": 2})", 1, 2 / std::sqrt(8.0)},
      {R"({"dist": "trapezoidal", "low": 0, "high": 2, "beta": 0.5})", 1,
       2 * std::sqrt((1 + 0.25) / 24)},
      {R"({"dist": "lognormal", "mean": 2, "sd": 0.5})", 2, 0.5},
      {R"({"dist": "gamma", "shape": 2, "scale": 3})", 6, 3 * std::sqrt(2.0)},
      {R"({"dist": "exponential", "mean": 4})", 4, 4},
      {R"({"dist": "poisson", "mean": 30})", 30, std::sqrt(30.0)},
      {R"({"dist": "binomial", "n": 100, "p": 0.3})", 30, std::sqrt(21.0)},
  };
  for (const Case& c : cases) {
    const std::string model = std::string(R"({"model": "x", "inputs": {"x": )") + c.json + "}}";
    INFO(c.json);
    const auto b = testing::RunBatches(model, 20, 20000, 400);
    CHECK(std::abs(b.mean.value - c.mean) <= 5 * b.mean.se);
    CHECK(std::abs(b.u.value - c.sd) <= 5 * b.u.se);
    const ModelFile f = ParseModelJson(model, "m");
    const Distribution& d = f.model.inputs[0].distribution;
    CHECK(d.Expectation() == Approx(c.mean).epsilon(1e-12));
    CHECK(d.StandardDeviation() == Approx(c.sd).epsilon(1e-12));
  }
}

TEST_CASE("quantile functions invert the closed-form cdfs") {
  auto dist = [](const char* json) {
    const std::string model = std::string(R"({"model": "x", "inputs": {"x": )") + json + "}}";
    return ParseModelJson(model, "m").model.inputs[0].distribution;
  };
  const Distribution tri = dist(R"({"dist": "triangular", "low": 0, "mode": 1, "high": 4})");
  // F(x) = x^2 / 4 on [0, 1], 1 - (4 - x)^2 / 12 on [1, 4].
  CHECK(tri.Quantile(0.25) == Approx(1));
  CHECK(tri.Quantile(1 - 4.0 / 12) == Approx(2));
  const Distribution arc = dist(R"({"dist": "arcsine", "low": -1, "high": 1})");
  // F(x) = 1/2 + arcsin(x)/pi.
  CHECK(arc.Quantile(0.5 + std::asin(0.3) / M_PI) == Approx(0.3));
  const Distribution trap = dist(R"({"dist": "trapezoidal", "low": 0, "high": 4, "beta": 0.5})");
  // Height 1/3 on [1, 3], ramps on [0, 1] and [3, 4]: F(1) = 1/6, F(2) = 1/2.
  CHECK(trap.Quantile(1.0 / 6) == Approx(1));
  CHECK(trap.Quantile(0.5) == Approx(2));
  CHECK(trap.Quantile(1.0 / 24) == Approx(0.5));  // F(0.5) = (1/3) 0.5^2 / 2 = 1/24
}

}  // namespace
}  // namespace keycomp::mc
