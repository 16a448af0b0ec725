#include "estimators/paule_mandel.h"

#include "estimators/random_effects_common.h"

namespace keycomp {

EstimatorResult EstimatePauleMandel(const LabSample& sample, const EstimatorOptions& options) {
  using namespace random_effects;
  const UncertaintyMethod method = ReadUncertaintyMethod(kPauleMandelInfo.name, options);
  if (auto failed = RejectOverflowingWeights(sample)) return *failed;
  if (auto refused = RejectCorrelations(kPauleMandelInfo.name, sample)) return *refused;
  const double dof = static_cast<double>(sample.size() - 1);
  const double q0 = CochranQ(sample);
  double tau2 = 0;
  int iterations = 0;
  if (q0 > dof) {
    auto f = [&](double t) { return FitAtTau2(sample, t).q - dof; };
    Bracket bracket{0, q0 - dof, 0, 0};
    // Q(t) <= sum (x_i - xbar)^2 / t, so the root lies below sum (x_i - xbar)^2 / (n-1).
    const bool bracketed = ExpandUpperBracket(f, SumOfSquaresAboutMean(sample.x) / dof, bracket);
    const Root root = bracketed ? SolveBracketed(f, bracket) : Root{};
    if (!root.converged) {
      EstimatorResult failed;
      failed.status = Status::kNotConverged;
      failed.message = "the root search for tau^2 did not converge";
      return failed;
    }
    tau2 = root.value;
    iterations = root.iterations;
  }
  EstimatorResult r =
      CompleteRandomEffectsResult(kPauleMandelInfo.name, sample, options, method, tau2);
  r.iterations = iterations;
  return r;
}

}  // namespace keycomp
