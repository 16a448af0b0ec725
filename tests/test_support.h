// Helpers shared by the tests: paths into the source tree, running the keycomp binary.
#pragma once

#include <string>

namespace keycomp::testing {

/// Absolute path of a file in the source tree.
inline std::string SourcePath(const std::string& relative) {
  return std::string(KEYCOMP_SOURCE_DIR) + "/" + relative;
}

/// Result of running the keycomp executable.
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the keycomp binary with `args` (a shell-quoted argument string) and captures stdout and
/// stderr through temporary files.
ProcessResult RunBinary(const std::string& args);

/// Relative difference |a - b| / max(|b|, floor).
double RelativeError(double a, double b, double floor = 0);

}  // namespace keycomp::testing
