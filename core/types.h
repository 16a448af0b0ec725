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

/// How u(d_i) treats the covariance of lab i with the KCRV (MRA convention).
enum class DoeUncertainty {
  kExact,        ///< u^2(d_i) = V_ii + u^2(x_ref) - 2 cov(x_i, x_ref) (default)
  kIndependent,  ///< u^2(d_i) = V_ii + u^2(x_ref) for every lab (CCQM-K88's final report)
};

/// Which results the reported chi-squared consistency check runs over.
enum class ChiSquaredOver {
  kIncluded,  ///< the included results about their weighted mean, n_included - 1 dof (default)
  kAll,       ///< every result about the KCRV, N - 1 dof (CCM.M-K8.2024)
};

const char* ToString(Status status);
const char* ToString(DoeUncertainty uncertainty);
const char* ToString(ChiSquaredOver over);
std::optional<DoeUncertainty> DoeUncertaintyFromString(std::string_view text);
std::optional<ChiSquaredOver> ChiSquaredOverFromString(std::string_view text);
const char* ToString(DoeConvention convention);
const char* ToString(DarkUncertainty dark);
std::optional<DoeConvention> DoeConventionFromString(std::string_view text);
std::optional<DarkUncertainty> DarkUncertaintyFromString(std::string_view text);

}  // namespace keycomp
