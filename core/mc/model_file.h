// Reader of measurement-model files (JSON; format in docs/mc.md and ../shared/spec/cli.md).
// Every error is an InputError naming the file and the JSON field (`inputs.dR.high`,
// `correlations[0].r`, `model`, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/mc/model.h"

namespace keycomp::mc {

/// Run settings a model file may carry (used when the model is a lab's entry in `analyse`).
struct ModelRunSettings {
  std::optional<std::size_t> trials;
  std::optional<bool> adaptive;
  std::optional<int> digits;
  std::optional<std::uint64_t> seed;
};

struct ModelFile {
  MeasurementModel model;
  ModelRunSettings run;
};

/// Parses a model document; `source` names it in messages.
ModelFile ParseModelJson(const std::string& text, const std::string& source);

/// Reads and parses a model file.
ModelFile ReadModelFile(const std::string& path);

}  // namespace keycomp::mc
