// REML and ML return the global maximum of a likelihood in tau^2 with several local maxima,
// count the maxima and warn. Checked against a brute-force search written here: the profile
// (restricted) log-likelihood in long double (likelihood_test_support.h) on 2e5 log-spaced
// tau^2 and 0, every discrete local maximum refined by golden-section search in ln tau^2 and
// polished by bisection on a symmetric difference.
// (The metafor goldens for the same cases: metafor_oracle_test.cc.)
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "likelihood_test_support.h"
#include "random_effects_test_support.h"

using re_test::Extra;
using re_test::MakeComparison;
using re_test::Run;

namespace {

struct BruteMaximum {
  long double tau2 = 0;
  long double log_likelihood = 0;
};

long double At(const std::vector<double>& x, const std::vector<double>& u, long double t,
               bool restricted) {
  return re_test::ProfileLogLikelihood(x, u, t, restricted);
}

// Golden-section search for the maximum of the likelihood in s = ln tau^2 on [a, b].
long double GoldenSection(const std::vector<double>& x, const std::vector<double>& u,
                          bool restricted, long double a, long double b) {
  const long double g = (std::sqrt(5.0L) - 1) / 2;
  long double c = b - g * (b - a), d = a + g * (b - a);
  long double fc = At(x, u, std::exp(c), restricted), fd = At(x, u, std::exp(d), restricted);
  for (int i = 0; i < 200 && b - a > 1e-15L * std::max(1.0L, std::abs(a)); ++i) {
    if (fc > fd) {
      b = d, d = c, fd = fc, c = b - g * (b - a), fc = At(x, u, std::exp(c), restricted);
    } else {
      a = c, c = d, fc = fd, d = a + g * (b - a), fd = At(x, u, std::exp(d), restricted);
    }
  }
  // Golden section leaves about sqrt(eps) of the flat top; polish by bisection on the symmetric
  // difference l(s + d) - l(s - d), whose zero is the maximum to O(d^2).
  const long double step = 1e-7L;
  auto slope = [&](long double s) {
    return At(x, u, std::exp(s + step), restricted) - At(x, u, std::exp(s - step), restricted);
  };
  long double lo = (a + b) / 2 - 1e-5L, hi = (a + b) / 2 + 1e-5L;
  REQUIRE(slope(lo) > 0);
  REQUIRE(slope(hi) < 0);
  for (int i = 0; i < 100; ++i) ((slope((lo + hi) / 2) > 0) ? lo : hi) = (lo + hi) / 2;
  return std::exp((lo + hi) / 2);
}

// Every local maximum over tau^2 >= 0, in increasing tau^2.
std::vector<BruteMaximum> BruteForceMaxima(const std::vector<double>& x,
                                           const std::vector<double>& u, bool restricted) {
  const long double low = std::log(1e-10L), high = std::log(1e8L);
  const int points = 200000;
  const long double h = (high - low) / (points - 1);
  std::vector<long double> l(points + 1);
  l[0] = At(x, u, 0, restricted);
  for (int k = 1; k <= points; ++k) l[k] = At(x, u, std::exp(low + (k - 1) * h), restricted);
  std::vector<BruteMaximum> out;
  if (l[0] >= l[1]) out.push_back({0, l[0]});
  for (int k = 2; k < points; ++k) {
    if (!(l[k] > l[k - 1] && l[k] >= l[k + 1])) continue;
    const long double t = GoldenSection(x, u, restricted, low + (k - 2) * h, low + k * h);
    out.push_back({t, At(x, u, t, restricted)});
  }
  REQUIRE(l[points] < l[points - 1]);  // the grid reaches past the last maximum
  return out;
}

struct Case {
  const char* name;
  std::vector<double> x, u;
  int maxima;  // what the brute force must find, so that the case tests what it claims
};

std::vector<Case> Cases() {
  const std::vector<double> tx{10.000, 10.010, 9.990, 10.005, 9.995};
  const std::vector<double> tu{0.010, 0.015, 0.020, 0.012, 0.018};
  auto join = [](std::vector<double> a, const std::vector<double>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  auto spread = [&](double s) {
    std::vector<double> v = tx;
    const double k[] = {0, 1, -1, 2, -2};
    for (std::size_t i = 0; i < v.size(); ++i) v[i] += s * k[i];
    return v;
  };
  return {
      {"boundary and far", join(tx, {11, 12, 13}), join(tu, {0.3, 0.3, 0.3}), 2},
      {"two interior, far wins", join(spread(0.03), {11, 12, 13}), join(tu, {0.5, 0.5, 0.5}), 2},
      {"two interior, near wins", join(spread(0.02), {10.01, 9.99, 11.5, 13}),
       join(tu, {0.01, 0.01, 0.5, 0.5}), 2},
      {"boundary and far, 2 far labs", join(tx, {12, 13}), join(tu, {0.5, 0.5}), 2},
      {"unimodal",
       {10, 10.02, 9.98, 10.01, 9.99, 12, 13, 14},
       {0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1},
       1},
      {"boundary only", join(tx, {10.2}), join(tu, {0.3}), 1},
  };
}

// The random-effects mean and its u at tau^2, in long double.
std::pair<long double, long double> MeanAndU(const std::vector<double>& x,
                                             const std::vector<double>& u, long double t) {
  long double sw = 0, swx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double w = 1 / ((long double)u[i] * u[i] + t);
    sw += w;
    swx += w * x[i];
  }
  return {swx / sw, 1 / std::sqrt(sw)};
}

}  // namespace

TEST_CASE("REML and ML: the global maximum of a multimodal likelihood, as brute force finds it",
          "[reml][ml][multimodal]") {
  double worst_tau = 0, worst_value = 0, worst_u = 0;
  int cases = 0;
  for (const Case& c : Cases()) {
    for (const bool restricted : {true, false}) {
      const char* name = restricted ? "reml" : "ml";
      INFO(c.name << ", " << name);
      const std::vector<BruteMaximum> brute = BruteForceMaxima(c.x, c.u, restricted);
      // The constructed cases are multimodal for both likelihoods (checked here, not assumed).
      REQUIRE(brute.size() == static_cast<std::size_t>(c.maxima));
      const auto best = std::max_element(
          brute.begin(), brute.end(),
          [](const auto& a, const auto& b) { return a.log_likelihood < b.log_likelihood; });
      const auto [mu, u_mu] = MeanAndU(c.x, c.u, best->tau2);

      const auto r = Run(name, MakeComparison(c.x, c.u));
      REQUIRE(r.status == keycomp::Status::kOk);
      CHECK(Extra(r, "local_maxima") == c.maxima);
      const double tau = std::sqrt((double)best->tau2);
      const double tau_error = tau == 0 ? *r.tau : std::abs(*r.tau - tau) / tau;
      const double value_error = std::abs(r.value - (double)mu) / (double)u_mu;
      const double u_error = std::abs(r.u - (double)u_mu) / (double)u_mu;
      CHECK(tau_error < 1e-9);
      CHECK(value_error < 1e-9);
      CHECK(u_error < 1e-9);
      worst_tau = std::max(worst_tau, tau_error);
      worst_value = std::max(worst_value, value_error);
      worst_u = std::max(worst_u, u_error);
      ++cases;

      const bool warned = std::any_of(r.warnings.begin(), r.warnings.end(), [](const auto& w) {
        return w.find("local maxima") != std::string::npos;
      });
      CHECK(warned == (c.maxima > 1));
      if (c.maxima > 1) {
        const std::string& w = r.warnings.back();
        for (const BruteMaximum& m : brute) {
          CHECK_THAT(w, Catch::Matchers::Contains(
                            fmt::format("tau = {:.6g} (", std::sqrt((double)m.tau2))));
        }
      }
    }
  }
  fmt::print(
      "multimodal vs brute force: {} cases; worst relative error tau {:.1e}, KCRV (in u) "
      "{:.1e}, u {:.1e}\n",
      cases, worst_tau, worst_value, worst_u);
}

TEST_CASE("REML and ML: the global maximum does not depend on the data's unit and origin",
          "[reml][ml][multimodal]") {
  // "two interior, far wins" at scale 1e-6 about 0.5 and at 1e6 about 2.2e9: tau and the
  // KCRV scale, the warning lists tau in the data's unit.
  const Case c = Cases()[1];
  for (const auto [scale, centre] : {std::pair{1e-6, 0.5}, std::pair{1e6, 2.2e9}}) {
    std::vector<double> x, u;
    for (std::size_t i = 0; i < c.x.size(); ++i) {
      x.push_back(centre + scale * (c.x[i] - 10));
      u.push_back(scale * c.u[i]);
    }
    for (const char* name : {"reml", "ml"}) {
      INFO(name << " at scale " << scale);
      const auto base = Run(name, MakeComparison(c.x, c.u));
      const auto r = Run(name, MakeComparison(x, u));
      CHECK(Extra(r, "local_maxima") == 2);
      CHECK(*r.tau / scale == Approx(*base.tau).epsilon(1e-9));
      CHECK((r.value - centre) / scale == Approx(base.value - 10).epsilon(1e-7));
      CHECK_THAT(r.warnings.back(), Catch::Matchers::Contains(fmt::format("tau = {:.6g}", *r.tau)));
    }
  }
}
