// The JCGM 101 (GUM Supplement 1) Monte Carlo method: draw the inputs, evaluate the model,
// summarise the output values; a fixed number of trials or the adaptive procedure of 7.9.
//
// Reproducibility: trials are cut into blocks of kBlockSize (core/mc/random.h); input i of
// block b is drawn from the stream (seed, i, b), correlated inputs jointly from the stream
// (seed, kCopulaStream, b). Per-block moments are merged in block order. So the output is
// bit-identical for a given seed and trial count whatever the number of threads.
//
// Correlated inputs follow a Gaussian copula: standard normals with the given correlation
// matrix R (through a semi-definite Cholesky factor) are mapped to each input's marginal by
// x = F^-1(Phi(z)). For normal inputs the correlation of the inputs is exactly R; for others
// it is close to R (the copula's rank correlation is the same as the normals').
//
// Trials whose output is NaN or infinite are counted; a run with any is not summarised (its
// status says how many) unless the options allow dropping them, in which case the summary is
// of the finite values and the count is reported beside it.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/mc/gum.h"
#include "core/mc/model.h"
#include "core/mc/summary.h"
#include "core/types.h"

namespace keycomp::mc {

/// Stream number of the copula normals (input streams are 0, 1, 2, ...).
inline constexpr std::uint64_t kCopulaStream = 0xC0F01AULL;

struct McOptions {
  std::size_t trials = 1000000;     ///< fixed number of trials (ignored when adaptive)
  bool adaptive = false;            ///< JCGM 101 7.9 adaptive procedure
  int digits = 2;                   ///< significant digits of u(y) for the adaptive stop and §8
  std::size_t max_trials = 50000000;  ///< adaptive: give up (status not converged) beyond this
  std::uint64_t seed = 20261123;
  unsigned threads = 0;             ///< 0: all cores
  double coverage = 0.95;           ///< coverage probability p
  std::size_t histogram_bins = 100;
  bool drop_nonfinite = false;      ///< summarise the finite values when some are not finite
  /// Called now and then with (trials done, trials planned; 0 when unknown), from the calling
  /// thread. Optional.
  std::function<void(std::size_t, std::size_t)> progress;

  /// Empty when valid, else "FIELD: reason".
  std::string Validate() const;
};

/// Where a run of the adaptive procedure ended.
struct AdaptiveSummary {
  std::size_t batch_trials = 0;  ///< M of each batch (a whole number of blocks, >= 10^4)
  std::size_t batches = 0;       ///< h
  double tolerance = 0;          ///< delta at the stop
  double sd_mean = 0;            ///< standard deviations of the batch results (JCGM 101 7.9.4 f)
  double sd_u = 0;
  double sd_low = 0;
  double sd_high = 0;
  bool stabilised = false;
};

struct McResult {
  Status status = Status::kNotRun;
  std::string message;
  std::vector<std::string> warnings;

  std::size_t trials = 0;      ///< trials drawn
  std::size_t nonfinite = 0;   ///< trials whose output was NaN or infinite
  std::uint64_t seed = 0;
  double coverage = 0.95;
  bool adaptive = false;
  AdaptiveSummary adaptive_summary;

  double mean = std::numeric_limits<double>::quiet_NaN();
  double u = std::numeric_limits<double>::quiet_NaN();
  CoverageIntervals intervals;
  Histogram histogram;

  GumResult gum;
  GumValidation validation;
};

/// Runs the Monte Carlo evaluation of a compiled model. Throws InputError on invalid options.
McResult RunMonteCarlo(const MeasurementModel& model, const CompiledModel& compiled,
                       const McOptions& options);

}  // namespace keycomp::mc
