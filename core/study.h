// `keycomp study`: a simulation study of the estimators. A scenario grid (number of labs, spread
// of the labs' u, dark uncertainty tau, degrees of freedom, outlying labs, correlation) is crossed
// with a list of estimators; every (scenario, repetition) draws one synthetic comparison whose true
// value is 0, runs every estimator on it through the `analyse` pipeline (core/analysis.h) and
// tallies how the KCRV interval and the labs' DoE intervals did.
//
// Reproducibility: repetition r of scenario s draws from mc::BlockGenerator(seed, s, r) alone, so
// its numbers depend on nothing else. Repetitions are grouped in chunks of kStudyChunk; a chunk's
// tallies are sums in repetition order, and the totals are sums of the chunks in chunk order. The
// result is therefore bit-identical whatever the threads, and whatever the split into shards
// (`--shard I/N` runs a contiguous range of the chunks; merging adds them in the same order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/estimator.h"

namespace keycomp {

/// Repetitions per chunk: the unit of work, of sharding and of summation order.
inline constexpr std::size_t kStudyChunk = 64;
/// Estimator runs (scenarios x repetitions x estimators) allowed without --force.
inline constexpr double kStudyMaxRuns = 2e6;
/// Largest number of labs in a scenario.
inline constexpr std::size_t kStudyMaxLabs = 200;

/// Outlying labs of a scenario: the first `count` labs get a bias `shift` (in units of the
/// typical u) and state a u that is `u_factor` times their true one (< 1: u too small).
struct StudyOutliers {
  std::size_t count = 0;
  double shift = 0;
  double u_factor = 1;
};

/// One estimator of the study: a name for the output, the registry's estimator, its settings
/// (as `--set ESTIMATOR.KEY=VALUE` without the prefix).
struct StudyEstimator {
  std::string label;
  std::string estimator;
  std::map<std::string, std::string> settings;
};

/// One point of the grid.
struct StudyScenario {
  std::size_t n = 0;
  double tau_over_u = 0;
  double u_ratio = 1;
  double dof = std::numeric_limits<double>::infinity();
  StudyOutliers outliers;
  double correlation = 0;
};

/// A validation failure: the field (a JSON path such as "grid.n[1]") and why.
struct StudyIssue {
  std::string field;
  std::string message;
  bool empty() const { return field.empty() && message.empty(); }
};

/// The study specification (the SPEC.json file). See docs/study.md.
struct StudyOptions {
  std::uint64_t seed = 1;
  std::size_t repetitions = 1000;
  double coverage = 0.95;
  double u = 1;  ///< the typical standard uncertainty (the labs' u are spread about it)
  /// Grid axes; the scenarios are their cross product, in this nesting order (n outermost).
  std::vector<std::size_t> n;
  std::vector<double> tau_over_u;
  std::vector<double> u_ratio{1};  ///< u_i log-uniform on [u / sqrt(r), u sqrt(r)]
  std::vector<double> dof{std::numeric_limits<double>::infinity()};
  std::vector<StudyOutliers> outliers{StudyOutliers{}};
  std::vector<double> correlation{0};  ///< equicorrelation of the labs' errors, in [0, 1)
  std::vector<StudyEstimator> estimators;
  std::size_t mc_doe_trials = 0;  ///< > 0: the Monte Carlo DoE (parametric bootstrap) per rep
  /// How estimator names are looked up (the registry, estimators/registry.h: FindEstimator);
  /// core does not link the estimators, so the caller sets it.
  const Estimator* (*find_estimator)(std::string_view) = nullptr;

  /// The first problem found, or an empty issue. Also runs each estimator once on a fixed
  /// comparison to refuse unknown settings. `force` lifts the size limit (kStudyMaxRuns).
  StudyIssue Validate(bool force) const;
  std::vector<StudyScenario> Scenarios() const;
  std::size_t ChunksPerScenario() const { return (repetitions + kStudyChunk - 1) / kStudyChunk; }
  std::size_t ChunkCount() const { return Scenarios().size() * ChunksPerScenario(); }
  /// Estimator runs of the whole study (counting the Monte Carlo DoE trials).
  double Runs() const;
};

/// Reads a SPEC.json file; throws InputError naming the file and the field on bad types or
/// unknown keys (not on bad values: Validate() checks those).
StudyOptions ReadStudySpec(const std::string& path);
/// The spec parsed from JSON text (`source` names it in messages).
StudyOptions ParseStudySpec(const std::string& text, const std::string& source);
/// The spec as canonical JSON text (every field, fixed order): shards compare it.
std::string StudySpecJson(const StudyOptions& spec);

/// Sums over repetitions of one (chunk or scenario, estimator).
struct StudyTally {
  std::uint64_t reps = 0;
  std::uint64_t ok = 0;       ///< runs that gave a KCRV and DoE
  std::uint64_t covered = 0;  ///< KCRV interval contained the true value
  double sum_error = 0;       ///< sum of (KCRV - true value)
  double sum_error2 = 0;
  double sum_length = 0;  ///< sum of interval lengths
  std::uint64_t good_labs = 0;  ///< lab-repetitions of labs that are not outliers (ok runs)
  std::uint64_t good_doe_covered = 0;
  std::uint64_t good_en_exceed = 0;  ///< |E_n| > 1
  std::uint64_t outlier_labs = 0;
  std::uint64_t outlier_doe_covered = 0;
  std::uint64_t outlier_en_exceed = 0;

  void Add(const StudyTally& other);
};

/// The tallies of one chunk, one per estimator of the spec.
struct StudyChunk {
  std::size_t index = 0;  ///< scenario * ChunksPerScenario() + chunk within the scenario
  std::vector<StudyTally> tallies;
};

/// Chunks [first, last) of the study, computed on `threads` threads (0: all cores).
/// `progress` (may be empty) receives the fraction done.
std::vector<StudyChunk> RunStudyChunks(const StudyOptions& spec, std::size_t first,
                                       std::size_t last, unsigned threads,
                                       const std::function<void(double)>& progress = {});

/// The chunk range of shard `shard` (0-based) of `shards`.
std::pair<std::size_t, std::size_t> StudyShardRange(std::size_t chunks, std::size_t shard,
                                                    std::size_t shards);

/// Metrics of one (scenario, estimator), from its total tally. NaN when undefined.
struct StudyMetrics {
  std::uint64_t reps = 0;
  std::uint64_t failures = 0;
  double failure_rate = 0;
  double bias = 0;
  double rmse = 0;
  double coverage = 0;
  double coverage_se = 0;  ///< sqrt(p (1 - p) / ok)
  double mean_length = 0;
  double doe_coverage_good = 0;
  double doe_coverage_outlier = 0;
  double en_rate_good = 0;
  double en_rate_outlier = 0;
};
StudyMetrics ComputeStudyMetrics(const StudyTally& tally);

/// Totals per scenario (outer) and estimator (inner) from every chunk, added in chunk order.
/// Throws InputError when a chunk is missing or given twice.
std::vector<std::vector<StudyTally>> ReduceStudyChunks(const StudyOptions& spec,
                                                       std::vector<StudyChunk> chunks,
                                                       const std::string& source);

}  // namespace keycomp
