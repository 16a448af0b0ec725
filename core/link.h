// Linking an RMO (or follow-up, or bilateral) key comparison to the CIPM key comparison it
// belongs to, through the laboratories that took part in both ("linking labs").
//
// References:
//   F. Delahaye and T. J. Witt, "Linking the results of key comparisons", Metrologia 39 (2002)
//     Tech. Suppl. 01005: the link as the weighted mean of the linking labs' differences, with
//     the components common to a lab's two results cancelling.
//   C. Elster, A. Link and W. Woeger, "Proposal for linking the results of CIPM and RMO key
//     comparisons", Metrologia 40 (2003) 189-194: a least-squares link that keeps the CIPM KCRV
//     and the CIPM degrees of equivalence unchanged, with the covariances of the linking labs'
//     results.
//   C. M. Sutton, "Analysis and linking of international measurement comparisons", Metrologia
//     41 (2004) 272-277: the generalised least-squares formulation with known correlations.
//   CIPM MRA-D-05 / MRA-G-11: RMO key comparisons do not change the CIPM KCRV; their results
//     are linked to it through the common participants.
//
// Conventions (docs/link.md states the equations):
//   additive link       Delta_l = x_l^RMO - x_l^CIPM,  D_j = x_j^RMO - Delta - x_ref
//   multiplicative link rho_l   = x_l^RMO / x_l^CIPM,  D_j = x_j^RMO / rho - x_ref
// Every uncertainty is propagated to first order through one covariance matrix of the vector
// (RMO results, CIPM results, CIPM KCRV), which holds the correlations within each comparison,
// the correlation r_l between a linking lab's two results, and the covariance of the KCRV with
// the CIPM results (from the KCRV's weights a_k: cov(x_k, x_ref) = sum_m a_m V_km).
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/comparison.h"
#include "core/estimator.h"
#include "core/types.h"

namespace keycomp {

/// How the linking labs' differences are combined into one link.
enum class LinkMethod {
  kWeightedMean,  ///< Delahaye & Witt: weights 1/u^2(Delta_l), the off-diagonal covariances
                  ///< of the differences used for u(link) but not for the weights
  kGls,           ///< Elster, Link & Woeger / Sutton: generalised least squares with the full
                  ///< covariance matrix of the differences
};

/// Whether the RMO scale differs from the CIPM scale by an offset or by a factor.
enum class LinkKind {
  kAdditive,        ///< x^RMO = x^CIPM + Delta
  kMultiplicative,  ///< x^RMO = rho x^CIPM (relative uncertainties combine)
};

const char* ToString(LinkMethod method);
const char* ToString(LinkKind kind);
std::optional<LinkMethod> LinkMethodFromString(std::string_view text);
std::optional<LinkKind> LinkKindFromString(std::string_view text);

/// The CIPM key comparison reference value as the link sees it.
struct LinkReference {
  double value = std::numeric_limits<double>::quiet_NaN();
  double u = std::numeric_limits<double>::quiet_NaN();
  /// a_k, one per lab of the CIPM comparison: the KCRV's (linearised) weights, from which its
  /// covariance with the CIPM results follows. Empty: unknown, covariance neglected.
  Eigen::VectorXd weights;
  std::string origin;  ///< e.g. "estimator weighted_mean" or "published (--kcrv)"
};

/// The reference computed by an estimator on the CIPM comparison (RunEstimator's result: its
/// weights are already one per lab of the comparison).
LinkReference ReferenceFromEstimator(const EstimatorResult& result, const Comparison& cipm,
                                     const std::string& estimator_name);

/// A published reference value. With `weighted_mean_covariance`, its covariance with the CIPM
/// results is that of an inverse-variance weighted mean of the included labs,
/// cov(x_k, x_ref) = u_ref^2 (a_k = u_ref^2 / u_k^2); otherwise it is taken as independent.
/// Throws InputError when value or u is not finite or u <= 0.
LinkReference PublishedReference(double value, double u, const Comparison& cipm,
                                 bool weighted_mean_covariance);

/// What is known about the correlation between one linking lab's two results.
struct LinkCorrelation {
  std::string lab;
  /// Either the correlation coefficient r_l ...
  std::optional<double> r;
  /// ... or the standard uncertainty common to both results (systematic components of the
  /// same standard and method): cov = u_common^2.
  std::optional<double> u_common;
  std::string source_file;  ///< where it came from ("" for a command-line option)
  std::size_t source_line = 0;
};

/// Reads a CSV with a column `lab` and a column `r` or `u_common` (or both; per row one of
/// them must be given). Throws InputError naming the file, line and field.
std::vector<LinkCorrelation> ReadLinkCorrelationsCsv(const std::string& path);

struct LinkOptions {
  LinkMethod method = LinkMethod::kWeightedMean;
  LinkKind kind = LinkKind::kAdditive;
  std::vector<std::string> linking_labs;      ///< labs in both comparisons that carry the link
  double default_r = 0;                       ///< r_l for linking labs not in `correlations`
  std::vector<LinkCorrelation> correlations;  ///< per-lab r_l or u_common
  double coverage = 0.95;                     ///< U = k u: k = 2 at 0.95, else the normal quantile
};

/// One linking lab's part in the link.
struct LinkingLab {
  std::string lab;
  double rmo_value = 0, rmo_u = 0;
  double cipm_value = 0, cipm_u = 0;
  double r = 0;           ///< correlation of the two results used
  double difference = 0;  ///< Delta_l (additive) or rho_l (multiplicative)
  double u_difference = 0;
  double weight = 0;      ///< its weight in the link (the weights sum to 1)
  double residual = 0;    ///< difference - link
  double u_residual = 0;  ///< standard uncertainty of the residual
  double en = std::numeric_limits<double>::quiet_NaN();  ///< residual / (k u_residual)
  /// The lab's DoE in the CIPM comparison, x_l^CIPM - x_ref, and its u.
  double cipm_d = 0, cipm_d_u = 0;
};

/// Consistency of the linking labs' differences about the link.
struct LinkConsistency {
  double chi2 = std::numeric_limits<double>::quiet_NaN();
  int dof = 0;  ///< number of linking labs - 1
  double p_value = std::numeric_limits<double>::quiet_NaN();
  double birge_ratio = std::numeric_limits<double>::quiet_NaN();
  /// "diagonal" (sum of squared residuals over u^2(Delta_l)) or "full" (with S^-1).
  std::string covariance = "diagonal";
  std::string note;
};

/// One RMO participant's degree of equivalence with respect to the CIPM KCRV.
struct LinkedDoe {
  std::string lab;
  bool linking = false;
  double value = 0, u_value = 0;  ///< the RMO result
  double linked_value = 0;        ///< the result on the CIPM scale: x - Delta or x / rho
  double d = 0;                   ///< linked_value - x_ref
  double u = 0;
  double expanded = 0;  ///< U = k u
  double low = 0, high = 0;
  double en = 0;  ///< d / U
};

/// A pairwise DoE between two labs on the CIPM scale.
struct LinkedPairwise {
  std::string lab_a, lab_b;
  std::string comparison_b;  ///< "rmo" or "cipm": where lab_b's result comes from
  double d = 0, u = 0, expanded = 0;
};

struct LinkResult {
  Status status = Status::kNotRun;
  std::string message;
  LinkMethod method = LinkMethod::kWeightedMean;
  LinkKind kind = LinkKind::kAdditive;
  LinkReference reference;
  double coverage = 0.95;
  double coverage_factor = 2;

  double link = std::numeric_limits<double>::quiet_NaN();  ///< Delta or rho
  double u_link = std::numeric_limits<double>::quiet_NaN();
  /// cov(link, x_ref): how much the link shares with the KCRV through the linking labs'
  /// CIPM results.
  double cov_link_reference = std::numeric_limits<double>::quiet_NaN();

  std::vector<LinkingLab> linking;
  LinkConsistency consistency;
  std::vector<LinkedDoe> doe;  ///< every RMO participant, in input order
  /// Covariance matrix of the RMO labs' linked DoE (same order as `doe`): the link and the
  /// KCRV are common to all of them.
  Eigen::MatrixXd doe_covariance;
  /// Every pair a < b of RMO labs, then every (RMO lab, CIPM lab) pair.
  std::vector<LinkedPairwise> pairwise;
  std::vector<std::string> warnings;
};

/// Links `rmo` to `cipm`. Throws InputError (naming the input file or the option) on: no
/// linking lab, a linking lab missing from either comparison or named twice, a correlation
/// outside [-1, 1] or naming a lab that is not a linking lab, u_common^2 > u_RMO u_CIPM, a
/// difference with zero uncertainty among several linking labs, a singular covariance of the
/// differences (gls), a multiplicative link with a CIPM result of zero, a reference without a
/// finite value and positive u, or a coverage outside (0, 1).
LinkResult LinkComparisons(const Comparison& rmo, const Comparison& cipm,
                           const LinkReference& reference, const LinkOptions& options);

}  // namespace keycomp
