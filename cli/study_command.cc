#include "cli/study_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <ostream>

#include "cli/option_checks.h"
#include "cli/progress_bar.h"
#include "core/input_error.h"
#include "core/study.h"
#include "core/text_fields.h"
#include "estimators/registry.h"
#include "reports/atomic_file.h"
#include "reports/study_output.h"

namespace keycomp {

CLI::App* AddStudyCommand(CLI::App& app, StudyArguments& args) {
  CLI::App* command = app.add_subcommand(
      "study", "simulation study: bias, RMSE and coverage of estimators over a scenario grid");
  command->add_option("SPEC", args.inputs,
                      "study spec (JSON, see docs/study.md), or `merge SHARD.json...`")
      ->required();
  command->add_option("-o,--output", args.output, "write the JSON result (or shard) to FILE")
      ->transform(OutputFile());
  command->add_option("--csv", args.csv, "also write the metrics as CSV to FILE");
  command->add_option("--plot", args.plot,
                      "also draw coverage against tau/u, one panel per n (.svg, .png or .pdf)");
  command->add_option("--shard", args.shard,
                      "run shard I of N (1 <= I <= N) and write a shard file for `study merge`");
  command->add_option("--threads", args.threads, "worker threads (0: all cores)")
      ->transform(WholeNumberIn(0, 1024));
  command->add_flag("--force", args.force,
                    fmt::format("run a study above the size limit ({:.3g} estimator runs)",
                                kStudyMaxRuns));
  command->footer(
      "Examples:\n"
      "  keycomp study examples/study-small.json -o study.json --csv study.csv --plot cov.svg\n"
      "  keycomp study examples/study-small.json --shard 1/2 -o part1.json\n"
      "  keycomp study merge part1.json part2.json -o study.json\n"
      "Exit codes: 0 success, 1 a computation that could not be done, 2 bad spec or options.");
  return command;
}

namespace {

std::pair<std::size_t, std::size_t> ParseShard(const std::string& text) {
  const auto slash = text.find('/');
  const auto bad = [&] {
    return InputError("", 0, "--shard", fmt::format("'{}' is not I/N with 1 <= I <= N", text));
  };
  if (slash == std::string::npos) throw bad();
  std::size_t i = 0, n = 0;
  try {
    std::size_t used = 0;
    i = std::stoul(text.substr(0, slash), &used);
    if (used != slash) throw bad();
    n = std::stoul(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw bad();
  } catch (const std::logic_error&) {
    throw bad();
  }
  if (i < 1 || n < 1 || i > n) throw bad();
  return {i - 1, n};
}

void CheckSpec(const StudyOptions& spec, const std::string& source, bool force) {
  if (StudyIssue issue = spec.Validate(force); !issue.empty()) {
    throw InputError(source, 0, issue.field, issue.message);
  }
}

void WriteResult(const StudyArguments& args, const StudyOptions& spec,
                 const std::vector<std::vector<StudyTally>>& totals, std::ostream& out) {
  const std::string json = StudyToJson(spec, totals);
  if (!args.csv.empty()) WriteFileAtomically(args.csv, StudyToCsv(spec, totals));
  if (!args.plot.empty()) {
    const plots::Figure figure = StudyCoveragePlot(spec, totals);
    const std::string lower = ToLower(args.plot);
    if (lower.ends_with(".png")) {
      plots::WritePng(figure, args.plot);
    } else if (lower.ends_with(".pdf")) {
      plots::WritePdf(figure, args.plot);
    } else {
      WriteFileAtomically(args.plot, plots::RenderSvg(figure));
    }
  }
  if (args.output.empty()) {
    out << json;
  } else {
    WriteFileAtomically(args.output, json);
  }
}

int RunMerge(const StudyArguments& args, std::ostream& out) {
  if (args.inputs.size() < 2) {
    throw InputError("", 0, "SHARD", "`keycomp study merge` needs at least one shard file");
  }
  if (!args.shard.empty()) throw InputError("", 0, "--shard", "does not apply to merge");
  std::vector<StudyChunk> chunks;
  StudyOptions spec;
  std::string spec_json;
  for (std::size_t i = 1; i < args.inputs.size(); ++i) {
    StudyShard shard = ReadStudyShard(args.inputs[i]);
    if (i == 1) {
      spec = shard.spec;
      spec_json = shard.spec_json;
    } else if (shard.spec_json != spec_json) {
      throw InputError(args.inputs[i], 0, "spec",
                       fmt::format("the shard comes from another spec than {}", args.inputs[1]));
    }
    for (StudyChunk& c : shard.chunks) chunks.push_back(std::move(c));
  }
  spec.find_estimator = &FindEstimator;
  CheckSpec(spec, args.inputs[1], true);
  const auto totals = ReduceStudyChunks(spec, std::move(chunks), args.inputs[1]);
  WriteResult(args, spec, totals, out);
  return 0;
}

}  // namespace

int RunStudy(const StudyArguments& args, std::ostream& out, std::ostream& err) {
  if (!args.inputs.empty() && args.inputs.front() == "merge") return RunMerge(args, out);
  if (args.inputs.size() != 1) {
    throw InputError("", 0, "SPEC", "give one spec file (or `merge SHARD.json...`)");
  }
  const std::string& path = args.inputs.front();
  StudyOptions spec = ReadStudySpec(path);
  spec.find_estimator = &FindEstimator;
  CheckSpec(spec, path, args.force);
  std::size_t first = 0, last = spec.ChunkCount(), shard = 0, shards = 1;
  if (!args.shard.empty()) {
    std::tie(shard, shards) = ParseShard(args.shard);
    std::tie(first, last) = StudyShardRange(spec.ChunkCount(), shard, shards);
  }
  if (!args.shard.empty() && (!args.csv.empty() || !args.plot.empty())) {
    throw InputError("", 0, "--shard", "a shard writes a shard file only; --csv and --plot "
                                       "belong to `study merge`");
  }
  ProgressBar progress(err, ::isatty(STDERR_FILENO) == 1 && &err == &std::cerr);
  std::vector<StudyChunk> chunks =
      RunStudyChunks(spec, first, last, args.threads, progress.Callback("study"));
  if (!args.shard.empty()) {
    const std::string text = StudyShardToJson(spec, shard, shards, chunks);
    if (args.output.empty()) {
      out << text;
    } else {
      WriteFileAtomically(args.output, text);
    }
    return 0;
  }
  WriteResult(args, spec, ReduceStudyChunks(spec, std::move(chunks), path), out);
  return 0;
}

}  // namespace keycomp
