// The chi-squared consistency check of the included results about their weighted mean
// (Cox 2002, Procedure A), with the Birge ratio and I^2; with correlated results the
// generalised chi-squared with V^-1 about the GLS mean.
#pragma once

#include <limits>
#include <string>

#include "core/comparison.h"

namespace keycomp {

struct Consistency {
  double chi2 = std::numeric_limits<double>::quiet_NaN();         ///< sum ((x_i - x_wm)/u_i)^2
  int dof = 0;                                                    ///< n_included - 1
  double p_value = std::numeric_limits<double>::quiet_NaN();      ///< P(chi2_dof > chi2)
  double birge_ratio = std::numeric_limits<double>::quiet_NaN();  ///< sqrt(chi2 / dof)
  double i2 = std::numeric_limits<double>::quiet_NaN();           ///< max(0, (chi2 - dof)/chi2)
  /// The weighted mean; with correlated results the GLS mean, about which chi2 is then
  /// (x - x_gls 1)' V^-1 (x - x_gls 1).
  double weighted_mean = std::numeric_limits<double>::quiet_NaN();
  std::string covariance = "independent";  ///< "independent" or "full" (correlations used)
  /// Which results the check runs over: "included" (about their weighted mean, n_included - 1
  /// dof; the default) or "all" (every result about a reference value, N - 1 dof).
  std::string over = "included";
  /// With over == "all": the reference value the residuals are taken about (the KCRV).
  double reference = std::numeric_limits<double>::quiet_NaN();
  std::string note;  ///< why the statistics are missing, if they are
  /// Whether the check passes at the given significance level (p >= alpha).
  bool Passes(double alpha = 0.05) const { return p_value >= alpha; }
};

/// Needs at least one included lab; with one, dof = 0 and the statistics are NaN.
Consistency CheckConsistency(const Comparison& comparison);

/// The check over all N results, included or not, about a given reference value (the KCRV)
/// with N - 1 degrees of freedom: chi2 = sum ((x_i - ref)/u_i)^2, or (x - ref 1)' V^-1
/// (x - ref 1) with correlated results. This is the convention of reports that test every
/// participant against the adopted KCRV (CCM.M-K8.2024 publishes it beside the check of the
/// eligible results). The dof stay N - 1 whatever estimator gave the reference, as in those
/// reports; `weighted_mean` is left NaN.
Consistency CheckConsistencyAbout(const Comparison& comparison, double reference);

}  // namespace keycomp
