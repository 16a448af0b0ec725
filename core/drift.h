// Drift of a travelling standard: a weighted least-squares fit of the pilot's repeated
// measurements, and its propagation into the participants' results.
//
// Model (one or more standards s, measured by the pilot at times t_k with values y_k and
// standard uncertainties u_k):
//     y_k = a_s + D_g(t_k) - D_g(t_ref) + e_k,   e_k ~ N(0, u_k^2),
// where a_s is the value of standard s at the reference time t_ref and D_g is the drift of
// drift group g (one group shared by every standard, or one group per standard). D_g is
// continuous and piecewise linear with given breakpoints tau_1 < ... < tau_K (K = 0: a straight
// line), parameterised by the slopes b_g0 ... b_gK of its K + 1 segments:
//     D_g(t) - D_g(t_ref) = sum_k b_gk h_k(t),   h_k(t) = signed length of [t_ref, t] in segment k,
// so continuity holds by construction and the model is linear in (a, b). The fit minimises
// chi2 = sum_k ((y_k - model_k) / u_k)^2 with Ceres (dense QR, tolerances at double precision),
// on data centred and scaled; the parameters' covariance is Ceres' (J'WJ)^-1, optionally
// multiplied by the Birge ratio squared R_B^2 = chi2 / (n - p) when R_B > 1.
//
// Propagation to participant i, who measured the standard at t_i:
//     x_i' = x_i - c_i,   c_i = D_g(t_i) - D_g(t_ref) = g_i' b,
//     u_i'^2 = u_i^2 + g_i' C g_i,   cov(x_i', x_j') = cov(x_i, x_j) + g_i' C g_j,
// with g_i the gradient of c_i with respect to the parameters and C their covariance: the
// fitted drift is common to every participant, hence the correlations.
// References: C. Elster, W. Woeger, M. G. Cox, "Analysis of key comparison data: unstable
// travelling standards", Measurement Techniques 48 (2005) 883-893 (least-squares drift model,
// then the DoE from the drift-corrected results); C. M. Sutton, "Analysis and linking of
// international measurement comparisons", Metrologia 41 (2004) (instabilities of the
// travelling standards in a generalised least-squares analysis); JCGM 100 (GUM) 5.2 for the
// propagation of correlated inputs.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/comparison.h"
#include "core/text_fields.h"
#include "core/types.h"

namespace keycomp {

enum class DriftModelKind {
  kLinear,     ///< one straight line
  kPiecewise,  ///< continuous, piecewise linear with given breakpoints
};

const char* ToString(DriftModelKind model);
std::optional<DriftModelKind> DriftModelKindFromString(std::string_view text);

/// A time field: an ISO date yyyy-mm-dd (days since 1970-01-01) or a plain number.
struct TimeValue {
  double t = 0;
  bool is_date = false;
};

/// Parses a time field. Throws InputError naming `place` on anything else (or an impossible
/// date such as 2023-02-30).
TimeValue ParseTime(std::string_view text, const FieldPlace& place);
/// Formats a time as it was given: yyyy-mm-dd for dates (t rounded to whole days), else a
/// number.
std::string FormatTime(double t, bool is_date);

/// One measurement of a travelling standard by the pilot.
struct PilotMeasurement {
  std::string standard;  ///< the standard's name; "" when the file has no `standard` column
  double t = 0;          ///< time (days since 1970-01-01 for dates)
  double value = 0;
  double u = 0;  ///< standard uncertainty (> 0)
  std::size_t source_line = 0;
};

struct PilotData {
  std::string source;  ///< file name, for messages
  std::string unit;    ///< from a `# unit:` line, "" when absent
  bool dates = false;  ///< whether the times are dates (then every one is)
  std::vector<PilotMeasurement> measurements;
};

/// Reads the pilot's CSV: columns `t` or `date`, `value`, `u`, optional `standard` (any order,
/// any case), `#` comment and `# key: value` lines before the header. Throws InputError
/// naming the file, line and field.
PilotData ReadPilotCsv(const std::string& path);
PilotData ParsePilotCsv(const std::string& text, const std::string& source);

struct DriftOptions {
  DriftModelKind model = DriftModelKind::kLinear;
  /// Piecewise model: strictly increasing, strictly inside the pilot's time span.
  std::vector<double> breakpoints;
  /// Reference time of the corrected values; default: the pilot's first measurement.
  std::optional<double> t_ref;
  /// Each standard drifts on its own (default: one drift shared by all standards).
  bool separate_drift = false;
  /// Multiply the parameters' covariance by R_B^2 when the Birge ratio R_B > 1.
  bool scale_by_birge = false;
  /// Accept participants' times outside the pilot's time span (extrapolated drift).
  bool allow_extrapolation = false;

  /// "" when valid, else why not (the field is named in the text).
  std::string Validate() const;
};

struct DriftParameter {
  std::string name;      ///< "offset[S]" or "slope[G][k]"
  std::string standard;  ///< the standard (offset) or drift group (slope; "" when shared)
  bool is_slope = false;
  std::size_t segment = 0;  ///< slopes: 0-based segment
  double value = 0;
  double u = 0;  ///< sqrt of the covariance's diagonal (scaled when the covariance is)
};

/// Result of FitDrift. Defaults mean "not run".
struct DriftFit {
  Status status = Status::kNotRun;
  std::string message;
  DriftModelKind model = DriftModelKind::kLinear;
  bool dates = false;
  bool separate_drift = false;
  std::vector<std::string> standards;  ///< in order of first appearance
  std::vector<double> breakpoints;
  double t_ref = 0;
  double t_min = 0;  ///< the pilot's time span
  double t_max = 0;
  /// Offsets (one per standard, the standard's value at t_ref), then slopes (per drift group,
  /// per segment), in value units per time unit (per day for dates).
  std::vector<DriftParameter> parameters;
  Eigen::VectorXd values;
  Eigen::MatrixXd covariance;  ///< of `values`, scaled by R_B^2 when `covariance_scaled`
  std::vector<double> normalised_residuals;  ///< (y_k - fit_k) / u_k, pilot file order
  double chi2 = 0;
  std::size_t n = 0;                                              ///< pilot measurements
  std::size_t dof = 0;                                            ///< n - number of parameters
  double birge_ratio = std::numeric_limits<double>::quiet_NaN();  ///< NaN when dof = 0
  bool covariance_scaled = false;
  int iterations = 0;
  std::string solver_report;  ///< Ceres' brief report

  std::size_t n_offsets() const { return standards.size(); }
  std::size_t n_segments() const { return breakpoints.size() + 1; }
  /// Drift group of a standard (index into `standards`).
  std::size_t GroupOf(std::size_t standard) const { return separate_drift ? standard : 0; }
  /// Gradient g of the correction D_g(t) - D_g(t_ref) of `standard` with respect to the
  /// parameters (zero on the offsets); the correction is g' values.
  Eigen::VectorXd CorrectionGradient(double t, std::size_t standard) const;
  double Correction(double t, std::size_t standard) const {
    return CorrectionGradient(t, standard).dot(values);
  }
};

/// Fits the drift model. Throws InputError when the data cannot determine the model (fewer
/// pilot points than parameters, a segment without data, a bad option); a solver that does
/// not converge is a status.
DriftFit FitDrift(const PilotData& data, const DriftOptions& options);

/// One participant's correction.
struct LabDriftCorrection {
  std::string lab;
  std::string time_text;  ///< the `t` or `date` field as given
  double t = 0;
  std::size_t standard = 0;  ///< index into DriftFit::standards
  double value = 0;          ///< x_i as reported
  double u = 0;
  double correction = 0;    ///< c_i = D(t_i) - D(t_ref); x_i' = x_i - c_i
  double u_correction = 0;  ///< sqrt(g_i' C g_i)
};

struct DriftCorrectedComparison {
  Comparison comparison;                 ///< x_i', u_i', correlations from V + G C G'
  std::vector<LabDriftCorrection> labs;  ///< comparison order
  Eigen::MatrixXd added_covariance;      ///< G C G'
};

/// Applies the fitted drift to a comparison whose results carry a `t` or `date` attribute
/// (and a `standard` attribute when standards drift separately). Throws InputError naming the
/// comparison file, line (or JSON path) and field on a missing or bad time, a time outside the
/// pilot's span (unless allowed), mixed dates and numbers, an unknown standard, different
/// units, or a comparison already corrected (metadata `drift_corrected`, which the JSON
/// output of `keycomp drift` carries).
DriftCorrectedComparison ApplyDrift(const Comparison& comparison, const DriftFit& fit,
                                    const PilotData& pilot, const DriftOptions& options);

}  // namespace keycomp
