// Helpers for the report tests: run `keycomp report` in-process into a fresh folder, read its
// files, and normalise what changes from run to run (dates, versions, digests, paths).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/keycomp_cli.h"
#include "keycomp/version.h"

namespace keycomp::testing {

/// A fresh empty folder under the system's temporary folder, removed at the end of scope.
class ScratchFolder {
 public:
  explicit ScratchFolder(const std::string& name) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("keycomp-" + name + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& child) const { return (path_ / child).string(); }

 private:
  std::filesystem::path path_;
};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs keycomp in-process with `args` (without the program name).
inline CliRun RunCli(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"keycomp"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  CliRun run;
  run.exit_code = RunKeycomp(static_cast<int>(argv.size()), argv.data(), out, err, false);
  run.out = out.str();
  run.err = err.str();
  return run;
}

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

/// Replaces what differs between runs and machines: the output folder, the source tree's
/// path, ISO dates, the keycomp version and SHA-256 digests.
inline std::string NormaliseReport(std::string text, const std::string& output_folder) {
  ReplaceAll(text, output_folder, "<OUT>");
  ReplaceAll(text, std::string(KEYCOMP_SOURCE_DIR) + "/", "");
  text = std::regex_replace(text, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"), "<DATE>");
  text = std::regex_replace(text, std::regex("[0-9a-f]{64}"), "<SHA256>");
  ReplaceAll(text, std::string("keycomp ") + kVersion, "keycomp <VERSION>");
  ReplaceAll(text, std::string("\"") + kVersion + "\"", "\"<VERSION>\"");
  ReplaceAll(text, std::string("keycomp version: ") + kVersion, "keycomp version: <VERSION>");
  ReplaceAll(text, std::string("keycomp version:** ") + kVersion, "keycomp version:** <VERSION>");
  ReplaceAll(text, std::string("keycomp version:] ") + kVersion, "keycomp version:] <VERSION>");
  return text;
}

}  // namespace keycomp::testing
