// `keycomp link RMO_INPUT CIPM_INPUT --linking-labs A,B`: links an RMO (or follow-up) key
// comparison to its CIPM key comparison and gives the RMO participants' degrees of
// equivalence with respect to the CIPM KCRV (core/link.h, docs/link.md).
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <limits>
#include <string>
#include <vector>

namespace keycomp {

struct LinkArguments {
  std::string rmo_input;
  std::string cipm_input;
  std::vector<std::string> linking_labs;
  std::string method = "weighted_mean";  ///< weighted_mean (Delahaye-Witt) or gls
  std::string kind = "additive";         ///< additive or multiplicative
  std::string estimator;                 ///< CIPM KCRV estimator; empty: weighted_mean
  std::vector<std::string> settings;     ///< ESTIMATOR.NAME=VALUE
  double kcrv = std::numeric_limits<double>::quiet_NaN();    ///< published CIPM KCRV (NaN: none)
  double kcrv_u = std::numeric_limits<double>::quiet_NaN();  ///< its standard uncertainty
  std::string kcrv_covariance = "weighted_mean";             ///< with --kcrv: weighted_mean or none
  std::string kcrv_from;     ///< a BIPM key-comparison document whose KCRV is the published one
  std::string kcrv_release;  ///< with kcrv_from: the release (year or DOI); empty: the latest
  double link_correlation = 0;                               ///< r for every linking lab
  std::string link_correlations;                             ///< CSV lab,r or lab,u_common
  std::string rmo_correlations;   ///< CSV lab_a,lab_b,r within the RMO comparison
  std::string cipm_correlations;  ///< CSV lab_a,lab_b,r within the CIPM comparison
  double coverage = 0.95;
  std::string format;
  std::string output;
  const CLI::App* command = nullptr;
};

/// Declares the `link` subcommand with its options on `app` and returns it.
CLI::App* AddLinkCommand(CLI::App& app, LinkArguments& args);

/// Runs the link subcommand. Throws InputError on bad input (exit 2); returns 1, writing
/// nothing, when the CIPM KCRV estimator does not converge.
int RunLink(const LinkArguments& args, std::ostream& out, std::ostream& err,
            bool stdout_is_terminal);

}  // namespace keycomp
