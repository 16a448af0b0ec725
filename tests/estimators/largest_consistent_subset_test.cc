// Largest consistent subset (estimators/largest_consistent_subset.h): the exact search against
// brute-force enumeration of all 2^n subsets (n <= 16, the brute force lives here), closed-form
// cases, weights and dropped labs through RunEstimator and the CLI's JSON, equivariance.
#include "estimators/largest_consistent_subset.h"

#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "rob_test_support.h"

using keycomp::EstimateLargestConsistentSubset;
using keycomp::FindLargestConsistentSubset;
using keycomp::Status;
using rob_test::ExtraValue;
using rob_test::SampleData;

namespace {

// chi2 of a subset about its own weighted mean, two-pass in long double.
double SubsetChi2(const std::vector<double>& x, const std::vector<double>& u, unsigned mask) {
  long double sw = 0, swx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (mask & (1u << i)) {
      const long double w = 1.0L / ((long double)u[i] * u[i]);
      sw += w;
      swx += w * x[i];
    }
  }
  const long double m = swx / sw;
  long double chi2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (mask & (1u << i)) chi2 += (x[i] - m) * (x[i] - m) / ((long double)u[i] * u[i]);
  }
  return static_cast<double>(chi2);
}

struct BruteForce {
  unsigned mask = 0;
  int size = 0;
  double chi2 = 0;
};

// Every non-empty subset; the largest passing the test at level alpha, smallest chi2 first.
BruteForce Enumerate(const std::vector<double>& x, const std::vector<double>& u, double alpha) {
  const std::size_t n = x.size();
  std::vector<double> critical(n + 1, 0);
  for (std::size_t m = 2; m <= n; ++m) {
    critical[m] =
        boost::math::quantile(boost::math::chi_squared(static_cast<double>(m - 1)), 1 - alpha);
  }
  BruteForce best;
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    const int size = __builtin_popcount(mask);
    if (size < best.size) continue;
    const double chi2 = size == 1 ? 0 : SubsetChi2(x, u, mask);
    if (chi2 > critical[static_cast<std::size_t>(size)]) continue;
    if (size > best.size || chi2 < best.chi2) best = {mask, size, chi2};
  }
  return best;
}

}  // namespace

TEST_CASE("LCS equals brute-force enumeration on random cases with n <= 16", "[lcs]") {
  std::mt19937_64 rng(2007);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.2, 2.0);
  std::uniform_real_distribution<double> unit(0, 1);
  int cases = 0, strict = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 2 + static_cast<std::size_t>(trial % 15);  // 2..16
    std::vector<double> x(n), u(n);
    const double tau = trial % 3 == 0 ? 0.0 : 1.5 * unit(rng);  // consistent to heterogeneous
    for (std::size_t i = 0; i < n; ++i) {
      u[i] = uniform(rng);
      x[i] = u[i] * normal(rng) + tau * normal(rng);
      if (unit(rng) < 0.15) x[i] += 8 * normal(rng);  // outliers
    }
    const double alpha = trial % 5 == 4 ? 0.01 : 0.05;
    const BruteForce want = Enumerate(x, u, alpha);
    const auto got = FindLargestConsistentSubset(x, u, alpha);
    INFO("trial " << trial << " n " << n);
    REQUIRE(static_cast<int>(got.members.size()) == want.size);
    unsigned mask = 0;
    for (std::size_t i : got.members) mask |= 1u << i;
    // The same subset, or, when the largest consistent subsets are single results (all with
    // chi2 = 0: not unique, the estimator then reports kFailed), another single result.
    if (mask != want.mask) {
      CHECK(want.size == 1);
    } else {
      ++strict;
    }
    CHECK(got.chi2 == Approx(want.chi2).epsilon(1e-12).margin(1e-14));
    if (want.size < static_cast<int>(n)) ++cases;
  }
  CHECK(cases > 100);  // most cases really drop labs
  WARN(
      fmt::format("LCS vs brute force: 300 cases, {} with dropped labs, {} identical subsets "
                  "(the others: singletons, not unique)",
                  cases, strict));
}

TEST_CASE("LCS of consistent data is the weighted mean of all", "[lcs]") {
  const SampleData d({10.0, 10.2, 9.9, 10.1}, {0.1, 0.2, 0.1, 0.15});
  const auto r = EstimateLargestConsistentSubset(d.view(), {});
  REQUIRE(r.status == Status::kOk);
  double sw = 0, swx = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    sw += 1 / (d.u[i] * d.u[i]);
    swx += d.x[i] / (d.u[i] * d.u[i]);
  }
  CHECK(r.value == Approx(swx / sw).epsilon(1e-14));
  CHECK(r.u == Approx(1 / std::sqrt(sw)).epsilon(1e-14));
  CHECK(r.dropped.empty());
  CHECK(ExtraValue(r, "subset_size") == 4);
}

TEST_CASE("LCS drops a gross outlier and gives it zero weight", "[lcs]") {
  const SampleData d({10.0, 10.2, 9.9, 10.1, 14.0}, {0.1, 0.2, 0.1, 0.15, 0.1});
  const auto r = EstimateLargestConsistentSubset(d.view(), {});
  REQUIRE(r.status == Status::kOk);
  REQUIRE(r.dropped == std::vector<std::size_t>{4});
  CHECK(r.weights(4) == 0);
  CHECK(r.weights.sum() == Approx(1).epsilon(1e-15));
  const SampleData kept({10.0, 10.2, 9.9, 10.1}, {0.1, 0.2, 0.1, 0.15});
  const auto r_kept = EstimateLargestConsistentSubset(kept.view(), {});
  CHECK(r.value == Approx(r_kept.value).epsilon(1e-15));
  CHECK(r.u == Approx(r_kept.u).epsilon(1e-15));
}

TEST_CASE("LCS with two inconsistent results fails: no unique subset", "[lcs]") {
  const SampleData d({0, 10}, {1, 1});
  const auto r = EstimateLargestConsistentSubset(d.view(), {});
  CHECK(r.status == Status::kFailed);
  CHECK_FALSE(r.message.empty());
}

TEST_CASE("LCS: RunEstimator maps dropped labs, the CLI's JSON names them", "[lcs][cli]") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / fs::path("keycomp_lcs_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path input = dir / "in.csv";
  {
    std::ofstream out(input);
    out << "lab,value,u,include\nA,10.0,0.1,1\nX,50,1,0\nB,10.2,0.2,1\nC,9.9,0.1,1\nD,10.1,0.15,1\n"
           "OUT,14.0,0.1,1\n";
  }
  const auto comparison = keycomp::ReadComparisonFile(input.string());
  const auto r =
      keycomp::RunEstimator(*keycomp::FindEstimator("largest_consistent_subset"), comparison, {});
  REQUIRE(r.status == Status::kOk);
  REQUIRE(r.dropped.size() == 1);
  CHECK(comparison.results()[r.dropped[0]].lab == "OUT");
  CHECK(r.weights(1) == 0);  // excluded lab X
  CHECK(r.weights(5) == 0);  // dropped lab OUT

  const fs::path json = dir / "out.json";
  const std::string command = std::string(KEYCOMP_BINARY) + " analyse " + input.string() +
                              " -e largest_consistent_subset --format json -o " + json.string();
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  CHECK(s.find("\"dropped\"") != std::string::npos);
  CHECK(s.find("\"OUT\"") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("LCS is location-scale equivariant", "[lcs]") {
  const SampleData d({10.0, 10.2, 9.9, 10.1, 14.0, 10.6, 9.2},
                     {0.1, 0.2, 0.1, 0.15, 0.1, 0.2, 0.3});
  const auto r0 = EstimateLargestConsistentSubset(d.view(), {});
  REQUIRE(r0.status == Status::kOk);
  for (const auto& [a, b] :
       std::vector<std::pair<double, double>>{{0, 1e-9}, {-4, 3}, {2e3, -1e2}}) {
    const SampleData t = d.Transformed(a, b);
    const auto r = EstimateLargestConsistentSubset(t.view(), {});
    INFO("a = " << a << ", b = " << b);
    REQUIRE(r.status == Status::kOk);
    CHECK(r.dropped == r0.dropped);
    CHECK(r.value == Approx(a + b * r0.value).epsilon(1e-12));
    CHECK(r.u == Approx(std::abs(b) * r0.u).epsilon(1e-12));
    CHECK(ExtraValue(r, "chi2") == Approx(ExtraValue(r0, "chi2")).epsilon(1e-10));
  }
}

TEST_CASE("LCS checks its alpha setting", "[lcs]") {
  const SampleData d({1, 2, 3}, {1, 1, 1});
  keycomp::EstimatorOptions o;
  o.settings["alpha"] = "0.9";
  CHECK_THROWS(EstimateLargestConsistentSubset(d.view(), o));
}
