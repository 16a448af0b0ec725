// `keycomp report` end to end (in-process): the files it writes, the numbers in them against
// published results, the configuration and its overrides, bad input (exit 2, nothing left
// behind), the HTML rendered by headless Chromium and the LaTeX compiled by pdflatex.
#include <cairo.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/read_comparison.h"
#include "estimators/registry.h"
#include "reports/report_test_support.h"
#include "test_support.h"

namespace keycomp::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kK25 = SourcePath("datasets/ccqm_k25_pcb28/results.csv");
const std::string kK30 = SourcePath("datasets/ccqm_k30_pb_wine/results.csv");
const std::string kK25Config = SourcePath("tests/reports/data/ccqm_k25_report.json");

std::vector<std::string> Files(const fs::path& folder) {
  std::vector<std::string> names;
  if (!fs::exists(folder)) return names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool OnPath(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

// Half a unit in the last decimal place a number's text shows (0.005 for "1.23", 5 for "120"
// printed as a multiple of ten is not distinguished: such texts here have decimals).
double HalfLastDigit(const std::string& text) {
  const std::size_t point = text.find('.');
  const int decimals = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
  return 0.5 * std::pow(10.0, -decimals);
}

// The DoE CSV in KCDB form: lab -> (D_i, U_i).
std::map<std::string, std::pair<double, double>> ReadDoeCsv(const fs::path& path,
                                                            double* coarsest = nullptr) {
  std::istringstream in(ReadText(path));
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "lab,D_i,U_i,unit");
  std::map<std::string, std::pair<double, double>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    REQUIRE(cells.size() == 4);
    rows[cells[0]] = {std::stod(cells[1]), std::stod(cells[2])};
    // D and U of a row share their decimal place (docs/report.md, rounding rule).
    CHECK(HalfLastDigit(cells[1]) == HalfLastDigit(cells[2]));
    if (coarsest) *coarsest = std::max(*coarsest, HalfLastDigit(cells[2]));
  }
  return rows;
}

TEST_CASE("report writes every file of the draft report") {
  ScratchFolder scratch("report-files");
  const std::string folder = scratch / "k25";
  const CliRun run = RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> files = Files(folder);
  for (const char* name :
       {"report.html", "report.md", "report.tex", "results.json", "doe.csv", "fig-results.svg",
        "fig-results.pdf", "fig-results.png", "fig-doe.svg", "fig-doe.pdf", "fig-doe.png",
        "fig-estimators.svg", "fig-estimators.pdf", "fig-estimators.png"}) {
    INFO(name);
    CHECK(std::find(files.begin(), files.end(), name) != files.end());
  }
  CHECK(std::find(files.begin(), files.end(), "report.pdf") == files.end());
  // Only the report folder in the parent: no temporary folder left over.
  CHECK(Files(scratch.path()) == std::vector<std::string>{"k25"});

  SECTION("the plots are real SVG, PDF and PNG files") {
    for (const char* fig : {"fig-results", "fig-doe", "fig-estimators"}) {
      INFO(fig);
      CHECK(ReadText(fs::path(folder) / (std::string(fig) + ".svg")).find("<svg") !=
            std::string::npos);
      CHECK(ReadText(fs::path(folder) / (std::string(fig) + ".pdf")).rfind("%PDF-", 0) == 0);
      CHECK(ReadText(fs::path(folder) / (std::string(fig) + ".png")).rfind("\x89PNG", 0) == 0);
    }
  }

  SECTION("the HTML is self-contained: inline SVG and CSS, nothing fetched") {
    const std::string html = ReadText(fs::path(folder) / "report.html");
    CHECK(html.find("<style>") != std::string::npos);
    std::size_t svgs = 0;
    for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
      ++svgs;
    }
    CHECK(svgs >= 3);
    for (const char* remote : {"<script", "<link", "<img", "@import", "src=\"http", "href=\"http",
                               "url(http"}) {
      INFO(remote);
      CHECK(html.find(remote) == std::string::npos);
    }
  }

  SECTION("provenance: the input's SHA-256 as sha256sum computes it, options, seed, version") {
    const Json json = Json::parse(ReadText(fs::path(folder) / "results.json"));
    const Json& report = json.at("report");
    FILE* pipe = popen(("sha256sum '" + kK25 + "'").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char digest[65] = {};
    REQUIRE(std::fread(digest, 1, 64, pipe) == 64);
    pclose(pipe);
    CHECK(report.at("input").at("sha256") == std::string(digest));
    CHECK(report.at("estimator") == "dersimonian_laird");
    CHECK(report.at("options").at("seed") == 20261123);
    CHECK(report.at("options").at("coverage") == 0.95);
    CHECK(report.at("keycomp_version") == json.at("keycomp_version"));
    CHECK(report.at("date").get<std::string>().size() == 20);  // 2026-01-02T03:04:05Z
    CHECK(report.at("config").at("path") == kK25Config);
    CHECK(report.at("sensitivity_estimators") ==
          Json::array({"arithmetic_mean", "weighted_mean", "median", "dersimonian_laird"}));
    CHECK(json.at("estimator_sensitivity").size() == 4);
    CHECK(json.at("comparison").at("id") == "CCQM-K25");
  }
}

TEST_CASE("report numbers agree with the published CCQM-K25 DerSimonian-Laird analysis") {
  // datasets/ccqm_k25_pcb28/published.json: metafor rma(method = "DL") printed in the NIST
  // Consensus Builder example code: 33.6004, se 0.7450, tau 1.7114, Q = 68.2154 on 5 df,
  // 4 decimals.
  ScratchFolder scratch("report-k25");
  const std::string folder = scratch / "k25";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder}).exit_code == 0);
  const Json json = Json::parse(ReadText(fs::path(folder) / "results.json"));
  const Json& result = json.at("results").at(0);
  CHECK(result.at("estimator") == "dersimonian_laird");
  CHECK(std::abs(result.at("kcrv").at("value").get<double>() - 33.6004) <= 5e-5);
  CHECK(std::abs(result.at("kcrv").at("u").get<double>() - 0.7450) <= 5e-5);
  CHECK(std::abs(result.at("tau").get<double>() - 1.7114) <= 5e-5);
  CHECK(std::abs(json.at("consistency").at("chi2").get<double>() - 68.2154) <= 5e-5);

  // The KCDB table, U_i to two significant digits and D_i at the same place (half a unit of
  // the last digit shown is the rounding error allowed): D_i = x_i - KCRV and, for an included
  // lab with dark uncertainty recognised, U_i = 2 sqrt(u_i^2 + tau^2 - u_ref^2), from the
  // published numbers and the data.
  const std::map<std::string, std::pair<double, double>> data = {
      {"IRMM", {34.30, 1.03}}, {"KRISS", {32.90, 0.69}}, {"NARL", {34.53, 0.83}},
      {"NIST", {32.42, 0.29}}, {"NMIJ", {31.90, 0.40}},  {"NRC", {35.80, 0.38}}};
  double half = 0;
  const auto doe = ReadDoeCsv(fs::path(folder) / "doe.csv", &half);
  REQUIRE(doe.size() == data.size());
  CHECK(half <= 0.05);  // U_i between 3 and 4: one decimal (more only to keep a finding)
  for (const auto& [lab, xu] : data) {
    INFO(lab);
    const double d = xu.first - 33.6004;
    const double expanded = 2 * std::sqrt(xu.second * xu.second + 1.7114 * 1.7114 - 0.7450 * 0.7450);
    CHECK(std::abs(doe.at(lab).first - d) <= half + 1e-4);
    CHECK(std::abs(doe.at(lab).second - expanded) <= half + 1e-4);
  }

  // The three documents state the same KCRV as the JSON, rounded alike: u = 0.7450 to two
  // significant digits, the KCRV at the same place. 0.7450 (four decimals) lies on the
  // rounding boundary, so either 0.74 or 0.75 agrees with the published value.
  for (const char* name : {"report.md", "report.html", "report.tex"}) {
    INFO(name);
    const std::string text = ReadText(fs::path(folder) / name);
    CHECK((text.find("33.60 ng/g with standard uncertainty 0.74 ng/g") != std::string::npos ||
           text.find("33.60 ng/g with standard uncertainty 0.75 ng/g") != std::string::npos));
  }
}

TEST_CASE("report: pairwise DoE of CCQM-K25 as the data and the published tau give them") {
  // d_ij = x_i - x_j; with dark uncertainty recognised U_ij = 2 sqrt(u_i^2 + u_j^2 + 2 tau^2),
  // tau = 1.7114 ng/g published (datasets/ccqm_k25_pcb28/published.json).
  ScratchFolder scratch("report-pairwise");
  const std::string folder = scratch / "k25";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder}).exit_code == 0);
  std::istringstream in(ReadText(fs::path(folder) / "pairwise-doe.csv"));
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "lab_i,lab_j,d_ij,U_ij,unit");
  const std::map<std::string, std::pair<double, double>> data = {
      {"IRMM", {34.30, 1.03}}, {"KRISS", {32.90, 0.69}}, {"NARL", {34.53, 0.83}},
      {"NIST", {32.42, 0.29}}, {"NMIJ", {31.90, 0.40}},  {"NRC", {35.80, 0.38}}};
  int rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    REQUIRE(cells.size() == 5);
    INFO(line);
    const auto& a = data.at(cells[0]);
    const auto& b = data.at(cells[1]);
    const double tau = 1.7114;
    // d and U rounded alike: U to two significant digits (docs/report.md).
    const double half = HalfLastDigit(cells[3]);
    CHECK(HalfLastDigit(cells[2]) == half);
    CHECK(half <= 0.05);
    CHECK(std::abs(std::stod(cells[2]) - (a.first - b.first)) <= half + 1e-9);
    CHECK(std::abs(std::stod(cells[3]) - 2 * std::sqrt(a.second * a.second + b.second * b.second +
                                                       2 * tau * tau)) <= half + 1e-3);
    ++rows;
  }
  CHECK(rows == 30);  // every ordered pair of 6 labs
  CHECK(fs::exists(fs::path(folder) / "fig-pairwise-doe.svg"));
}

TEST_CASE("report: Monte Carlo and leave-one-out add their plots") {
  ScratchFolder scratch("report-mc");
  const std::string mc = scratch / "mc";
  const CliRun run = RunCli({"report", kK25, "--config", kK25Config, "--mc", "2000", "--no-pdf",
                             "-o", mc});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(fs::exists(fs::path(mc) / "fig-kcrv-draws.png"));
  const Json json = Json::parse(ReadText(fs::path(mc) / "results.json"));
  CHECK(json.at("results").at(0).at("uncertainty_method") == "monte_carlo");
  CHECK(json.at("report").at("options").at("mc_trials") == 2000);
  // The report states the Monte Carlo u, as results.json does, to two significant digits.
  const double u = json.at("results").at(0).at("kcrv").at("u").get<double>();
  REQUIRE((u >= 0.1 && u < 0.995));
  CHECK(ReadText(fs::path(mc) / "report.md").find(fmt::format("| {:.2f} |", u)) !=
        std::string::npos);

  const std::string loo = scratch / "loo";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--doe", "leave_one_out", "--no-pdf",
                  "-o", loo})
              .exit_code == 0);
  CHECK(fs::exists(fs::path(loo) / "fig-leave-one-out.png"));
  CHECK_FALSE(fs::exists(fs::path(mc) / "fig-leave-one-out.png"));
}

TEST_CASE("report of CCQM-K30 reproduces the published KCRV with the excluded labs marked") {
  // metRology's Pb documentation: KCRV 2.99 mg/kg (3 significant digits) from the nine IDMS
  // results; INMETRO (ICP) and INM (GFAAS) excluded.
  ScratchFolder scratch("report-k30");
  const std::string folder = scratch / "k30";
  const CliRun run = RunCli({"report", kK30, "-e", "arithmetic_mean", "--no-pdf", "-o", folder});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Json json = Json::parse(ReadText(fs::path(folder) / "results.json"));
  CHECK(std::abs(json.at("results").at(0).at("kcrv").at("value").get<double>() - 2.99) <= 0.005);
  const Json& exclusions = json.at("report").at("exclusions");
  REQUIRE(exclusions.size() == 2);
  CHECK(exclusions.at(0).at("lab") == "INMETRO");
  CHECK(exclusions.at(1).at("lab") == "INM");
  CHECK(exclusions.at(0).at("reason") == "excluded in the input file (include = 0)");
  const std::string md = ReadText(fs::path(folder) / "report.md");
  CHECK(md.find("INM: excluded in the input file (include = 0)") != std::string::npos);
  // Every lab, excluded or not, has a degree of equivalence in the KCDB table.
  CHECK(ReadDoeCsv(fs::path(folder) / "doe.csv").size() == 11);
}

// The cells after the lab's name in the first table row of `lab` (the "results as reported"
// table) in report.md, report.html or report.tex, blanks around them removed.
std::vector<std::string> ReportedRow(const fs::path& folder, const std::string& name,
                                     const std::string& lab) {
  const std::string text = ReadText(folder / name);
  const bool html = name == "report.html";
  const bool tex = name == "report.tex";
  const std::string open = html  ? "<tr><td>" + lab + "</td>"
                           : tex ? "\n" + lab + " & "
                                 : "\n| " + lab + " |";
  // The row of the "Participants' results" table (the Participants section lists the labs too).
  const std::string heading = html  ? "Participants' results</h2>"
                              : tex ? "{Participants' results}"
                                    : "Participants' results\n";
  const std::size_t section = text.find(heading);
  if (section == std::string::npos) return {};
  const std::size_t start = text.find(open, section);
  if (start == std::string::npos) return {};
  const std::size_t from = start + open.size();
  std::string line = text.substr(from, text.find('\n', from) - from);
  std::string separator = html ? "</td>" : tex ? "&" : "|";
  if (html) {
    line = line.substr(0, line.rfind("</tr>"));
  } else if (tex) {
    line = line.substr(0, line.rfind("\\\\"));
  } else {
    line = line.substr(0, line.rfind('|'));
  }
  std::vector<std::string> cells;
  for (std::size_t at = 0; at < line.size();) {
    std::size_t next = line.find(separator, at);
    if (next == std::string::npos) next = line.size();
    std::string cell = line.substr(at, next - at);
    if (html) cell = cell.substr(cell.find('>') + 1);  // drop <td class="...">
    const std::size_t first = cell.find_first_not_of(' ');
    const std::size_t last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    at = next + separator.size();
  }
  return cells;
}

TEST_CASE("report: the results table prints each number exactly as the lab reported it") {
  ScratchFolder scratch("report-reported");
  // CSV fields (with blanks around one, trimmed) and the same numbers as JSON number tokens.
  std::ofstream(scratch / "c.csv") << "# unit: ng/g\n"
                                      "lab,value,u,U,k,dof\n"
                                      "A, -17.8 ,0.00012300,,,\n"
                                      "B,195.8,1.2e-5,,,10\n"
                                      "C,34.30,,0.70,2.00,inf\n";
  std::ofstream(scratch / "c.json") << R"({"comparison": {"unit": "ng/g"}, "results": [
             {"lab": "A", "value": -17.8, "u": 0.00012300},
             {"lab": "B", "value": 195.8, "u": 1.2e-5, "dof": 10},
             {"lab": "C", "value": 34.30, "U": 0.70, "k": 2.00, "dof": "inf"}]})";
  for (const char* input : {"c.csv", "c.json"}) {
    const std::string folder = scratch / (std::string(input) + ".report");
    const CliRun run =
        RunCli({"report", scratch / input, "-e", "arithmetic_mean", "--no-pdf", "-o", folder});
    INFO(input << ": " << run.err);
    REQUIRE(run.exit_code == 0);
    for (const char* name : {"report.md", "report.html", "report.tex"}) {
      INFO(name);
      // Columns: x, u, U, k, dof, in KCRV. C's u = 0.70/2.00 = 0.35, derived and marked.
      const std::string dash = name == std::string("report.tex") ? "--" : "\u2013";
      CHECK(ReportedRow(folder, name, "A") ==
            std::vector<std::string>{"-17.8", "0.00012300", "", "", dash, "yes"});
      CHECK(ReportedRow(folder, name, "B") ==
            std::vector<std::string>{"195.8", "1.2e-5", "", "", "10", "yes"});
      CHECK(ReportedRow(folder, name, "C") ==
            std::vector<std::string>{"34.30", "0.350 (U/k)", "0.70", "2.00", "inf", "yes"});
    }
  }
}

TEST_CASE("report: a lab whose result a model computed is marked as computed, not reported") {
  ScratchFolder scratch("report-computed");
  // x ~ N(5, 0.1): the Monte Carlo mean and standard deviation are 5.00 and 0.10 to the
  // digits shown (10^5 trials: standard error of the mean 3e-4).
  std::ofstream(scratch / "m.json")
      << R"({"model": "x", "inputs": {"x": {"dist": "normal", "mean": 5, "sd": 0.1}},
             "trials": 100000})";
  std::ofstream(scratch / "c.csv") << "lab,value,u,model\nA,5.02,0.15,\nB,4.9,0.2,\nM,,,m.json\n";
  const std::string folder = scratch / "out";
  const CliRun run = RunCli({"report", scratch / "c.csv", "--no-pdf", "-o", folder});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> row = ReportedRow(folder, "report.md", "M");
  REQUIRE(row.size() >= 3);
  CHECK(row[0] == "5.00 (computed)");
  CHECK(row[1] == "0.10 (computed)");
  CHECK(row[2] == "∞");
  CHECK(ReportedRow(folder, "report.md", "A").at(0) == "5.02");
}

TEST_CASE("report: command-line options override the configuration") {
  ScratchFolder scratch("report-override");
  const std::string folder = scratch / "out";
  const CliRun run = RunCli({"report", kK25, "--config", kK25Config, "-e", "weighted_mean",
                             "--coverage", "0.9", "--seed", "5", "--exclude", "NRC", "--no-pdf",
                             "-o", folder});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Json json = Json::parse(ReadText(fs::path(folder) / "results.json"));
  const Json& report = json.at("report");
  CHECK(report.at("estimator") == "weighted_mean");
  CHECK(report.at("options").at("coverage") == 0.9);
  CHECK(report.at("options").at("seed") == 5);
  CHECK(json.at("results").at(0).at("kcrv").at("coverage") == 0.9);
  REQUIRE(report.at("exclusions").size() == 1);
  CHECK(report.at("exclusions").at(0).at("reason") == "excluded on the command line (--exclude)");
  // The configuration's sensitivity list, with the report's own estimator in it.
  CHECK(report.at("sensitivity_estimators") ==
        Json::array({"arithmetic_mean", "weighted_mean", "median", "dersimonian_laird"}));
  CHECK(report.at("command").get<std::string>().find("-e weighted_mean --coverage 0.9 --seed 5 "
                                                     "--exclude NRC") != std::string::npos);
}

TEST_CASE("report: the sensitivity section runs every estimator of the registry that applies") {
  ScratchFolder scratch("report-all");
  const std::string folder = scratch / "out";
  REQUIRE(RunCli({"report", kK25, "--no-pdf", "-o", folder}).exit_code == 0);
  const Json json = Json::parse(ReadText(fs::path(folder) / "results.json"));
  Json expected = Json::array();
  for (const Estimator& e : BuiltinEstimators()) {
    if (e.info.min_labs <= 6) expected.push_back(e.info.name);
  }
  CHECK(json.at("report").at("sensitivity_estimators") == expected);
  CHECK(json.at("estimator_sensitivity").size() == expected.size());
  CHECK(json.at("report").at("estimator") == "weighted_mean");  // analyse's default
}

TEST_CASE("report replaces an earlier report, and only a report") {
  ScratchFolder scratch("report-replace");
  const std::string folder = scratch / "out";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder}).exit_code == 0);
  std::ofstream(fs::path(folder) / "stale.txt") << "from an older run";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder}).exit_code == 0);
  const std::vector<std::string> files = Files(folder);
  CHECK(std::find(files.begin(), files.end(), "stale.txt") == files.end());
  CHECK(std::find(files.begin(), files.end(), "report.html") != files.end());
  CHECK(Files(scratch.path()) == std::vector<std::string>{"out"});

  // A folder that is not a keycomp report is never replaced.
  const std::string other = scratch / "notes";
  fs::create_directory(other);
  std::ofstream(fs::path(other) / "mine.txt") << "keep me";
  const CliRun run = RunCli({"report", kK25, "--no-pdf", "-o", other});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("not an earlier keycomp report") != std::string::npos);
  CHECK(Files(other) == std::vector<std::string>{"mine.txt"});
  CHECK(ReadText(fs::path(other) / "mine.txt") == "keep me");
}

TEST_CASE("report: bad input exits 2 and leaves nothing in or beside the output folder") {
  ScratchFolder scratch("report-bad");
  const std::string bad_csv = scratch / "bad.csv";
  std::ofstream(bad_csv) << "lab,value,u\nA,1.0,0.1\nB,1.2,0\nC,0.9,0.2\n";
  const std::string bad_key = scratch / "bad-key.json";
  std::ofstream(bad_key) << "{\"titel\": \"typo\"}\n";
  const std::string bad_syntax = scratch / "bad-syntax.json";
  std::ofstream(bad_syntax) << "{\n  \"title\": \"x\",\n  \"seed\": ,\n}\n";
  const std::string bad_lab = scratch / "bad-lab.json";
  std::ofstream(bad_lab) << R"({"exclusions": [{"lab": "NOPE", "reason": "r"}]})";
  const std::string bad_type = scratch / "bad-type.json";
  std::ofstream(bad_type) << R"({"coverage": "95 %"})";
  const std::string out = scratch / "out";

  struct Case {
    std::vector<std::string> args;
    std::string message;  // part of the one-line message on stderr
  };
  const std::vector<Case> cases = {
      {{scratch / "missing.csv"}, "missing.csv"},
      {{bad_csv}, "line 3"},
      {{kK25, "-e", "no_such_estimator"}, "unknown estimator 'no_such_estimator'"},
      {{kK25, "-e", "weighted_mean,median"}, "one KCRV estimator"},
      {{kK25, "--exclude", "NOPE"}, "unknown lab 'NOPE'"},
      {{kK25, "--config", bad_key}, "field 'titel': unknown key"},
      {{kK25, "--config", bad_syntax}, "bad-syntax.json:line 3"},
      {{kK25, "--config", bad_lab}, "unknown lab 'NOPE'"},
      {{kK25, "--config", bad_type}, "field 'coverage'"},
      {{kK25, "--config", scratch / "missing.json"}, "missing.json"},
      {{kK25, "--set", "nobody.u=external"}, "--set nobody.u"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"report"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--no-pdf", "-o", out});
    const CliRun run = RunCli(args);
    INFO(fmt::format("{}\nstderr: {}", fmt::join(args, " "), run.err));
    CHECK(run.exit_code == 2);
    CHECK(run.err.find(c.message) != std::string::npos);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(out));
  }
  // The output folder's parent must exist.
  const CliRun run = RunCli({"report", kK25, "--no-pdf", "-o", scratch / "no/such/folder"});
  CHECK(run.exit_code == 2);
  CHECK_FALSE(fs::exists(scratch / "no"));
  // Only the inputs this test wrote are left.
  CHECK(Files(scratch.path()) ==
        std::vector<std::string>{"bad-key.json", "bad-lab.json", "bad-syntax.json",
                                 "bad-type.json", "bad.csv"});
}

TEST_CASE("report: the Draft A text blocks appear in the CC template order, unset ones marked") {
  ScratchFolder scratch("report-draft-a");
  const std::string config = scratch / "draft-a.json";
  std::ofstream(config) << R"({
    "introduction": "INTRO-ONE\n\nINTRO-TWO",
    "participants": [{"lab": "NRC", "institute": "INSTITUTE-NRC", "country": "COUNTRY-NRC",
                      "measurement_dates": "DATES-NRC", "method": "METHOD-NRC"}],
    "transfer_standard": "TRANSFER-STANDARD",
    "conclusions": "CONCLUSIONS-TEXT"
  })";
  const std::string folder = scratch / "out";
  const CliRun run = RunCli({"report", kK25, "--config", config, "--no-pdf", "-o", folder});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  for (const std::string name : {"report.md", "report.html", "report.tex"}) {
    INFO(name);
    const std::string text = ReadText(fs::path(folder) / name);
    // Each marker after the one before it: the order of the CC report templates.
    std::size_t at = 0;
    for (const std::string marker :
         {"Introduction", "INTRO-ONE", "INTRO-TWO", "INSTITUTE-NRC", "COUNTRY-NRC", "DATES-NRC",
          "Measurand and transfer standard", "TRANSFER-STANDARD", "Measurement methods",
          "METHOD-NRC", "Key comparison reference value", "Degrees of equivalence",
          "Conclusions", "CONCLUSIONS-TEXT", "Reproducing this report"}) {
      const std::size_t next = text.find(marker, at);
      INFO(marker);
      CHECK(next != std::string::npos);
      if (next != std::string::npos) at = next + marker.size();
    }
    // The two paragraphs of the introduction stay two paragraphs.
    CHECK(text.find("INTRO-ONE INTRO-TWO") == std::string::npos);
    // Unset blocks are placeholders naming their configuration field; labs not listed too.
    CHECK(text.find("To be written: the definition of the measurand") != std::string::npos);
    CHECK(text.find("To be written: the measurement methods") != std::string::npos);
    CHECK(text.find("[to be given]") != std::string::npos);
  }
}

TEST_CASE("report: a bad Draft A block exits 2 naming the configuration file and field") {
  ScratchFolder scratch("report-draft-a-bad");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"participants": [{"lab": "NOPE"}]})", "field 'participants[0].lab'"},
      {R"({"participants": [{"lab": "NRC", "adress": "x"}]})", "field 'participants[0].adress'"},
      {R"({"participants": [{"lab": "NRC"}, {"lab": "NRC"}]})", "listed twice"},
      {R"({"participants": {"lab": "NRC"}})", "field 'participants'"},
      {R"({"conclusions": 3})", "field 'conclusions': expected a string"},
  };
  const std::string config = scratch / "bad.json";
  const std::string out = scratch / "out";
  for (const auto& [text, message] : cases) {
    std::ofstream(config) << text;
    const CliRun run = RunCli({"report", kK25, "--config", config, "--no-pdf", "-o", out});
    INFO(text << "\nstderr: " << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("bad.json") != std::string::npos);
    CHECK(run.err.find(message) != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("report: an estimator that gives no KCRV exits 1 and writes nothing") {
  // linear_pool with dof=strict refuses a lab with 2 degrees of freedom (its Student t has no
  // variance); CCQM-K25 has one (NIST).
  REQUIRE(FindEstimator("linear_pool") != nullptr);
  ScratchFolder scratch("report-fail");
  const std::string out = scratch / "out";
  const CliRun run = RunCli({"report", kK25, "-e", "linear_pool", "--set", "linear_pool.dof=strict",
                             "--no-pdf", "-o", out});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("no report written") != std::string::npos);
  CHECK(Files(scratch.path()).empty());
}

TEST_CASE("report: a given KCRV, the check of all results and the independent DoE convention") {
  // CCQM-K30 with two labs excluded: the check of all 11 results about a given KCRV 3.0
  // (10 dof) sits beside the check of the 9 included ones; u^2(D_i) = u_i^2 + 0.02^2.
  ScratchFolder scratch("report-conventions");
  const std::string out = scratch / "out";
  const CliRun run = RunCli({"report", kK30, "-e", "arithmetic_mean", "--kcrv", "3.0", "--kcrv-u",
                             "0.02", "--chi2-over", "all", "--doe-uncertainty", "independent",
                             "--no-pdf", "-o", out});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string md = ReadText(fs::path(out) / "report.md");
  CHECK(md.find("Consistency of all results about the KCRV.") != std::string::npos);
  CHECK(md.find("Consistency of the included results.") != std::string::npos);
  CHECK(md.find("given (published) value 3.0") != std::string::npos);
  CHECK(md.find("--doe-uncertainty independent") != std::string::npos);
  const Json results = Json::parse(ReadText(fs::path(out) / "results.json"));
  CHECK(results["consistency"]["over"] == "all");
  CHECK(results["consistency"]["dof"] == 10);
  CHECK(results["consistency"]["included"]["dof"] == 8);
  const Comparison k30 = ReadComparisonFile(kK30);
  for (const Json& d : results["results"][0]["doe"]) {
    for (const LabResult& r : k30.results()) {
      if (r.lab != d["lab"]) continue;
      CHECK(d["u"].get<double>() == Approx(std::hypot(r.u, 0.02)).epsilon(1e-13));
      CHECK(d["d"].get<double>() == Approx(r.value - 3.0).epsilon(1e-13));
    }
  }
  // The panel shows what each estimator gives, not the given value.
  for (const Json& e : results["estimator_sensitivity"]) {
    if (e["estimator"] == "arithmetic_mean") {
      CHECK(e["kcrv"]["value"].get<double>() == Approx(2.99).margin(0.0005));
    }
  }
}

TEST_CASE("report: a panel estimator failing in Monte Carlo trials is marked, the report stands") {
  // Adjacent results consistent, the outer two not: the largest consistent subset exists for
  // the data but fails in a good share of the bootstrap trials.
  const std::string data = SourcePath("tests/cli/data/lcs_fails_in_trials.csv");
  const std::string config = SourcePath("tests/cli/data/lcs_fails_report.json");
  ScratchFolder scratch("report-panel-fails");
  const std::string out = scratch / "out";
  SECTION("the panel's estimator fails: written, marked failed with its reason") {
    const CliRun run = RunCli({"report", data, "--config", config, "-e", "weighted_mean", "--mc",
                               "2000", "--seed", "3", "--no-pdf", "-o", out});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const Json results = Json::parse(ReadText(fs::path(out) / "results.json"));
    bool marked = false;
    for (const Json& e : results["estimator_sensitivity"]) {
      if (e["estimator"] != "largest_consistent_subset") continue;
      marked = e["status"] == "failed" &&
               e["message"].get<std::string>().find("Monte Carlo trials") != std::string::npos;
    }
    CHECK(marked);
    const std::string md = ReadText(fs::path(out) / "report.md");
    CHECK(md.find("`largest_consistent_subset` failed: ") != std::string::npos);
  }
  SECTION("the report's own estimator fails: exit 1, nothing written") {
    const CliRun run = RunCli({"report", data, "--config", config, "-e",
                               "largest_consistent_subset", "--mc", "2000", "--seed", "3",
                               "--no-pdf", "-o", out});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("no report written") != std::string::npos);
    CHECK(Files(scratch.path()).empty());
  }
}

TEST_CASE("report.tex compiles with pdflatex into report.pdf") {
  ScratchFolder scratch("report-pdf");
  const std::string folder = scratch / "k30";
  const CliRun run = RunCli({"report", kK30, "--config",
                             SourcePath("tests/reports/data/ccqm_k30_report.json"), "-o", folder});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  if (!OnPath("pdflatex")) {
    CHECK(run.err.find("pdflatex is not installed") != std::string::npos);
    WARN("pdflatex is not installed: report.tex not compiled (scripts/install-deps.sh installs it)");
    if (std::getenv("CI") != nullptr) FAIL("CI must install pdflatex (texlive-latex-base)");
    return;
  }
  CHECK(run.err.empty());
  CHECK(ReadText(fs::path(folder) / "report.pdf").rfind("%PDF-", 0) == 0);
  const std::vector<std::string> files = Files(folder);
  for (const char* scratch_file : {"report.log", "report.aux", "report.out"}) {
    CHECK(std::find(files.begin(), files.end(), scratch_file) == files.end());
  }
}

// Fraction of pixels that are not (near) white, and of pixels of the plots' blue.
struct PixelCount {
  double not_white = 0;
  std::size_t blue = 0;
};

PixelCount CountPixels(const std::string& png) {
  cairo_surface_t* image = cairo_image_surface_create_from_png(png.c_str());
  PixelCount count;
  if (cairo_surface_status(image) == CAIRO_STATUS_SUCCESS) {
    cairo_surface_flush(image);
    const int width = cairo_image_surface_get_width(image);
    const int height = cairo_image_surface_get_height(image);
    const int stride = cairo_image_surface_get_stride(image);
    const unsigned char* data = cairo_image_surface_get_data(image);
    std::size_t dark = 0;
    for (int y = 0; y < height; ++y) {
      const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
      for (int x = 0; x < width; ++x) {
        const int r = static_cast<int>((row[x] >> 16) & 0xFF);
        const int g = static_cast<int>((row[x] >> 8) & 0xFF);
        const int b = static_cast<int>(row[x] & 0xFF);
        if (r < 235 || g < 235 || b < 235) ++dark;
        // The markers' blue, (0, 114, 178) in the palette.
        if (r < 40 && g > 90 && g < 140 && b > 150 && b < 205) ++count.blue;
      }
    }
    count.not_white = static_cast<double>(dark) / (static_cast<double>(width) * height);
  }
  cairo_surface_destroy(image);
  return count;
}

TEST_CASE("report.html renders in headless Chromium") {
  const std::string chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) {
    WARN("Chromium is not installed (/usr/bin/chromium): the HTML rendering check is skipped; "
         "scripts/install-deps.sh installs it");
    if (std::getenv("CI") != nullptr) FAIL("CI must install chromium");
    SUCCEED();
    return;
  }
  ScratchFolder scratch("report-chromium");
  const std::string folder = scratch / "k25";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder}).exit_code == 0);
  const std::string screenshot = scratch / "page.png";
  const std::string command =
      "timeout 180 " + chromium +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir='" + (scratch / "profile") + "' --screenshot='" + screenshot +
      "' --window-size=1200,2000 'file://" + folder + "/report.html' >'" +
      (scratch / "chromium.log") + "' 2>&1";
  const int status = std::system(command.c_str());
  INFO(ReadText(scratch.path() / "chromium.log"));
  REQUIRE(status == 0);
  REQUIRE(fs::exists(screenshot));
  const PixelCount count = CountPixels(screenshot);
  // Text, tables and the first plot: far from blank. The blue markers show that the inline SVG
  // figures were drawn, not only the text.
  CHECK(count.not_white > 0.05);
  CHECK(count.blue > 100);
}

TEST_CASE("report: results.xml read back by analyse gives the report's KCRV, D_i and U_i") {
  ScratchFolder scratch("report-xml-back");
  const std::string folder = scratch / "out";
  REQUIRE(RunCli({"report", kK25, "--config", kK25Config, "--no-pdf", "-o", folder}).exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(ReadText(fs::path(folder) / "results.json"));
  const CliRun run =
      RunCli({"analyse", (fs::path(folder) / "results.xml").string(), "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json back = nlohmann::json::parse(run.out);
  REQUIRE(back.at("published").at("releases").size() == 1);
  const nlohmann::json& release = back["published"]["releases"][0];
  const nlohmann::json& kcrv = report["results"][0]["kcrv"];
  CHECK(release["kcrv"]["value"].get<double>() ==
        Approx(kcrv["value"].get<double>()).epsilon(1e-14));
  CHECK(release["kcrv"]["u"].get<double>() == Approx(kcrv["u"].get<double>()).epsilon(1e-14));
  const nlohmann::json& doe = report["results"][0]["doe"];
  REQUIRE(release["doe"].size() == doe.size());
  for (std::size_t i = 0; i < doe.size(); ++i) {
    INFO(doe[i]["lab"]);
    CHECK(release["doe"][i]["lab"] == doe[i]["lab"]);
    CHECK(release["doe"][i]["value"].get<double>() ==
          Approx(doe[i]["d"].get<double>()).epsilon(1e-14));
    CHECK(release["doe"][i]["U"].get<double>() == Approx(doe[i]["U"].get<double>()).epsilon(1e-14));
    CHECK(release["doe"][i]["coverage"] == 0.95);
  }
}

}  // namespace
}  // namespace keycomp::testing
