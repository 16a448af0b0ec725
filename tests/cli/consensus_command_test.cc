// `keycomp consensus` end to end: the published kilogram consensus values, a closed-form
// history, and bad input (exit 2, one message, no output file).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "test_support.h"

using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

TEST_CASE("consensus: the published values from the dataset's history", "[cli][kg_consensus]") {
  std::ifstream in(SourcePath("datasets/ccm_kg_consensus_value/published.json"));
  REQUIRE(in);
  const auto published = nlohmann::json::parse(in);
  const auto run = RunBinary(fmt::format(
      "consensus '{}' --format json",
      SourcePath("datasets/ccm_kg_consensus_value/kcrv_history.csv")));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  const auto& revisions = j.at("revisions");
  REQUIRE(revisions.size() == published.at("history").size());
  for (std::size_t k = 0; k < revisions.size(); ++k) {
    const auto& want = published.at("history")[k];
    CHECK(revisions[k].at("published").get<double>() == want.at("published").get<double>());
    CHECK(revisions[k].at("u").get<double>() == want.at("u_published").get<double>());
    CHECK(std::abs(revisions[k].at("mean").get<double>() - want.at("calculated").get<double>()) <=
          0.05 + 1e-12);
  }
  CHECK(revisions[2].at("limit_applied") == true);
  CHECK(j.at("consensus_value").at("value").get<double>() ==
        published.at("adopted_consensus_value").get<double>());
  CHECK(j.at("rule").at("window") == 3);
  CHECK(j.at("unit") == "ug");

  const auto table = RunBinary(fmt::format(
      "consensus '{}' --format table",
      SourcePath("datasets/ccm_kg_consensus_value/kcrv_history.csv")));
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Matchers::Contains("2026-03-01") &&
                            Catch::Matchers::Contains("-12.000*") &&
                            Catch::Matchers::Contains("limited"));
}

TEST_CASE("consensus: closed-form history, window 1, limit 5 from 0", "[cli][kg_consensus]") {
  // Values 0, -6, 4, -2.5, 9 with the value in force before at 0: 0; -6 limited to -5 (down);
  // 4 is 9 above -5, limited to 0 (up); -2.5 within; 9 is 11.5 above -2.5, limited to 2.5.
  const auto run = RunBinary(
      fmt::format("consensus '{}' --window 1 --previous 0 --round 0 --u-assigned 7 --format json",
                  SourcePath("tests/cli/data/consensus/closed_form.csv")));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  const double want[] = {0, -5, 0, -2.5, 2.5};
  const bool applied[] = {false, true, true, false, true};
  REQUIRE(j.at("revisions").size() == 5);
  for (std::size_t k = 0; k < 5; ++k) {
    CHECK(j["revisions"][k]["published"].get<double>() == want[k]);
    CHECK(j["revisions"][k]["limit_applied"].get<bool>() == applied[k]);
    CHECK(j["revisions"][k]["u"].get<double>() == 7);
  }
  // --no-limit: the values themselves.
  const auto free = RunBinary(
      fmt::format("consensus '{}' --window 1 --no-limit --round 0 --format json",
                  SourcePath("tests/cli/data/consensus/closed_form.csv")));
  REQUIRE(free.exit_code == 0);
  const auto jf = nlohmann::json::parse(free.out);
  CHECK(jf["revisions"][4]["published"].get<double>() == 9);
  CHECK(jf["rule"]["limit"].is_null());
}

TEST_CASE("consensus: bad input exits 2 with one message and no output file",
          "[cli][kg_consensus]") {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path() / fmt::format("keycomp-consensus-{}", ::getpid());
  fs::create_directories(tmp);
  const fs::path out = tmp / "out.json";
  const std::string data = SourcePath("tests/cli/data/consensus");
  const std::string good = SourcePath("datasets/ccm_kg_consensus_value/kcrv_history.csv");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {fmt::format("'{}/missing_date.csv'", data), "missing_date.csv:line 1: field 'date'"},
      {fmt::format("'{}/not_chronological.csv'", data),
       "not_chronological.csv:line 3: field 'date'"},
      {fmt::format("'{}/too_short.csv'", data), "fewer than the window of 3"},
      {fmt::format("'{}/u_zero.csv'", data), "u_zero.csv:line 3: field 'u'"},
      {fmt::format("'{}/non_numeric.csv'", data), "non_numeric.csv:line 3: field 'value'"},
      {fmt::format("'{}/bad_date.csv'", data), "bad_date.csv:line 3: field 'date'"},
      {fmt::format("'{}/does_not_exist.csv'", data), "cannot open file"},
      {fmt::format("'{}' --window 0", good), "--window must be at least 1"},
      {fmt::format("'{}' --limit -1", good), "--limit must be > 0"},
      {fmt::format("'{}' --u-assigned 0", good), "--u-assigned must be finite and > 0"},
      {fmt::format("'{}' --round -1", good), "--round must be"},
      {fmt::format("'{}' --order sideways", good), "--order"},
  };
  for (const auto& [args, message] : cases) {
    const auto run = RunBinary(fmt::format("consensus {} -o '{}'", args, out.string()));
    INFO("args: " << args << "\nstderr: " << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Matchers::Contains(message));
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(out));
  }
  // And a good run writes the file.
  const auto run = RunBinary(fmt::format("consensus '{}' -o '{}'", good, out.string()));
  CHECK(run.exit_code == 0);
  CHECK(fs::exists(out));
  fs::remove_all(tmp);
}
