// The report's Word draft (report.docx, made by pandoc from report.md) and its results.xml.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "test_support.h"

namespace fs = std::filesystem;
using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

namespace {

bool Have(const std::string& tool, const std::string& package) {
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0) return true;
  const char* ci = std::getenv("CI");
  INFO(tool << " missing (Debian " << package << ", installed by scripts/install-deps.sh)");
  REQUIRE_FALSE((ci != nullptr && std::string(ci) == "true"));
  WARN(tool << " not installed: not checked");
  return false;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t Count(const std::string& text, const std::regex& re) {
  return static_cast<std::size_t>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

// One entry of the .docx (a zip), read with python3's zipfile; entries named like `pattern`
// listed instead when `list` is true.
std::string Zip(const fs::path& docx, const std::string& what, bool list) {
  const fs::path out = docx.parent_path() / "zip.out";
  const std::string script =
      list ? "import sys,zipfile;print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))"
           : "import sys,zipfile;sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2])"
             ".decode())";
  const std::string command = "python3 -c \"" + script + "\" '" + docx.string() + "' '" + what +
                              "' > '" + out.string() + "'";
  REQUIRE(std::system(command.c_str()) == 0);
  return Slurp(out);
}

}  // namespace

TEST_CASE("report: report.docx carries the report's tables and figures; results.xml validates") {
  const fs::path dir = fs::temp_directory_path() / "keycomp-docx-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string folder = (dir / "k25").string();
  const auto run = RunBinary("report '" + SourcePath("datasets/ccqm_k25_pcb28/results.csv") +
                             "' --config '" + SourcePath("examples/ccqm_k25_pcb28_report.json") +
                             "' --no-pdf -o '" + folder + "'");
  REQUIRE(run.exit_code == 0);
  REQUIRE(fs::exists(fs::path(folder) / "results.xml"));
  if (Have("xmllint", "libxml2-utils")) {
    const std::string command = "xmllint --nonet --noout --schema '" +
                                SourcePath("schemas/keycomp/keycomp_kc.xsd") + "' '" + folder +
                                "/results.xml' 2>/dev/null";
    CHECK(std::system(command.c_str()) == 0);
  }
  if (!Have("pandoc", "pandoc") || !Have("python3", "python3")) return;
  const fs::path docx = fs::path(folder) / "report.docx";
  REQUIRE(fs::exists(docx));
  CHECK(run.out.find("report.docx") != std::string::npos);
  // Every Markdown table (its header rule line) and every figure of report.md is in the .docx.
  const std::string md = Slurp(fs::path(folder) / "report.md");
  const std::size_t md_tables = Count(md, std::regex(R"((^|\n)\|? *:?-{3,}:? *\|)"));
  // Distinct figure files (a figure shown twice is stored once in the .docx).
  std::set<std::string> figures;
  const std::regex figure(R"(!\[[^\]]*\]\(([^)]*\.png)\))");
  for (auto it = std::sregex_iterator(md.begin(), md.end(), figure); it != std::sregex_iterator();
       ++it) {
    figures.insert((*it)[1].str());
  }
  const std::size_t md_figures = figures.size();
  REQUIRE(md_tables > 0);
  REQUIRE(md_figures > 0);
  const std::string body = Zip(docx, "word/document.xml", false);
  CHECK(Count(body, std::regex("<w:tbl>")) == md_tables);
  const std::string names = Zip(docx, "", true);
  CHECK(Count(names, std::regex(R"(word/media/[^\n]+\.png)")) == md_figures);
}
