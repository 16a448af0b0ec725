// Enumerations shared by the library, the command line and the reports, each with a
// to-string / from-string pair so that every layer spells them the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keycomp {

/// Outcome of a computation. The default value means "not run".
enum class Status {
  kNotRun,
  kOk,
  kNotConverged,  ///< an iterative method stopped before meeting its tolerance
  kFailed,        ///< the method cannot be applied to these data (reported, not hidden)
};

/// How the degree of equivalence of a lab is formed.
enum class DoeConvention {
  kMra,           ///< d_i = x_i - x_ref, with cov(x_i, x_ref) taken into account
  kLeaveOneOut,   ///< d_i = x_i - x_ref(-i), the KCRV recomputed without lab i
};

/// Whether the between-lab standard deviation (dark uncertainty) enters the DoE uncertainty.
enum class DarkUncertainty {
  kRecognised,  ///< u^2(d_i) includes tau^2 (default for estimators with a between-lab term)
  kIgnored,     ///< u^2(d_i) uses the stated u_i only
};

const char* ToString(Status status);
const char* ToString(DoeConvention convention);
const char* ToString(DarkUncertainty dark);
std::optional<DoeConvention> DoeConventionFromString(std::string_view text);
std::optional<DarkUncertainty> DarkUncertaintyFromString(std::string_view text);

}  // namespace keycomp
