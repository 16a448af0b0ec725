// Per-lab measurement models in a comparison: a lab's entry may name a model file instead of
// (or besides) a value and u, and the Monte Carlo evaluation of that model becomes the lab's
// result: value = the Monte Carlo mean, u = its standard deviation, dof infinite.
//
// Contract extension (docs/cli-extensions.md, "Per-lab model files"):
//   CSV:  a column `model` holding a model file path, relative to the comparison file's folder;
//         rows with a model may leave value/u (and U/k, dof) empty; the columns may be absent.
//   JSON: a key "model" in a result object, same meaning.
// Each model runs with its own run settings (`trials`, `adaptive`, `digits`, `seed` in the
// model file); otherwise 10^6 trials with seed = the analysis seed + the lab's 0-based row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/comparison.h"

namespace keycomp::mc {

struct LabModelOptions {
  std::uint64_t seed = 20261123;        ///< base seed; lab i uses seed + i unless its file sets one
  unsigned threads = 0;                 ///< 0: all cores
  std::size_t default_trials = 1000000; ///< when the model file sets neither trials nor adaptive
};

/// One lab's Monte Carlo result, as substituted into the comparison.
struct LabModelResult {
  std::string lab;
  std::string model_path;
  double value = 0;
  double u = 0;
  std::size_t trials = 0;
  std::uint64_t seed = 0;
};

/// Returns the comparison text with the value and u of every lab that names a model replaced
/// by its Monte Carlo result, or std::nullopt when no lab names a model. Throws InputError
/// (naming the comparison file, line and lab, or the model file and field) on bad models and
/// on models whose evaluation fails (NaN/infinite trials, adaptive procedure not stabilised).
std::optional<std::string> ResolveLabModels(const std::string& path, const std::string& text,
                                            const LabModelOptions& options,
                                            std::vector<LabModelResult>* results = nullptr);

/// ReadComparisonFile with per-lab models resolved first.
Comparison ReadComparisonWithLabModels(const std::string& path, const LabModelOptions& options,
                                       std::vector<LabModelResult>* results = nullptr);

}  // namespace keycomp::mc
