// Reproduces the published KCRV of each bundled real dataset (tests/datasets/published_kcrv.csv)
// through the command line, with the published method and exclusions.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/text_fields.h"
#include "test_support.h"

using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

TEST_CASE("Published KCRVs of the bundled datasets are reproduced", "[datasets]") {
  std::ifstream in(SourcePath("tests/datasets/published_kcrv.csv"));
  REQUIRE(in);
  std::string line;
  bool header = false;
  int cases = 0;
  const std::string file = "published_kcrv.csv";
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = keycomp::SplitCsvRecord(line, {file, 0, ""});
    if (!header) {
      header = true;
      continue;
    }
    REQUIRE(f.size() == 8);
    INFO(line);
    std::string args = fmt::format("analyse '{}' --format json -e {}",
                                   SourcePath("datasets/" + f[0] + "/results.csv"), f[1]);
    if (!f[2].empty()) args += " --set " + f[2];
    const auto run = RunBinary(args);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto json = nlohmann::json::parse(run.out);
    const auto& kcrv = json["results"][0]["kcrv"];
    const double value = kcrv["value"].get<double>();
    CHECK(std::abs(value - std::stod(f[3])) <= std::stod(f[4]));
    if (!f[5].empty()) {
      CHECK(std::abs(kcrv["u"].get<double>() - std::stod(f[5])) <= std::stod(f[6]));
    }
    ++cases;
  }
  CHECK(cases >= 2);
}
