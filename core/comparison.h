// The comparison model: one measurand, each participant's result, optional correlations.
// Immutable once built: readers produce a Comparison through Comparison::Create, which
// validates everything, and the rest of the library only reads it.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace keycomp {

/// A lab's numbers exactly as written in the input: the CSV field trimmed, or the JSON number's
/// own text. Reports print these, so that a result is shown with the digits the lab reported
/// (-17.8 stays -17.8, 195.8 does not become 195.80). Empty: not given. Never used to compute.
struct ReportedText {
  std::string value;
  std::string u;
  std::string expanded_u;  ///< U, when given
  std::string k;           ///< coverage factor, when given
  std::string dof;
};

/// One participant's result.
struct LabResult {
  std::string lab;   ///< the participant's acronym, unique in the comparison
  double value = 0;  ///< the measured value x_i
  double u = 0;      ///< its standard uncertainty u_i (> 0)
  double dof = std::numeric_limits<double>::infinity();  ///< degrees of freedom nu_i (> 0)
  bool included = true;  ///< whether the result takes part in the reference value
  /// Other columns of the input, in input order (method, remarks...).
  std::vector<std::pair<std::string, std::string>> attributes;
  std::size_t source_line = 0;  ///< 1-based line in the input file, 0 when unknown
  ReportedText reported;        ///< the numbers as written in the input
  /// Value and u computed from the lab's measurement model (Monte Carlo mean and standard
  /// deviation), not reported by the lab; `reported` is then empty.
  bool computed = false;
};

/// Correlation coefficient between the results of two labs.
struct Correlation {
  std::string lab_a;
  std::string lab_b;
  double r = 0;
  std::size_t source_line = 0;
  std::string source_file;  ///< the file it came from when not the comparison's own
};

/// Descriptive metadata. Keys other than the well-known ones are kept in `extra`.
struct ComparisonInfo {
  std::string id;
  std::string measurand;
  std::string unit;
  std::string pilot;
  std::vector<std::pair<std::string, std::string>> extra;  ///< other `# key: value` lines
};

class Comparison {
 public:
  /// Validates and builds a comparison. Throws InputError (naming `source`, the line and the
  /// field) on duplicate labs, non-positive u or dof, non-finite numbers, correlations outside
  /// [-1, 1], naming unknown labs, repeated, or forming a matrix that is not positive
  /// semi-definite.
  static Comparison Create(std::string source, ComparisonInfo info, std::vector<LabResult> results,
                           std::vector<Correlation> correlations = {});

  /// Returns a copy with extra correlations (from `--correlations FILE`), validated.
  Comparison WithCorrelations(std::vector<Correlation> correlations) const;
  /// Returns a copy in which the labs named are excluded from the reference value.
  Comparison WithExcluded(const std::vector<std::string>& labs) const;

  const std::string& source() const { return source_; }
  const ComparisonInfo& info() const { return info_; }
  const std::vector<LabResult>& results() const { return results_; }
  const std::vector<Correlation>& correlations() const { return correlations_; }
  std::size_t size() const { return results_.size(); }
  std::size_t n_included() const { return included_.size(); }
  /// Indices (into results()) of the labs that take part in the reference value.
  const std::vector<std::size_t>& included_indices() const { return included_; }
  bool has_correlations() const { return !correlations_.empty(); }
  /// Index of a lab by name, or size() if absent.
  std::size_t IndexOf(const std::string& lab) const;

  /// Correlation matrix of all results (identity when none are given).
  const Eigen::MatrixXd& correlation_matrix() const { return correlation_; }
  /// Covariance matrix of all results, V_ij = r_ij u_i u_j.
  Eigen::MatrixXd Covariance() const;
  /// Correlation matrix of the results at `indices`, in that order.
  Eigen::MatrixXd CorrelationOf(const std::vector<std::size_t>& indices) const;

 private:
  Comparison() = default;
  void Validate() const;
  void BuildCorrelationMatrix();

  std::string source_;
  ComparisonInfo info_;
  std::vector<LabResult> results_;
  std::vector<Correlation> correlations_;
  std::vector<std::size_t> included_;
  Eigen::MatrixXd correlation_;
};

}  // namespace keycomp
