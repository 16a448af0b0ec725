// Approval tests of the draft report: report.md, report.tex and results.json of two bundled
// comparisons, normalised (dates, versions, digests, paths; JSON numbers to 10 significant
// digits so that the last bits of a sanitizer build do not matter), must equal the reviewed
// baselines in tests/reports/approved/. On a difference the received files are written to
// $KEYCOMP_RECEIVED_DIR (default: <tmp>/keycomp-received); scripts/approve-reports.sh shows the
// difference and accepts it once reviewed.
//
// These check the form of the report. The numbers in it are checked against published values
// in tests/cli/report_command_test.cc.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "reports/report_test_support.h"
#include "test_support.h"

namespace keycomp::testing {
namespace {

namespace fs = std::filesystem;

// Numbers to 10 significant digits; integers stay integers.
nlohmann::json RoundNumbers(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) out[k] = RoundNumbers(v);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(RoundNumbers(v));
    return out;
  }
  if (value.is_number_float()) {
    char text[40];
    std::snprintf(text, sizeof text, "%.10g", value.get<double>());
    return std::strtod(text, nullptr);
  }
  return value;
}

fs::path ReceivedFolder() {
  const char* env = std::getenv("KEYCOMP_RECEIVED_DIR");
  fs::path folder = env != nullptr && *env != '\0' ? fs::path(env)
                                                   : fs::temp_directory_path() / "keycomp-received";
  fs::create_directories(folder);
  return folder;
}

// Compares `received` with the approved baseline NAME.approved.EXT; writes NAME.received.EXT
// on a difference (and when there is no baseline yet).
void Approve(const std::string& name, const std::string& ext, const std::string& received) {
  const fs::path approved =
      fs::path(KEYCOMP_SOURCE_DIR) / "tests/reports/approved" / (name + ".approved." + ext);
  const std::string expected = fs::exists(approved) ? ReadText(approved) : std::string();
  const fs::path received_file = ReceivedFolder() / (name + ".received." + ext);
  if (received != expected) {
    std::ofstream(received_file, std::ios::binary) << received;
    UNSCOPED_INFO("received output differs from " << approved.string() << "; written to "
                                                   << received_file.string()
                                                   << " (review, then scripts/approve-reports.sh)");
  } else {
    std::error_code ignored;
    fs::remove(received_file, ignored);
  }
  CHECK(fs::exists(approved));
  CHECK(received == expected);
}

void ApproveReport(const std::string& name, const std::vector<std::string>& args) {
  ScratchFolder scratch("approval");
  const std::string folder = scratch / "report";
  std::vector<std::string> all = {"report"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--no-pdf", "-o", folder});
  const CliRun run = RunCli(all);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  Approve(name, "md", NormaliseReport(ReadText(fs::path(folder) / "report.md"), folder));
  Approve(name, "tex", NormaliseReport(ReadText(fs::path(folder) / "report.tex"), folder));
  const nlohmann::json json =
      RoundNumbers(nlohmann::json::parse(ReadText(fs::path(folder) / "results.json")));
  Approve(name, "json", NormaliseReport(json.dump(2) + "\n", folder));
}

TEST_CASE("approval: CCQM-K25 PCB 28, DerSimonian-Laird, configuration file") {
  ApproveReport("ccqm_k25_pcb28",
                {SourcePath("datasets/ccqm_k25_pcb28/results.csv"), "--config",
                 SourcePath("tests/reports/data/ccqm_k25_report.json")});
}

TEST_CASE("approval: CCQM-K30 Pb in wine, arithmetic mean, exclusions with reasons") {
  ApproveReport("ccqm_k30_pb_wine",
                {SourcePath("datasets/ccqm_k30_pb_wine/results.csv"), "--config",
                 SourcePath("tests/reports/data/ccqm_k30_report.json")});
}

TEST_CASE("approval: CCM.M-K8-style example with gls and the common link of the pilot") {
  ApproveReport("ccm_m_k8_style_example",
                {SourcePath("datasets/ccm_m_k8_style_example/comparison.json"), "--config",
                 SourcePath("examples/ccm_m_k8_style_report.json")});
}

}  // namespace
}  // namespace keycomp::testing
