// The report's rounding rule for uncertainties and the numbers stated with them (docs/report.md,
// "Rounding"): an uncertainty to two significant digits, the quantity it belongs to at the same
// decimal place; for a degree of equivalence, more digits whenever the rounded D and U would
// put |D|/U on the other side of 1 than E_n, so that rounding never hides a finding.
#pragma once

#include <string>

namespace keycomp::report {

/// Decimal places that show `uncertainty` to `significant` significant digits after rounding
/// (0.0746 -> 3 for 0.075; 0.0996 -> 2 for 0.10; 1234 -> -2 for 1200). Non-finite or zero: 3.
int DecimalsFor(double uncertainty, int significant = 2);

/// `x` rounded to `decimals` decimal places, negative meaning tens, hundreds... ("1200"), in
/// ASCII, without a sign on a rounded zero. Non-finite: empty.
std::string FixedText(double x, int decimals);

/// A unilateral (or pairwise) degree of equivalence as printed.
struct RoundedDoe {
  int decimals = 0;      ///< decimal places of D, u(D), U(D) and the interval
  std::string d;         ///< D at `decimals`
  std::string u;         ///< u(D) at `decimals`
  std::string expanded;  ///< U(D) at `decimals`
  std::string en;        ///< E_n: two decimals, more while it would print as ±1.00 but is not 1
};

/// The rule: U to two significant digits, D and u at the same decimal place; while the rounded
/// |D|/U lies on a different side of 1 than |en| (or equals 1 when en does not), one more
/// decimal for all three (up to 17 significant digits of U). `en` is the analysis' D/U.
RoundedDoe RoundDoe(double d, double u, double expanded, double en);

/// E_n with two decimals, more while the text would read ±1.00 although |en| is not 1.
std::string EnText(double en);

}  // namespace keycomp::report
