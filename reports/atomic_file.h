// Output files appear whole or not at all: content goes to a temporary file beside the target,
// which is renamed over it only when complete.
#pragma once

#include <string>

namespace keycomp {

/// Writes `content` to `path` through a temporary file and a rename. Throws
/// InputError (naming the path) when the file cannot be written.
void WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace keycomp
