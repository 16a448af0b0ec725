// The GUM uncertainty framework to first order (JCGM 100 section 5 and G.4) beside the Monte
// Carlo result, and the JCGM 101 section 8 comparison of the two.
//
// Estimates: y = f(x), x the input expectations. Sensitivity coefficients c_i = df/dx_i by a
// five-point central difference with step h_i = u(x_i)/100 (truncation error O(h^4), far below
// the digits reported for any smooth model). u^2(y) = sum_ij c_i c_j r_ij u(x_i) u(x_j).
// Effective degrees of freedom (Welch-Satterthwaite, JCGM 100 G.4.1, for uncorrelated inputs):
// nu_eff = u^4(y) / sum (c_i u(x_i))^4 / nu_i. Coverage factor k = t_p(floor(nu_eff)) (the
// GUM truncates nu_eff to an integer), the normal quantile when nu_eff is infinite.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/mc/model.h"
#include "core/types.h"

namespace keycomp::mc {

struct GumContribution {
  std::string input;
  double estimate = 0;     ///< x_i
  double u = 0;            ///< u(x_i)
  double sensitivity = 0;  ///< c_i
  double contribution = 0; ///< |c_i| u(x_i)
  double dof = std::numeric_limits<double>::infinity();
};

struct GumResult {
  Status status = Status::kNotRun;
  std::string message;
  double value = std::numeric_limits<double>::quiet_NaN();
  double u = std::numeric_limits<double>::quiet_NaN();
  double dof_effective = std::numeric_limits<double>::infinity();
  double coverage_factor = std::numeric_limits<double>::quiet_NaN();
  double low = std::numeric_limits<double>::quiet_NaN();   ///< y - k u
  double high = std::numeric_limits<double>::quiet_NaN();  ///< y + k u
  std::vector<GumContribution> contributions;  ///< one per random input, in model order
  std::vector<std::string> warnings;
};

/// First-order GUM propagation at the given coverage probability.
GumResult PropagateGum(const MeasurementModel& model, const CompiledModel& compiled,
                       double coverage);

/// JCGM 101 section 8: does the GUM interval agree with the Monte Carlo one?
struct GumValidation {
  int digits = 2;        ///< significant digits of u(y) the tolerance is set at
  double tolerance = 0;  ///< delta of JCGM 101 7.9.2, from the Monte Carlo u(y)
  double d_low = 0;      ///< |y - U - y_low|
  double d_high = 0;     ///< |y + U - y_high|
  bool agrees = false;   ///< both <= tolerance
  std::string interval;  ///< which Monte Carlo interval was compared ("shortest")
};

/// Compares the GUM interval [gum.low, gum.high] with the Monte Carlo interval [low, high].
GumValidation ValidateGum(const GumResult& gum, double mc_u, double mc_low, double mc_high,
                          int digits);

}  // namespace keycomp::mc
