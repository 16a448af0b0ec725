// `keycomp link` end to end: the R oracle (tests/oracle/link: complex-step Jacobians of the
// DoE written as functions of the raw results, an independent route to every covariance),
// the help example, the three output formats, and bad input (exit 2, the place named, no output
// file left behind).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/keycomp_cli.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;
using Json = nlohmann::json;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun Keycomp(std::vector<std::string> args) {
  args.insert(args.begin(), "keycomp");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliRun r;
  r.code = keycomp::RunKeycomp(static_cast<int>(argv.size()), argv.data(), out, err, false);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(text);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!text.empty() && text.back() == sep) out.emplace_back();
  return out;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

const std::string kOracle = SourcePath("tests/oracle/link");

struct Golden {
  std::string item, lab;
  double value = NAN, u = NAN;
};

std::map<std::string, std::vector<Golden>> ReadGolden() {
  std::ifstream in(kOracle + "/link_golden.csv");
  REQUIRE(in);
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, std::vector<Golden>> out;
  while (std::getline(in, line)) {
    const auto f = Split(line, ',');
    REQUIRE(f.size() == 5);
    Golden g{f[1], f[2]};
    g.value = f[3] == "NA" ? NAN : std::stod(f[3]);
    g.u = f[4] == "NA" ? NAN : std::stod(f[4]);
    out[f[0]].push_back(g);
  }
  return out;
}

// Agreement in digits: -log10 of the error relative to max(|expected|, scale).
double Digits(double got, double expected, double scale) {
  const double err = std::abs(got - expected) / std::max(std::abs(expected), scale);
  return err == 0 ? 17 : -std::log10(err);
}

TEST_CASE("link agrees with the R oracle (complex-step propagation)") {
  const auto golden = ReadGolden();
  std::ifstream cases(kOracle + "/cases.csv");
  REQUIRE(cases);
  std::string line;
  std::getline(cases, line);
  int n_cases = 0, n_numbers = 0;
  double worst = 17, worst_floor = 17;
  std::string worst_where, worst_floor_where;
  while (std::getline(cases, line)) {
    const auto f = Split(line, '|');
    REQUIRE(f.size() == 3);
    const std::string& name = f[0];
    std::vector<std::string> args = {"link",
                                     kOracle + "/cases/" + name + "_rmo.csv",
                                     kOracle + "/cases/" + name + "_cipm.csv",
                                     "--linking-labs",
                                     f[1],
                                     "--format",
                                     "json"};
    for (const std::string& a : Split(Replace(f[2], "{dir}", kOracle), ' ')) {
      if (!a.empty()) args.push_back(a);
    }
    const CliRun run = Keycomp(args);
    INFO(name << ": " << run.err);
    REQUIRE(run.code == 0);
    const Json j = Json::parse(run.out);
    ++n_cases;
    // Scale for absolute comparisons: the smallest DoE uncertainty of the case.
    double scale = INFINITY;
    for (const Json& d : j["doe"]) scale = std::min(scale, d["u"].get<double>());
    // Values near 1 with a 1e-9 spread (the kilogram case) are printed as doubles near 1: the
    // KCRV itself carries a representation error of up to half an ulp of its magnitude, which
    // every DoE inherits. Values may therefore also pass within 8 ulp of the KCRV's magnitude;
    // uncertainties (free of that offset) must always meet 10 digits.
    const double value_floor =
        8 * std::numeric_limits<double>::epsilon() * std::abs(j["kcrv"]["value"].get<double>());
    const auto check = [&](const std::string& what, double got, double expected, double sc,
                           bool is_value = true) {
      if (std::isnan(expected)) return;
      const double digits = Digits(got, expected, sc);
      ++n_numbers;
      const bool within_floor = is_value && std::abs(got - expected) <= value_floor;
      double& w = within_floor && digits < 10 ? worst_floor : worst;
      if (digits < w) {
        w = digits;
        (within_floor && digits < 10 ? worst_floor_where : worst_where) = name + " " + what;
      }
      INFO(name << " " << what << ": got " << got << ", expected " << expected);
      CHECK((digits >= 10 || within_floor));
    };
    for (const Golden& g : golden.at(name)) {
      if (g.item == "kcrv") {
        check("kcrv", j["kcrv"]["value"], g.value, scale);
        check("u(kcrv)", j["kcrv"]["u"], g.u, 0, false);
      } else if (g.item == "link") {
        const double link_scale = j["link"]["kind"] == "additive" ? scale : 1e-300;
        check("link", j["link"]["value"], g.value, link_scale);
        check("u(link)", j["link"]["u"], g.u, 0, false);
      } else if (g.item == "chi2") {
        if (std::isnan(g.value)) {
          CHECK(j["consistency"]["chi2"].is_null());
        } else {
          check("chi2", j["consistency"]["chi2"], g.value, 0, false);
        }
      } else if (g.item == "difference" || g.item == "weight" || g.item == "cipm_doe") {
        const Json* lab = nullptr;
        for (const Json& l : j["linking_labs"]) {
          if (l["lab"] == g.lab) lab = &l;
        }
        REQUIRE(lab != nullptr);
        if (g.item == "difference") {
          check("difference " + g.lab, (*lab)["difference"], g.value, scale);
          check("u(difference) " + g.lab, (*lab)["u_difference"], g.u, 0, false);
        } else if (g.item == "weight") {
          check("weight " + g.lab, (*lab)["weight"], g.value, 0, false);
        } else {
          check("cipm doe " + g.lab, (*lab)["cipm_doe"]["d"], g.value, scale);
          check("u(cipm doe) " + g.lab, (*lab)["cipm_doe"]["u"], g.u, 0, false);
        }
      } else if (g.item == "doe") {
        const Json* lab = nullptr;
        for (const Json& d : j["doe"]) {
          if (d["lab"] == g.lab) lab = &d;
        }
        REQUIRE(lab != nullptr);
        check("d " + g.lab, (*lab)["d"], g.value, scale);
        check("u(d) " + g.lab, (*lab)["u"], g.u, 0, false);
        CHECK((*lab)["U"].get<double>() == Approx(2 * g.u).epsilon(1e-10));
      } else if (g.item == "doe_cov") {
        const auto n = j["doe"].size();
        check("doe covariance", j["doe_covariance"][0][n - 1], g.value, scale * scale);
      } else if (g.item == "pair_rmo" || g.item == "pair_cipm") {
        const auto labs = Split(g.lab, ':');
        const std::string where = g.item == "pair_rmo" ? "rmo" : "cipm";
        const Json* pair = nullptr;
        for (const Json& p : j["pairwise"]) {
          if (p["lab_a"] == labs[0] && p["lab_b"] == labs[1] && p["comparison_b"] == where) {
            pair = &p;
          }
        }
        REQUIRE(pair != nullptr);
        check(g.item + " d", (*pair)["d"], g.value, scale);
        check(g.item + " u", (*pair)["u"], g.u, 0, false);
      } else {
        FAIL("unknown golden item " << g.item);
      }
    }
  }
  WARN("link oracle: " << n_cases << " cases, " << n_numbers << " numbers, worst " << worst
                       << " digits (" << worst_where << "); within the KCRV's representation "
                       << "error: worst " << worst_floor << " digits (" << worst_floor_where
                       << ")");
  CHECK(n_cases == 6);
  CHECK(worst >= 10);
}

TEST_CASE("link --help carries an example") {
  const CliRun run = Keycomp({"link", "--help"});
  CHECK(run.code == 0);
  CHECK_THAT(run.out, Catch::Contains("Examples:"));
  CHECK_THAT(run.out, Catch::Contains("keycomp link rmo.csv cipm.csv --linking-labs"));
}

TEST_CASE("link writes table, CSV and JSON files") {
  const fs::path dir = fs::path(KEYCOMP_BINARY).parent_path() / "link_command_test_tmp";
  fs::create_directories(dir);
  const std::string rmo = kOracle + "/cases/wm3_rmo.csv", cipm = kOracle + "/cases/wm3_cipm.csv";
  const CliRun table =
      Keycomp({"link", rmo, cipm, "--linking-labs", "PTB,KRISS", "--format", "table"});
  CHECK(table.code == 0);
  CHECK_THAT(table.out, Catch::Contains("Link offset Delta"));
  CHECK_THAT(table.out, Catch::Contains("A*STAR"));
  const fs::path csv = dir / "linked.csv";
  fs::remove(csv);
  const CliRun c = Keycomp({"link", rmo, cipm, "--linking-labs", "PTB,KRISS", "-o", csv.string()});
  CHECK(c.code == 0);
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  CHECK(header.rfind("kind,lab,linking,value,u_value,d,u,U", 0) == 0);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    CHECK(std::count(line.begin(), line.end(), ',') ==
          std::count(header.begin(), header.end(), ','));
    ++rows;
  }
  CHECK(rows == 6 + 2);
  // The binary itself, with a published KCRV.
  const auto bin = RunBinary("link '" + rmo + "' '" + cipm +
                             "' --linking-labs PTB --kcrv 10.0096 --kcrv-u 0.0033 --format json");
  CHECK(bin.exit_code == 0);
  const Json j = Json::parse(bin.out);
  CHECK(j["kcrv"]["origin"] == "published (--kcrv)");
  CHECK(j["kcrv"]["value"].get<double>() == 10.0096);
}

struct BadCase {
  const char* name;
  std::vector<std::string> args;  ///< after `link RMO CIPM`; "{data}" is tests/cli/data/link
  const char* message;
};

TEST_CASE("link refuses bad input with exit 2, naming the place, writing nothing") {
  const std::string rmo = kOracle + "/cases/wm3_rmo.csv", cipm = kOracle + "/cases/wm3_cipm.csv";
  const std::string data = SourcePath("tests/cli/data/link");
  const fs::path dir = fs::path(KEYCOMP_BINARY).parent_path() / "link_command_test_tmp";
  fs::create_directories(dir);
  const fs::path out = dir / "must_not_exist.json";
  const BadCase cases[] = {
      {"no linking lab", {}, "field '--linking-labs': no linking lab given"},
      {"unknown linking lab",
       {"--linking-labs", "PTB,XYZ"},
       "wm3_rmo.csv: field '--linking-labs': linking lab 'XYZ' is not a participant of the RMO"},
      {"lab missing from the CIPM comparison",
       {"--linking-labs", "PTB,NIM"},
       "wm3_cipm.csv: field '--linking-labs': linking lab 'NIM' is not a participant of the CIPM"},
      {"r outside [-1, 1] on the command line",
       {"--linking-labs", "PTB", "--link-correlation", "1.01"},
       "field '--link-correlation': r = 1.01 lies outside [-1, 1]"},
      {"r outside [-1, 1] in a file",
       {"--linking-labs", "PTB,KRISS", "--link-correlations", "{data}/link_r_out_of_range.csv"},
       "link_r_out_of_range.csv:line 3: field 'r': r = 1.4 for 'KRISS' lies outside [-1, 1]"},
      {"correlation for a lab that is not linking",
       {"--linking-labs", "PTB", "--link-correlations", "{data}/link_r_not_linking.csv"},
       "link_r_not_linking.csv:line 3: field 'lab': 'NIM' is not one of the linking labs"},
      {"correlation file without r",
       {"--linking-labs", "PTB", "--link-correlations", "{data}/link_r_no_r_column.csv"},
       "link_r_no_r_column.csv:line 1: field 'r': needs a column 'r' or a column 'u_common'"},
      {"published KCRV without u",
       {"--linking-labs", "PTB", "--kcrv", "10"},
       "field '--kcrv-u': a published KCRV needs both --kcrv and --kcrv-u"},
      {"--set with a published KCRV",
       {"--linking-labs", "PTB", "--kcrv", "10", "--kcrv-u", "0.01", "--set",
        "weighted_mean.u=external"},
       "field '--set': --set configures the KCRV estimator"},
      {"--kcrv-covariance without --kcrv",
       {"--linking-labs", "PTB", "--kcrv-covariance", "none"},
       "field '--kcrv-covariance': applies to a published KCRV"},
      {"setting for another estimator",
       {"--linking-labs", "PTB", "--set", "median.x=1"},
       "field '--set': 'median.x=1' is not weighted_mean.NAME=VALUE"},
      {"unknown estimator",
       {"--linking-labs", "PTB", "-e", "nope"},
       "field '--estimator': unknown estimator 'nope'"},
      {"missing file",
       {"--linking-labs", "PTB", "--link-correlations", "{data}/none.csv"},
       "none.csv: cannot open file"},
  };
  for (const BadCase& bad : cases) {
    INFO(bad.name);
    fs::remove(out);
    std::vector<std::string> args = {"link", rmo, cipm};
    for (const std::string& a : bad.args) args.push_back(Replace(a, "{data}", data));
    args.push_back("-o");
    args.push_back(out.string());
    const CliRun run = Keycomp(args);
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Catch::Contains(bad.message));
    CHECK_FALSE(fs::exists(out));
  }
  // A missing input file is named too.
  const CliRun missing = Keycomp({"link", data + "/no_rmo.csv", cipm, "--linking-labs", "PTB"});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no_rmo.csv"));
}

}  // namespace

namespace {

// link with the given extra options on the illustrative RMO comparison and the BIPM's Ce-139
// database document as the CIPM comparison.
CliRun LinkCe139(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"link", SourcePath("tests/cli/data/link/ce139_rmo.csv"),
                                   SourcePath("schemas/bipm-kc/Ce-139_database_FAIR.xml"),
                                   "--linking-labs", "CMI,BKFH", "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Keycomp(args);
}

Json WithoutOrigin(Json j) {
  j["kcrv"].erase("origin");
  return j;
}

}  // namespace

TEST_CASE("link --kcrv-from takes the published KCRV of a BIPM key-comparison document") {
  const std::string doc = SourcePath("schemas/bipm-kc/Ce-139_database_FAIR.xml");
  // Expected: the document's releases (its kc:kcrv elements): 2022, 132.77 MBq with a standard
  // uncertainty of 0.14 MBq (coverage factor 1; Metrologia 59 (2022) Tech. Suppl. 06019), the
  // latest; 2003, 132.87(17) MBq (Metrologia 40 (2003) Tech. Suppl. 06012).
  const CliRun latest = LinkCe139({"--kcrv-from", doc});
  INFO(latest.err);
  REQUIRE(latest.code == 0);
  const CliRun given = LinkCe139({"--kcrv", "132.77", "--kcrv-u", "0.14"});
  REQUIRE(given.code == 0);
  const Json a = Json::parse(latest.out), b = Json::parse(given.out);
  CHECK(a["kcrv"]["value"] == 132.77);
  CHECK(a["kcrv"]["u"] == 0.14);
  CHECK_THAT(a["kcrv"]["origin"].get<std::string>(), Catch::Contains("release 2022"));
  // Everything else is what the same numbers given on the command line give.
  CHECK(WithoutOrigin(a) == WithoutOrigin(b));

  const CliRun first = LinkCe139({"--kcrv-from", doc, "--kcrv-release", "2003"});
  REQUIRE(first.code == 0);
  const Json c = Json::parse(first.out);
  CHECK(c["kcrv"]["value"] == 132.87);
  CHECK(c["kcrv"]["u"] == 0.17);
  const CliRun by_doi = LinkCe139(
      {"--kcrv-from", doc, "--kcrv-release", "https://doi.org/10.1088/0026-1394/40/1A/06012"});
  REQUIRE(by_doi.code == 0);
  CHECK(Json::parse(by_doi.out)["kcrv"]["value"] == 132.87);
}

TEST_CASE("link --kcrv-from refuses a missing release, another unit and mixed options") {
  const std::string doc = SourcePath("schemas/bipm-kc/Ce-139_database_FAIR.xml");
  const fs::path dir = fs::path(KEYCOMP_BINARY).parent_path() / "link_command_test_tmp";
  fs::create_directories(dir);
  const std::string kbq = (dir / "cipm_kbq.csv").string();
  std::ofstream(kbq) << "# unit: kBq\nlab,value,u\nCMI,132.9,0.4\nBKFH,132.1,0.5\n";
  const std::string rmo = SourcePath("tests/cli/data/link/ce139_rmo.csv");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{rmo, doc, "--kcrv-from", doc, "--kcrv-release", "1999"},
       "field '--kcrv-release': no release '1999' with a KCRV"},
      {{rmo, kbq, "--kcrv-from", doc}, "field 'kcrv': the KCRV is in 'MBq', the CIPM comparison in 'kBq'"},
      {{rmo, doc, "--kcrv-from", doc, "--kcrv", "1", "--kcrv-u", "0.1"},
       "field '--kcrv-from': give either --kcrv-from or --kcrv/--kcrv-u"},
      {{rmo, doc, "--kcrv-release", "2022"}, "field '--kcrv-release': applies to --kcrv-from only"},
      {{rmo, doc, "--kcrv-from", rmo}, "ce139_rmo.csv"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"link"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--linking-labs", "CMI"});
    const CliRun run = Keycomp(args);
    INFO(c.message << "\nstderr: " << run.err);
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Catch::Contains(c.message));
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
}
