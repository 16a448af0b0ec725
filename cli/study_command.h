// `keycomp study SPEC.json`: the simulation study of the estimators (core/study.h), whole or one
// shard of it (`--shard I/N`); `keycomp study merge SHARD.json...` combines shards into the same
// bytes as one run.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

namespace keycomp {

struct StudyArguments {
  std::vector<std::string> inputs;  ///< SPEC.json, or `merge` followed by shard files
  std::string output;               ///< JSON (or the shard file); empty: standard output
  std::string csv;
  std::string plot;  ///< .svg, .png or .pdf
  std::string shard;  ///< "I/N", 1 <= I <= N
  unsigned threads = 0;
  bool force = false;
};

CLI::App* AddStudyCommand(CLI::App& app, StudyArguments& args);

/// Runs it. Throws InputError on a bad spec or options (exit 2).
int RunStudy(const StudyArguments& args, std::ostream& out, std::ostream& err);

}  // namespace keycomp
