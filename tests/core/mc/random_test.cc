// Tests of the random-draw layer. Every statistical check uses a fixed seed and a tolerance of
// five or more Monte Carlo standard errors of the statistic at the sample size used, computed
// from the exact moments of the target distribution.
#include "core/mc/random.h"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

namespace keycomp::mc {
namespace {

struct Moments {
  double mean = 0;
  double variance = 0;
};

template <class Draw>
Moments SampleMoments(std::size_t n, Draw draw) {
  double sum = 0, sum2 = 0;
  std::vector<double> x(n);
  for (double& v : x) {
    v = draw();
    sum += v;
  }
  const double mean = sum / static_cast<double>(n);
  for (double v : x) sum2 += (v - mean) * (v - mean);
  return {mean, sum2 / static_cast<double>(n - 1)};
}

/// Checks sample moments against exact ones: mean within 5 SE (SE = sd / sqrt(n)); variance
/// within 5 SE of the sample variance, SE = sqrt((mu4 - sigma^4) / n).
void CheckMoments(const Moments& m, double mean, double variance, double mu4, std::size_t n) {
  const double nd = static_cast<double>(n);
  CHECK(std::abs(m.mean - mean) < 5 * std::sqrt(variance / nd));
  CHECK(std::abs(m.variance - variance) < 5 * std::sqrt((mu4 - variance * variance) / nd));
}

TEST_CASE("SplitMix64 matches the published reference sequence") {
  // SplitMix64 (Vigna's splitmix64.c) from state 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4.
  std::uint64_t state = 0;
  CHECK(SplitMix64(state) == 0xE220A8397B1DCDAFULL);
  CHECK(SplitMix64(state) == 0x6E789E6AA1B965F4ULL);
}

TEST_CASE("block generators depend only on (seed, stream, block)") {
  Xoshiro256pp a = BlockGenerator(7, 3, 11);
  Xoshiro256pp b = BlockGenerator(7, 3, 11);
  for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
  Xoshiro256pp c = BlockGenerator(7, 3, 12);
  Xoshiro256pp d = BlockGenerator(7, 4, 11);
  Xoshiro256pp e = BlockGenerator(8, 3, 11);
  const auto first = BlockGenerator(7, 3, 11)();
  CHECK(c() != first);
  CHECK(d() != first);
  CHECK(e() != first);
}

TEST_CASE("ParallelForBlocks gives the same draws for any thread count") {
  const std::size_t trials = 5 * kBlockSize + 123;
  auto run = [&](unsigned threads) {
    std::vector<double> values(trials);
    ParallelForBlocks(BlockCount(trials), threads, [&](std::size_t block, unsigned) {
      const BlockRange r = BlockTrials(block, trials);
      Xoshiro256pp rng = BlockGenerator(42, 0, block);
      FillNormal(rng, std::span(values).subspan(r.begin, r.size()), 0, 1);
    });
    return values;
  };
  const auto one = run(1);
  CHECK(run(2) == one);
  CHECK(run(5) == one);
  CHECK(BlockCount(trials) == 6);
  CHECK(BlockTrials(5, trials).size() == 123);
}

TEST_CASE("ParallelForBlocks rethrows the failure of the lowest block") {
  CHECK_THROWS_WITH(ParallelForBlocks(8, 3,
                                      [](std::size_t b, unsigned) {
                                        if (b >= 2) throw std::runtime_error("block " + std::to_string(b));
                                      }),
                    Catch::Contains("block"));
  CHECK_THROWS_WITH(ParallelForBlocks(8, 1,
                                      [](std::size_t b, unsigned) {
                                        if (b >= 2) throw std::runtime_error("block " + std::to_string(b));
                                      }),
                    "block 2");
}

TEST_CASE("uniform draws stay in range and have the right moments") {
  Xoshiro256pp rng(1);
  const std::size_t n = 400000;
  std::vector<double> x(n);
  FillUniform(rng, x, -2, 3);
  double lo = 1e300, hi = -1e300, sum = 0, sum2 = 0;
  for (double v : x) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    sum2 += v * v;
  }
  CHECK(lo >= -2);
  CHECK(hi < 3);
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // Uniform of width w: variance w^2/12, mu4 = w^4/80.
  CheckMoments({mean, var}, 0.5, 25.0 / 12, 625.0 / 80, n);
  for (int i = 0; i < 1000; ++i) {
    const double u = UniformOpen01(rng);
    REQUIRE(u > 0);
    REQUIRE(u < 1);
  }
}

TEST_CASE("ziggurat normals: moments and the cdf at many points") {
  Xoshiro256pp rng(2);
  const std::size_t n = 1000000;
  std::vector<double> x(n);
  FillNormal(rng, x, 0, 1);
  double sum = 0, sum2 = 0, sum4 = 0;
  for (double v : x) sum += v;
  const double mean = sum / n;
  for (double v : x) {
    sum2 += (v - mean) * (v - mean);
    sum4 += std::pow(v - mean, 4);
  }
  CheckMoments({mean, sum2 / (n - 1)}, 0, 1, 3, n);
  // Kurtosis 3: mu4 estimate within 5 SE (var of sample mu4 ~ (mu8 - mu4^2)/n = (105-9)/n).
  CHECK(std::abs(sum4 / n - 3) < 5 * std::sqrt(96.0 / n));
  // Empirical cdf at points from the centre to the tail beyond R = 3.654: each proportion
  // within 5 binomial standard errors of Phi(t).
  boost::math::normal_distribution<> phi;
  for (double t : {-4.5, -3.8, -3.6, -3.0, -2.0, -1.0, -0.3, 0.0, 0.7, 1.5, 2.5, 3.7, 4.2}) {
    std::size_t below = 0;
    for (double v : x) below += v < t;
    const double p = cdf(phi, t);
    INFO("t = " << t);
    CHECK(std::abs(static_cast<double>(below) / n - p) < 5 * std::sqrt(p * (1 - p) / n) + 1e-7);
  }
}

TEST_CASE("Student t draws follow the t distribution") {
  Xoshiro256pp rng(3);
  const std::size_t n = 400000;
  for (double dof : {3.0, 10.0}) {
    std::vector<double> x(n);
    FillStudentT(rng, x, 1.5, 2.0, dof);
    boost::math::students_t_distribution<> t(dof);
    for (double q : {-4.0, -1.0, 0.0, 0.5, 2.0, 5.0}) {
      std::size_t below = 0;
      for (double v : x) below += (v - 1.5) / 2.0 < q;
      const double p = cdf(t, q);
      INFO("dof " << dof << " q " << q);
      CHECK(std::abs(static_cast<double>(below) / n - p) < 5 * std::sqrt(p * (1 - p) / n));
    }
  }
}

TEST_CASE("gamma draws have the right moments, shapes below and above one") {
  Xoshiro256pp rng(4);
  const std::size_t n = 400000;
  for (double k : {0.3, 1.0, 2.5, 40.0}) {
    // Gamma(k, 1): mean k, variance k, mu4 = 3k^2 + 6k.
    INFO("shape " << k);
    CheckMoments(SampleMoments(n, [&] { return StandardGamma(rng, k); }), k, k, 3 * k * k + 6 * k,
                 n);
  }
}

TEST_CASE("Poisson draws: inversion and PTRS branches") {
  Xoshiro256pp rng(5);
  const std::size_t n = 400000;
  for (double lambda : {0.7, 6.0, 10.0, 37.5, 5000.0}) {
    // Poisson: mean = variance = lambda, mu4 = lambda (1 + 3 lambda).
    INFO("lambda " << lambda);
    CheckMoments(SampleMoments(n, [&] { return static_cast<double>(Poisson(rng, lambda)); }),
                 lambda, lambda, lambda * (1 + 3 * lambda), n);
  }
  CHECK(Poisson(rng, 0) == 0);
}

TEST_CASE("binomial draws: inversion and BTRS branches, p on both sides of 1/2") {
  Xoshiro256pp rng(6);
  const std::size_t n = 400000;
  struct Case {
    std::uint64_t trials;
    double p;
  };
  for (Case c : {Case{10, 0.3}, Case{1000, 0.004}, Case{20000, 0.26}, Case{20000, 0.93},
                 Case{50, 0.5}}) {
    const double nn = static_cast<double>(c.trials), q = 1 - c.p;
    const double var = nn * c.p * q;
    // Binomial mu4 = n p q (1 + 3 (n - 2) p q).
    const double mu4 = var * (1 + 3 * (nn - 2) * c.p * q);
    INFO("n " << c.trials << " p " << c.p);
    std::uint64_t largest = 0;
    const Moments m = SampleMoments(n, [&] {
      const std::uint64_t k = Binomial(rng, c.trials, c.p);
      largest = std::max(largest, k);
      return static_cast<double>(k);
    });
    CHECK(largest <= c.trials);
    CheckMoments(m, nn * c.p, var, mu4, n);
  }
  CHECK(Binomial(rng, 10, 0) == 0);
  CHECK(Binomial(rng, 10, 1) == 10);
}

TEST_CASE("semi-definite Cholesky: definite, singular and indefinite matrices") {
  Eigen::MatrixXd a(3, 3);
  a << 4, 2, 0.4, 2, 5, 1, 0.4, 1, 3;
  auto l = SemidefiniteCholesky(a);
  REQUIRE(l);
  CHECK((*l * l->transpose() - a).norm() < 1e-14);

  Eigen::MatrixXd perfect(3, 3);  // r = 1 between the first two
  perfect << 1, 1, 0.5, 1, 1, 0.5, 0.5, 0.5, 1;
  auto lp = SemidefiniteCholesky(perfect);
  REQUIRE(lp);
  CHECK((*lp * lp->transpose() - perfect).norm() < 1e-14);

  Eigen::MatrixXd bad(3, 3);  // eigenvalues of this matrix include -0.2
  bad << 1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1;
  CHECK_FALSE(SemidefiniteCholesky(bad));
  Eigen::MatrixXd bad_zero(2, 2);
  bad_zero << 0, 0.5, 0.5, 1;
  CHECK_FALSE(SemidefiniteCholesky(bad_zero));
}

TEST_CASE("multivariate normal draws reproduce the covariance") {
  Eigen::MatrixXd cov(2, 2);
  cov << 4, 1.8, 1.8, 1;  // r = 0.9
  Eigen::VectorXd mean(2);
  mean << 10, -1;
  const MultivariateNormal mvn(mean, cov);
  const Eigen::Index n = 400000;
  Eigen::MatrixXd draws(2, n);
  Xoshiro256pp rng(7);
  mvn.Fill(rng, draws);
  const Eigen::VectorXd m = draws.rowwise().mean();
  const Eigen::MatrixXd centred = draws.colwise() - m;
  const Eigen::MatrixXd s = centred * centred.transpose() / static_cast<double>(n - 1);
  CHECK(std::abs(m(0) - 10) < 5 * 2 / std::sqrt(n));
  CHECK(std::abs(m(1) + 1) < 5 * 1 / std::sqrt(n));
  // var(s_ij) = (s_ii s_jj + s_ij^2) / n for a normal sample.
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      const double se = std::sqrt((cov(i, i) * cov(j, j) + cov(i, j) * cov(i, j)) / n);
      CHECK(std::abs(s(i, j) - cov(i, j)) < 5 * se);
    }
  }
  Eigen::MatrixXd not_psd(2, 2);
  not_psd << 1, 2, 2, 1;
  CHECK_THROWS_AS(MultivariateNormal(mean, not_psd), std::invalid_argument);
}

}  // namespace
}  // namespace keycomp::mc
