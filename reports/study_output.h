// Output of `keycomp study`: the result as JSON and CSV, shard files (exact tallies of a range of
// chunks, for `keycomp study merge`), and the coverage plot.
#pragma once

#include <string>
#include <vector>

#include "core/study.h"
#include "reports/plots/canvas.h"

namespace keycomp {

/// The study's result: the spec, then per scenario its grid point and, per estimator, the
/// metrics and the raw tallies.
std::string StudyToJson(const StudyOptions& spec,
                        const std::vector<std::vector<StudyTally>>& totals);
/// One row per (scenario, estimator).
std::string StudyToCsv(const StudyOptions& spec,
                       const std::vector<std::vector<StudyTally>>& totals);

/// A shard file: the canonical spec, shard I of N (0-based here, 1-based in the file's text) and
/// the chunks' tallies with every double in hexadecimal floating point (exact).
std::string StudyShardToJson(const StudyOptions& spec, std::size_t shard, std::size_t shards,
                             const std::vector<StudyChunk>& chunks);
struct StudyShard {
  std::string spec_json;  ///< canonical spec text
  StudyOptions spec;
  std::vector<StudyChunk> chunks;
};
/// Reads a shard file; throws InputError naming the file and the field.
StudyShard ReadStudyShard(const std::string& path);

/// Coverage of the KCRV interval against tau/u, one line per estimator, one panel per n (the
/// first value of every other grid axis; scenarios with outliers drawn dashed when present).
plots::Figure StudyCoveragePlot(const StudyOptions& spec,
                                const std::vector<std::vector<StudyTally>>& totals);

}  // namespace keycomp
