// core/link: closed-form cases worked by hand (scalar formulas written out here, independent
// of the matrix propagation in core/link.cc), and the errors it must refuse.
//
// Notation: CIPM comparison with an inverse-variance weighted-mean KCRV x_ref, u_ref^2 =
// 1/sum(1/u_k^2), a_k = u_ref^2/u_k^2; linking lab L with results x_L^R (u_R) and x_L^C (u_C)
// and cross-comparison covariance c = r u_R u_C. For an RMO participant P that is not a linking
// lab, with one linking lab (Delahaye & Witt):
//   Delta = x_L^R - x_L^C,  u^2(Delta) = u_R^2 + u_C^2 - 2c,
//   D_P = x_P - Delta - x_ref,
//   cov(Delta, x_ref) = a_L (c - u_C^2)   (x_ref holds a_L x_L^C; x_L^R shares c with x_L^C),
//   u^2(D_P) = u_P^2 + u^2(Delta) + u_ref^2 + 2 cov(Delta, x_ref)
//            = u_P^2 + u_R^2 + u_C^2 - u_ref^2 - 2c (1 - a_L).
#include "core/link.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/comparison.h"
#include "core/estimator.h"
#include "core/input_error.h"
#include "core/run_estimator.h"
#include "estimators/registry.h"

namespace keycomp {
namespace {

Comparison Make(const std::string& name, std::vector<LabResult> results,
                std::vector<Correlation> correlations = {}) {
  ComparisonInfo info;
  info.id = name;
  return Comparison::Create(name + ".csv", info, std::move(results), std::move(correlations));
}

LabResult Lab(const char* name, double x, double u, bool included = true) {
  LabResult r;
  r.lab = name;
  r.value = x;
  r.u = u;
  r.included = included;
  return r;
}

// CIPM: A 10.0 (0.2), B 10.4 (0.4), L 10.2 (0.2), X 11.0 (0.5, excluded).
// sum w = 25 + 6.25 + 25 = 56.25; x_ref = (250 + 65 + 255)/56.25 = 570/56.25.
Comparison Cipm() {
  return Make("cipm", {Lab("A", 10.0, 0.2), Lab("B", 10.4, 0.4), Lab("L", 10.2, 0.2),
                       Lab("X", 11.0, 0.5, false)});
}
constexpr double kRef = 570.0 / 56.25;
constexpr double kRef2 = 1.0 / 56.25;  // u_ref^2
constexpr double kAL = kRef2 / 0.04;   // a_L

LinkReference WeightedMeanReference(const Comparison& cipm) {
  const Estimator* wm = FindEstimator("weighted_mean");
  REQUIRE(wm != nullptr);
  const EstimatorResult r = RunEstimator(*wm, cipm, EstimatorOptions{});
  REQUIRE(r.status == Status::kOk);
  return ReferenceFromEstimator(r, cipm, "weighted_mean");
}

const LinkedDoe& DoeOf(const LinkResult& link, const std::string& lab) {
  for (const LinkedDoe& d : link.doe) {
    if (d.lab == lab) return d;
  }
  FAIL("no DoE for " << lab);
  return link.doe.front();
}

TEST_CASE("one linking lab, r = 0: Delahaye-Witt closed form") {
  const Comparison cipm = Cipm();
  const Comparison rmo =
      Make("rmo", {Lab("L", 10.5, 0.3), Lab("P", 10.9, 0.5), Lab("Q", 10.1, 0.4)});
  LinkOptions options;
  options.linking_labs = {"L"};
  const LinkReference ref = WeightedMeanReference(cipm);
  CHECK(ref.value == Approx(kRef).epsilon(1e-14));
  CHECK(ref.u == Approx(std::sqrt(kRef2)).epsilon(1e-14));
  const LinkResult link = LinkComparisons(rmo, cipm, ref, options);
  REQUIRE(link.status == Status::kOk);
  CHECK(link.link == Approx(0.3).epsilon(1e-13));
  CHECK(link.u_link == Approx(std::sqrt(0.09 + 0.04)).epsilon(1e-14));
  CHECK(link.cov_link_reference == Approx(-kAL * 0.04).epsilon(1e-14));
  CHECK(link.consistency.dof == 0);
  CHECK(std::isnan(link.consistency.chi2));
  REQUIRE(link.linking.size() == 1);
  CHECK(link.linking[0].weight == 1);
  // The linking lab's CIPM DoE: included in the weighted mean, u^2 = u_C^2 - u_ref^2.
  CHECK(link.linking[0].cipm_d == Approx(10.2 - kRef).epsilon(1e-13));
  CHECK(link.linking[0].cipm_d_u == Approx(std::sqrt(0.04 - kRef2)).epsilon(1e-13));

  const LinkedDoe& p = DoeOf(link, "P");
  CHECK_FALSE(p.linking);
  CHECK(p.d == Approx(10.9 - 0.3 - kRef).epsilon(1e-13));
  const double u2 = 0.25 + 0.09 + 0.04 - kRef2;  // u_P^2 + u_R^2 + u_C^2 - u_ref^2
  CHECK(p.u == Approx(std::sqrt(u2)).epsilon(1e-13));
  CHECK(p.expanded == Approx(2 * std::sqrt(u2)).epsilon(1e-13));
  CHECK(p.low == Approx(p.d - p.expanded).epsilon(1e-13));
  CHECK(p.high == Approx(p.d + p.expanded).epsilon(1e-13));
  // The linking lab itself through its RMO result: D_L = x_L^C - x_ref exactly, and
  // u^2 = u^2(x_L^C - x_ref) since x_L^R - Delta = x_L^C.
  const LinkedDoe& l = DoeOf(link, "L");
  CHECK(l.linking);
  CHECK(l.d == Approx(10.2 - kRef).epsilon(1e-12));
  CHECK(l.u == Approx(std::sqrt(0.04 - kRef2)).epsilon(1e-12));
  // Covariance of two RMO DoE: both share Delta and x_ref, so
  // cov(D_P, D_Q) = u^2(Delta) + u_ref^2 + 2 cov(Delta, x_ref) = 0.13 + u_ref^2 - 2 u_ref^2.
  CHECK(link.doe_covariance(1, 2) == Approx(0.13 - kRef2).epsilon(1e-13));
  // Pairwise within the RMO: the link cancels.
  bool found = false;
  for (const LinkedPairwise& pw : link.pairwise) {
    if (pw.lab_a == "P" && pw.lab_b == "Q" && pw.comparison_b == "rmo") {
      found = true;
      CHECK(pw.d == Approx(0.8).epsilon(1e-13));
      CHECK(pw.u == Approx(std::sqrt(0.25 + 0.16)).epsilon(1e-13));
    }
    // P against the CIPM lab A: x_P - Delta - x_A, u^2 = u_P^2 + u^2(Delta) + u_A^2.
    if (pw.lab_a == "P" && pw.lab_b == "A" && pw.comparison_b == "cipm") {
      CHECK(pw.d == Approx(10.9 - 0.3 - 10.0).epsilon(1e-13));
      CHECK(pw.u == Approx(std::sqrt(0.25 + 0.13 + 0.04)).epsilon(1e-13));
    }
  }
  CHECK(found);
}

TEST_CASE("r = 1 with equal uncertainties: the linking lab's uncertainty drops out") {
  // u_R = u_C = 0.2 and r = 1: the whole of L's uncertainty is common to its two results
  // (same standard, same method). u(Delta) = 0, cov(Delta, x_ref) = a_L (u_C^2 - u_C^2) = 0,
  // so u^2(D_P) = u_P^2 + u_ref^2, as if P had taken part in the CIPM comparison unweighted.
  const Comparison cipm = Cipm();
  const Comparison rmo = Make("rmo", {Lab("L", 10.5, 0.2), Lab("P", 10.9, 0.5)});
  LinkOptions options;
  options.linking_labs = {"L"};
  options.default_r = 1;
  const LinkResult link = LinkComparisons(rmo, cipm, WeightedMeanReference(cipm), options);
  CHECK(link.u_link == Approx(0).margin(1e-15));
  CHECK(link.cov_link_reference == Approx(0).margin(1e-16));
  CHECK(DoeOf(link, "P").u == Approx(std::sqrt(0.25 + kRef2)).epsilon(1e-13));
  // Against r = 0 the DoE uncertainty shrinks: u^2 = 0.25 + 0.04 + 0.04 - u_ref^2 there.
  options.default_r = 0;
  const LinkResult independent = LinkComparisons(rmo, cipm, WeightedMeanReference(cipm), options);
  CHECK(DoeOf(independent, "P").u == Approx(std::sqrt(0.33 - kRef2)).epsilon(1e-13));
}

TEST_CASE("u_common: only the systematic part common to both results cancels") {
  // u_R^2 = s^2 + e_R^2, u_C^2 = s^2 + e_C^2 with s = 0.15, e_R = 0.2, e_C = 0.1:
  // u^2(Delta) = e_R^2 + e_C^2 = 0.05.
  const double s = 0.15, e_r = 0.2, e_c = 0.1;
  const double u_r = std::hypot(s, e_r), u_c = std::hypot(s, e_c);
  const Comparison cipm = Make("cipm", {Lab("A", 10.0, 0.2), Lab("L", 10.2, u_c)});
  const Comparison rmo = Make("rmo", {Lab("L", 10.5, u_r), Lab("P", 10.9, 0.5)});
  LinkOptions options;
  options.linking_labs = {"L"};
  LinkCorrelation c;
  c.lab = "L";
  c.u_common = s;
  options.correlations = {c};
  const LinkResult link = LinkComparisons(rmo, cipm, WeightedMeanReference(cipm), options);
  CHECK(link.u_link == Approx(std::sqrt(e_r * e_r + e_c * e_c)).epsilon(1e-13));
  CHECK(link.linking[0].r == Approx(s * s / (u_r * u_c)).epsilon(1e-14));
  // u^2(D_P) = u_P^2 + u_R^2 + u_C^2 - u_ref^2 - 2 s^2 (1 - a_L).
  const double w_a = 1 / 0.04, w_l = 1 / (u_c * u_c);
  const double ref2 = 1 / (w_a + w_l), a_l = ref2 * w_l;
  const double u2 = 0.25 + u_r * u_r + u_c * u_c - ref2 - 2 * s * s * (1 - a_l);
  CHECK(DoeOf(link, "P").u == Approx(std::sqrt(u2)).epsilon(1e-13));
}

TEST_CASE("two independent linking labs: weighted mean of differences and chi-squared") {
  // CIPM: L1 5.00 (0.1), L2 5.30 (0.2), C 5.10 (0.1). RMO: L1 5.20 (0.1), L2 5.35 (0.1), P 5.6
  // (0.3). Delta_1 = 0.20, u^2 = 0.02; Delta_2 = 0.05, u^2 = 0.05. w = (50, 20)/70; Delta = (10 +
  // 1)/70 = 11/70; u^2(Delta) = 1/70. chi2 = 50 (0.2 - 11/70)^2 + 20 (0.05 - 11/70)^2.
  const Comparison cipm =
      Make("cipm", {Lab("L1", 5.00, 0.1), Lab("L2", 5.30, 0.2), Lab("C", 5.10, 0.1)});
  const Comparison rmo =
      Make("rmo", {Lab("L1", 5.20, 0.1), Lab("L2", 5.35, 0.1), Lab("P", 5.6, 0.3)});
  LinkOptions options;
  options.linking_labs = {"L1", "L2"};
  const LinkReference ref = WeightedMeanReference(cipm);
  for (LinkMethod method : {LinkMethod::kWeightedMean, LinkMethod::kGls}) {
    options.method = method;
    const LinkResult link = LinkComparisons(rmo, cipm, ref, options);
    const double delta = 11.0 / 70;
    CHECK(link.link == Approx(delta).epsilon(1e-13));
    CHECK(link.u_link == Approx(std::sqrt(1.0 / 70)).epsilon(1e-13));
    CHECK(link.linking[0].weight == Approx(50.0 / 70).epsilon(1e-14));
    const double chi2 = 50 * std::pow(0.2 - delta, 2) + 20 * std::pow(0.05 - delta, 2);
    CHECK(link.consistency.chi2 == Approx(chi2).epsilon(1e-12));
    CHECK(link.consistency.dof == 1);
    CHECK(link.consistency.birge_ratio == Approx(std::sqrt(chi2)).epsilon(1e-12));
    CHECK(link.consistency.p_value == Approx(std::erfc(std::sqrt(chi2 / 2))).epsilon(1e-12));
    // Residual of L1: Delta_1 - Delta, u^2 = u^2(Delta_1) - u^2(Delta) = 0.02 - 1/70.
    CHECK(link.linking[0].u_residual == Approx(std::sqrt(0.02 - 1.0 / 70)).epsilon(1e-12));
    // x_ref: weights 100, 25, 100 -> u_ref^2 = 1/225, a_L1 = 100/225, a_L2 = 25/225.
    // cov(Delta, x_ref) = -(w1 a_L1 u_C1^2 + w2 a_L2 u_C2^2)/70 = -(50/225 + 20/225)/70.
    const double ref2 = 1.0 / 225;
    CHECK(link.cov_link_reference == Approx(-(70.0 / 225) / 70).epsilon(1e-12));
    const double u2 = 0.09 + 1.0 / 70 + ref2 + 2 * link.cov_link_reference;
    CHECK(DoeOf(link, "P").u == Approx(std::sqrt(u2)).epsilon(1e-12));
    CHECK(DoeOf(link, "P").d == Approx(5.6 - delta - ref.value).epsilon(1e-12));
  }
}

TEST_CASE("multiplicative link with one linking lab: first-order closed form") {
  // rho = x_R/x_C; D_P = x_P/rho - x_ref = x_P x_C / x_R - x_ref.
  // With r = 0: u^2(D_P) = (x_C/x_R)^2 u_P^2 + (x_P x_C/x_R^2)^2 u_R^2
  //                       + u^2(x_P x_C/x_R - x_ref restricted to x_C and x_ref),
  // the last term (x_P/x_R)^2 u_C^2 - 2 (x_P/x_R) a_L u_C^2 + u_ref^2.
  const Comparison cipm = Cipm();
  const Comparison rmo = Make("rmo", {Lab("L", 10.5, 0.3), Lab("P", 10.9, 0.5)});
  LinkOptions options;
  options.linking_labs = {"L"};
  options.kind = LinkKind::kMultiplicative;
  const LinkResult link = LinkComparisons(rmo, cipm, WeightedMeanReference(cipm), options);
  const double xr = 10.5, xc = 10.2, xp = 10.9;
  CHECK(link.link == Approx(xr / xc).epsilon(1e-14));
  CHECK(link.u_link == Approx(std::hypot(0.3 / xc, xr * 0.2 / (xc * xc))).epsilon(1e-13));
  const double g = xp / xr;
  const double u2 = std::pow(xc / xr * 0.5, 2) + std::pow(xp * xc / (xr * xr) * 0.3, 2) +
                    g * g * 0.04 - 2 * g * kAL * 0.04 + kRef2;
  CHECK(DoeOf(link, "P").d == Approx(xp * xc / xr - kRef).epsilon(1e-13));
  CHECK(DoeOf(link, "P").u == Approx(std::sqrt(u2)).epsilon(1e-13));
}

TEST_CASE("published KCRV with the weighted-mean covariance equals the computed one") {
  const Comparison cipm = Cipm();
  const Comparison rmo = Make("rmo", {Lab("L", 10.5, 0.3), Lab("P", 10.9, 0.5)});
  LinkOptions options;
  options.linking_labs = {"L"};
  const LinkResult computed = LinkComparisons(rmo, cipm, WeightedMeanReference(cipm), options);
  const LinkResult published =
      LinkComparisons(rmo, cipm, PublishedReference(kRef, std::sqrt(kRef2), cipm, true), options);
  CHECK(published.doe[1].u == Approx(computed.doe[1].u).epsilon(1e-13));
  // Without the covariance, u^2(D_P) = u_P^2 + u^2(Delta) + u_ref^2.
  const LinkResult none =
      LinkComparisons(rmo, cipm, PublishedReference(kRef, std::sqrt(kRef2), cipm, false), options);
  CHECK(none.doe[1].u == Approx(std::sqrt(0.25 + 0.13 + kRef2)).epsilon(1e-13));
}

TEST_CASE("coverage other than 0.95 uses the normal quantile") {
  const Comparison cipm = Cipm();
  const Comparison rmo = Make("rmo", {Lab("L", 10.5, 0.3), Lab("P", 10.9, 0.5)});
  LinkOptions options;
  options.linking_labs = {"L"};
  options.coverage = 0.99;
  const LinkResult link = LinkComparisons(rmo, cipm, WeightedMeanReference(cipm), options);
  // z_{0.995} = 2.5758293035489004 (standard normal tables).
  CHECK(link.coverage_factor == Approx(2.5758293035489004).epsilon(1e-12));
  CHECK(DoeOf(link, "P").expanded ==
        Approx(2.5758293035489004 * DoeOf(link, "P").u).epsilon(1e-12));
}

TEST_CASE("bad input is refused with the place named") {
  const Comparison cipm = Cipm();
  const Comparison rmo =
      Make("rmo", {Lab("L", 10.5, 0.3), Lab("P", 10.9, 0.5), Lab("A", 10.1, 0.2)});
  const LinkReference ref = WeightedMeanReference(cipm);
  LinkOptions options;
  const auto fails_with = [&](const LinkOptions& o, const std::string& text) {
    try {
      LinkComparisons(rmo, cipm, ref, o);
      FAIL("no error; expected: " << text);
    } catch (const InputError& e) {
      CHECK_THAT(e.what(), Catch::Contains(text));
    }
  };
  fails_with(options, "field '--linking-labs': no linking lab given");
  options.linking_labs = {"Z"};
  fails_with(options,
             "rmo.csv: field '--linking-labs': linking lab 'Z' is not a participant of "
             "the RMO comparison");
  options.linking_labs = {"P"};
  fails_with(options,
             "cipm.csv: field '--linking-labs': linking lab 'P' is not a participant of "
             "the CIPM comparison");
  options.linking_labs = {"L", "L"};
  fails_with(options, "named twice");
  options.linking_labs = {"L"};
  options.default_r = 1.5;
  fails_with(options, "field '--link-correlation': r = 1.5 lies outside [-1, 1]");
  options.default_r = 0;
  LinkCorrelation c;
  c.lab = "L";
  c.r = -1.2;
  c.source_file = "r.csv";
  c.source_line = 2;
  options.correlations = {c};
  fails_with(options, "r.csv:line 2: field 'r': r = -1.2 for 'L' lies outside [-1, 1]");
  c.r.reset();
  c.u_common = 0.3;  // > sqrt(0.3 * 0.2)
  options.correlations = {c};
  fails_with(options, "r.csv:line 2: field 'u_common'");
  c.u_common.reset();
  c.r = 0.1;
  c.lab = "P";
  options.correlations = {c};
  fails_with(options, "r.csv:line 2: field 'lab': 'P' is not one of the linking labs");
  // Two linking labs, one with a difference of zero uncertainty.
  const Comparison rmo2 = Make("rmo", {Lab("L", 10.5, 0.2), Lab("A", 10.3, 0.2)});
  LinkOptions two;
  two.linking_labs = {"L", "A"};
  two.default_r = 1;
  CHECK_THROWS_WITH(LinkComparisons(rmo2, cipm, ref, two), Catch::Contains("zero uncertainty"));
  options.correlations.clear();
  options.coverage = 1.2;
  fails_with(options, "field '--coverage'");
}

}  // namespace
}  // namespace keycomp
