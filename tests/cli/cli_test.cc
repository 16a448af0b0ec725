// The keycomp binary end to end: cases kept as data in tests/cli/cases.txt (arguments,
// expected exit code, expected text on stderr and stdout), plus checks of the JSON contract.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/keycomp_cli.h"
#include "core/text_fields.h"
#include "test_support.h"

using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

namespace {

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

std::vector<std::string> SplitBar(const std::string& line) {
  std::vector<std::string> parts;
  std::stringstream ss(line);
  std::string part;
  while (std::getline(ss, part, '|')) parts.emplace_back(keycomp::Trim(part));
  while (parts.size() < 5) parts.emplace_back();
  return parts;
}

}  // namespace

TEST_CASE("CLI cases from tests/cli/cases.txt", "[cli]") {
  namespace fs = std::filesystem;
  std::ifstream in(SourcePath("tests/cli/cases.txt"));
  REQUIRE(in);
  const std::string data = SourcePath("tests/cli/data");
  const fs::path tmp = fs::temp_directory_path() / fmt::format("keycomp-cli-{}", ::getpid());
  fs::create_directories(tmp);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    if (keycomp::Trim(line).empty() || line[0] == '#') continue;
    const auto c = SplitBar(line);
    const fs::path out = tmp / fmt::format("out-{}.json", count++);
    const std::string args = Replace(Replace(c[2], "{data}", data), "{out}", out.string());
    SECTION(c[0]) {
      const auto run = RunBinary(args);
      INFO("args: " << args << "\nstdout: " << run.out << "\nstderr: " << run.err);
      CHECK(run.exit_code == std::stoi(c[1]));
      if (!c[3].empty()) CHECK_THAT(run.err, Catch::Matchers::Contains(c[3]));
      if (!c[4].empty()) CHECK_THAT(run.out, Catch::Matchers::Contains(c[4]));
      if (run.exit_code != 0) {
        // One message, one line; and no output file, complete or partial.
        CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
        CHECK_FALSE(fs::exists(out));
        for (const auto& entry : fs::directory_iterator(tmp)) {
          CHECK(entry.path().string().find(".tmp-") == std::string::npos);
        }
      } else if (c[2].find("{out}") != std::string::npos) {
        CHECK(fs::exists(out));
      }
    }
  }
  CHECK(count >= 25);
  fs::remove_all(tmp);
}

TEST_CASE("analyse JSON follows the contract", "[cli]") {
  const auto run = RunBinary(fmt::format("analyse '{}' --all --format json",
                                         SourcePath("datasets/ccqm_k30_pb_wine/results.csv")));
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  CHECK(j["keycomp_version"] == "0.1.0");
  CHECK(j["comparison"]["id"] == "CCQM-K30");
  CHECK(j["comparison"]["unit"] == "mg/kg");
  CHECK(j["comparison"]["n"] == 11);
  CHECK(j["comparison"]["n_included"] == 9);
  for (const char* key : {"chi2", "dof", "p_value", "birge_ratio", "I2"}) {
    CHECK(j["consistency"].contains(key));
  }
  CHECK(j["consistency"]["dof"] == 8);
  REQUIRE(j["results"].size() >= 3);
  for (const auto& r : j["results"]) {
    INFO(r["estimator"]);
    CHECK(r["kcrv"]["value"].is_number());
    CHECK(r["kcrv"]["u"].is_number());
    CHECK(r["kcrv"]["interval"].size() == 2);
    CHECK(r["kcrv"]["coverage"] == 0.95);
    CHECK(r.contains("tau"));
    // Estimators with their own posterior or pool draws take their DoE from those draws.
    CHECK((r["uncertainty_method"] == "analytic" || r["uncertainty_method"] == "posterior_draws"));
    REQUIRE(r["doe"].size() == 11);  // every lab, included or not
    for (const auto& d : r["doe"]) {
      for (const char* key : {"lab", "d", "u", "U", "interval", "included"}) CHECK(d.contains(key));
    }
  }
  const auto& wm = j["results"][1];
  CHECK(wm["estimator"] == "weighted_mean");
  CHECK(wm["tau"].is_null());
  CHECK(wm["kcrv"].contains("u_internal"));
  CHECK(wm["kcrv"].contains("u_external"));
}

TEST_CASE("analyse JSON prints the shortest numbers that read back exactly", "[cli]") {
  const auto run = RunBinary(fmt::format("analyse '{}' --format json",
                                         SourcePath("tests/cli/data/good.csv")));
  REQUIRE(run.exit_code == 0);
  // good.csv: x = 1.0, 1.2, 0.9 with u = 0.1, 0.1, 0.2; weights 100, 100, 25:
  // x_wm = (100 + 120 + 22.5)/225 = 97/90 = 1.0777...; its double needs 17 digits.
  CHECK_THAT(run.out, Catch::Matchers::Contains("\"value\": 1.0777777777777777"));
  // The coverage the user gave prints as given, not as 0.94999999999999996.
  CHECK_THAT(run.out, Catch::Matchers::Contains("\"coverage\": 0.95"));
  CHECK_THAT(run.out, !Catch::Matchers::Contains("0.9499999"));
}

TEST_CASE("analyse -e median --set median.u=made: the MADe closed form end to end", "[cli]") {
  const auto run = RunBinary(fmt::format("analyse '{}' -e median --set median.u=made --format json",
                                         SourcePath("tests/cli/data/good.csv")));
  REQUIRE(run.exit_code == 0);
  const auto kcrv = nlohmann::json::parse(run.out)["results"][0]["kcrv"];
  // x = (1.0, 1.2, 0.9): median 1.0, |x - 1.0| = (0, 0.2, 0.1), MAD = 0.1;
  // u = sqrt(pi/2) * 1.482602218505602 * 0.1 / sqrt(3).
  CHECK(kcrv["value"].get<double>() == Approx(1.0).epsilon(1e-15));
  CHECK(kcrv["u"].get<double>() ==
        Approx(std::sqrt(std::acos(-1.0) / 2) * 1.482602218505602 * 0.1 / std::sqrt(3.0))
            .epsilon(1e-13));
  CHECK(kcrv["u_kind"] == "made");
}

TEST_CASE("CSV and table formats, and the in-process entry point", "[cli]") {
  const std::string input = SourcePath("tests/cli/data/good.csv");
  const auto csv = RunBinary(fmt::format("analyse '{}' --format csv -e weighted_mean,median", input));
  REQUIRE(csv.exit_code == 0);
  // Per estimator: 3 unilateral rows and 3 pairwise rows.
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 1 + 2 * (3 + 3));
  CHECK(csv.out.rfind("kind,estimator,status,kcrv,u_kcrv,tau,", 0) == 0);

  std::ostringstream out, err;
  const char* argv[] = {"keycomp", "analyse", input.c_str(), "--exclude", "C"};
  CHECK(keycomp::RunKeycomp(5, argv, out, err, true) == 0);
  CHECK_THAT(out.str(), Catch::Matchers::Contains("2 included in the reference value"));
  CHECK_THAT(out.str(), Catch::Matchers::Contains("Degrees of equivalence, weighted_mean"));
}

TEST_CASE("analyse --mc: contract fields and identical output for 1 and 2 threads", "[cli][mc]") {
  const std::string input = SourcePath("datasets/ccqm_k25_pcb28/results.csv");
  const std::string args =
      fmt::format("analyse '{}' -e dersimonian_laird,median --mc 40000 --seed 5 --format json", input);
  const auto one = RunBinary(args + " --threads 1");
  const auto two = RunBinary(args + " --threads 2");
  REQUIRE(one.exit_code == 0);
  CHECK(one.out == two.out);
  const auto j = nlohmann::json::parse(one.out);
  for (const auto& r : j["results"]) {
    CHECK(r["uncertainty_method"] == "monte_carlo");
    CHECK(r["trials"] == 40000);
    CHECK(r["seed"] == 5);
    CHECK(r["kcrv"].contains("shortest_interval"));
    CHECK(r["pairwise"].size() == 15);
    CHECK(r["doe"][0].contains("symmetric_interval"));
  }
  const auto bad = RunBinary(fmt::format("analyse '{}' --mc 10", input));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Matchers::Contains("at least 100 trials"));
}

TEST_CASE("analyse: reml and ml report the global maximum and warn of the others", "[cli]") {
  // tests/cli/data/multimodal_likelihood.csv: both likelihoods have a local maximum at tau = 0
  // (KCRV 10.0039) and a higher one at tau ~ 1.1 (KCRV ~ 10.72; metafor, started there:
  // tests/oracle/multimodal, case boundary_and_far).
  const auto run = RunBinary(fmt::format("analyse '{}' -e reml,ml --format json",
                                         SourcePath("tests/cli/data/multimodal_likelihood.csv")));
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  REQUIRE(j["results"].size() == 2);
  const std::map<std::string, std::pair<double, double>> expected = {
      {"reml", {10.718101440028102, 1.1236971051538429}},
      {"ml", {10.713377893161809, 1.0452583522344934}}};
  for (const auto& r : j["results"]) {
    const std::string name = r["estimator"];
    INFO(name);
    CHECK(r["status"] == "ok");
    CHECK(r["extra"]["local_maxima"] == 2);
    CHECK(keycomp::testing::RelativeError(r["kcrv"]["value"], expected.at(name).first) < 1e-9);
    CHECK(keycomp::testing::RelativeError(r["tau"], expected.at(name).second) < 1e-9);
    bool warned = false;
    for (const auto& w : r["warnings"]) {
      const std::string text = w;
      if (text.find("2 local maxima") == std::string::npos) continue;
      warned = true;
      CHECK_THAT(text, Catch::Matchers::Contains("tau = 0 (log-likelihood"));
      CHECK_THAT(text,
                 Catch::Matchers::Contains(fmt::format("tau = {:.6g}", expected.at(name).second)));
    }
    CHECK(warned);
  }
}

TEST_CASE("analyse -e linear_pool on CCQM-K25 PCB 28 (a lab with 2 dof), as NICOB runs it",
          "[cli][linear_pool]") {
  // The NIST Consensus Builder's example pcb.ncb: its linearOP.R gives 33.642 and a u that
  // varies from run to run (1000 runs of 10^5 draws: quartiles 1.509, 1.514, 0.5 % and 99.5 %
  // quantiles 1.50, 1.63; tests/oracle/nicob_linear_pool/golden.csv).
  const std::string args = fmt::format("analyse '{}' -e linear_pool --format json",
                                       SourcePath("datasets/ccqm_k25_pcb28/results.csv"));
  const auto one = RunBinary(args + " --threads 1");
  const auto two = RunBinary(args + " --threads 2");
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  CHECK(one.out == two.out);  // bit-identical whatever the thread count
  const auto j = nlohmann::json::parse(one.out);
  const auto& r = j["results"].at(0);
  CHECK(r["estimator"] == "linear_pool");
  CHECK(r["kcrv"]["value"].get<double>() == Approx(201.85 / 6).epsilon(1e-14));
  CHECK(r["kcrv"]["u"].get<double>() > 1.50);
  CHECK(r["kcrv"]["u"].get<double>() < 1.63);
  CHECK(r["kcrv"]["u_kind"] == "sample_sd_of_draws");
  CHECK(r["kcrv"]["interval"][0].get<double>() == Approx(31.44).margin(0.01));
  CHECK(r["kcrv"]["interval"][1].get<double>() == Approx(36.28).margin(0.01));
  REQUIRE(r["warnings"].size() == 1);
  const std::string warning = r["warnings"][0];
  CHECK_THAT(warning, Catch::Matchers::Contains("'NIST' (2 dof"));
  CHECK_THAT(warning, Catch::Matchers::Contains("sample figure"));
  CHECK(r["doe"].size() == 6);

  const auto strict = RunBinary(args + " --set linear_pool.dof=strict");
  CHECK(strict.exit_code != 0);
  CHECK_THAT(strict.err, Catch::Matchers::Contains("dof=strict"));
  const auto ignore = RunBinary(args + " --set linear_pool.dof=ignore");
  REQUIRE(ignore.exit_code == 0);
  CHECK(nlohmann::json::parse(ignore.out)["results"][0]["kcrv"]["u_kind"] == "mixture_sd");
}

TEST_CASE("keycomp --help shows an example for every command, and every command's help one") {
  const auto top = RunBinary("--help");
  REQUIRE(top.exit_code == 0);
  // The commands as the help lists them ("analyse, analyze" is one command).
  std::vector<std::string> commands;
  std::istringstream lines(top.out);
  bool in_list = false;
  for (std::string line; std::getline(lines, line);) {
    if (line == "Subcommands:") {
      in_list = true;
    } else if (in_list && line.empty()) {
      break;
    } else if (in_list) {
      const std::size_t start = line.find_first_not_of(' ');
      commands.push_back(line.substr(start, line.find_first_of(" ,", start) - start));
    }
  }
  REQUIRE(commands.size() >= 7);
  const std::string examples = top.out.substr(top.out.find("Examples"));
  for (const std::string& command : commands) {
    INFO(command);
    const std::string head = "\n  keycomp " + command;
    const std::size_t at = examples.find(head);
    CHECK(at != std::string::npos);
    if (at != std::string::npos && at + head.size() < examples.size()) {
      CHECK((examples[at + head.size()] == ' ' || examples[at + head.size()] == '\n'));
    }
    const auto own = RunBinary(command + " --help");
    CHECK(own.exit_code == 0);
    CHECK(own.out.find("Example") != std::string::npos);
  }
}
