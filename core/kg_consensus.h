// The CCM consensus value of the kilogram: a rolling, unweighted mean of the most recent key
// comparison reference values (KCRVs) of CCM.M-K8, with each revision's change from the
// previous consensus value limited, the published value rounded, and an uncertainty that is
// agreed rather than computed.
//
// References: CCM detailed note on the dissemination process after the redefinition of the
// kilogram (approved at the 17th CCM meeting, May 2019): "changes in the Consensus Value between
// consecutive Key Comparisons will be reviewed and, if necessary, limited to +/- 5 parts in
// 10^9"; CCM-TGPfD-kg, "Calculation of the Consensus Value for the Kilogram" 2020, 2023, 2026
// (arithmetic, non-weighted mean of the three most recent data sets; standard uncertainty
// 20 ug agreed by the task group; the input uncertainties are for information only). Published
// values: 1 kg - 2 ug (from 2021-02-01), 1 kg - 7 ug (2023-03-01), 1 kg - 12 ug (2026-03-01).
// See datasets/ccm_kg_consensus_value/ and docs/kg-consensus.md.
//
// Conventions (the documents do not spell out the first two; on the published history every
// order gives the same numbers): the limit applies to the unrounded mean, relative to the
// previous *published* value, and the limited value is then rounded (ConsensusOptions::order
// selects the other order); each revision is chained on the previous published value.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"

namespace keycomp {

/// One KCRV (or other input) of the history, in chronological order.
struct KcrvEntry {
  std::string label;  ///< e.g. "CCM.M-K8.2019"
  std::string date;   ///< ISO date or year, e.g. "2019" or "2019-05-20"
  double value = std::numeric_limits<double>::quiet_NaN();  ///< the KCRV (deviation from 1 kg)
  /// Its standard uncertainty, NaN when not known. For information only: it never enters the
  /// consensus value or its assigned uncertainty.
  double u = std::numeric_limits<double>::quiet_NaN();
  std::string in_force;  ///< optional: when the revision computed after this entry took effect
  std::size_t source_line = 0;  ///< 1-based line of the input file, 0 when unknown
};

/// The history read from a file, with its `# key: value` metadata.
struct KcrvHistory {
  std::string source;  ///< file name, for messages
  std::string unit;    ///< from `# unit:`, empty when not given
  std::vector<std::pair<std::string, std::string>> metadata;  ///< other `# key: value` lines
  std::vector<KcrvEntry> entries;
};

/// Whether the limit acts on the unrounded mean (then rounded) or on the rounded mean.
enum class LimitOrder { kLimitThenRound, kRoundThenLimit };
const char* ToString(LimitOrder order);
std::optional<LimitOrder> LimitOrderFromString(std::string_view text);

struct ConsensusOptions {
  std::size_t window = 3;  ///< number of most recent entries averaged (>= 1)
  /// Largest change allowed from the previous consensus value, in the data's unit (> 0);
  /// infinity: no limit.
  double limit = 5;
  double rounding_step = 1;  ///< the published value is a multiple of it; 0: no rounding
  double u_assigned = 20;    ///< the agreed standard uncertainty of each published value (> 0)
  /// The consensus value in force before the first revision (the first revision's change is
  /// limited from it); empty: the first revision is not limited.
  std::optional<double> initial_previous;
  LimitOrder order = LimitOrder::kLimitThenRound;

  /// Empty when valid, else a readable reason naming the option.
  std::string Validate() const;
};

/// One revision of the consensus value: computed after each entry once the window is full.
struct ConsensusRevision {
  std::size_t newest = 0;             ///< index (into the history) of the newest entry averaged
  std::vector<std::size_t> window;    ///< indices of the entries averaged, oldest first
  std::string label;                  ///< the newest entry's in_force, else its label
  double mean = std::numeric_limits<double>::quiet_NaN();  ///< unweighted mean of the window
  /// sqrt(sum u_i^2)/n for information (NaN when an entry has no u): not the assigned u.
  double u_mean = std::numeric_limits<double>::quiet_NaN();
  std::optional<double> previous;  ///< the consensus value this revision replaces
  double change = std::numeric_limits<double>::quiet_NaN();  ///< mean - previous (NaN: none)
  double limited = std::numeric_limits<double>::quiet_NaN();  ///< after the limit, unrounded
                                                             ///< (kLimitThenRound)
  bool limit_applied = false;  ///< whether the limit moved the value
  double published = std::numeric_limits<double>::quiet_NaN();  ///< the consensus value
  double u = std::numeric_limits<double>::quiet_NaN();          ///< its (assigned) uncertainty
  /// Change actually published, published - previous (NaN when there is no previous value).
  double published_change = std::numeric_limits<double>::quiet_NaN();
};

struct ConsensusResult {
  Status status = Status::kNotRun;
  std::string message;
  ConsensusOptions options;  ///< as used
  std::vector<ConsensusRevision> revisions;
  /// One line, e.g. "3 revisions, latest -12 (u 20), limit applied in 1".
  std::string BriefReport() const;
};

/// Applies the rule to a chronological history. Throws InputError (naming the history's source,
/// line and field) for invalid options, fewer entries than the window, non-finite values.
ConsensusResult ComputeConsensusValues(const KcrvHistory& history, const ConsensusOptions& options);

/// Rounds to the nearest multiple of `step`, halves away from zero (a quotient within 1e-9 of
/// a half counts as a half, so that 0.35 with step 0.1 gives 0.4). step 0: unchanged.
double RoundToStep(double value, double step);

/// Parses the history CSV: columns label, value, date (or year), and optionally u and
/// in_force, any order, any case; `# key: value` metadata lines before the header. Rows must
/// be in chronological order. Throws InputError naming `source`, the line and the field.
KcrvHistory ParseKcrvHistoryCsv(const std::string& text, const std::string& source);

/// Reads and parses a history file.
KcrvHistory ReadKcrvHistoryFile(const std::string& path);

}  // namespace keycomp
