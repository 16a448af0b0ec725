// `analyse --format dsi-xml` and the report's results.xml: D-SI units, validation with xmllint
// against the BIPM key-comparison model / keycomp's schema and D-SI, and the reader of
// key-comparison documents (keycomp's own and the BIPM's published ones).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "core/input_error.h"
#include "core/kc_document.h"
#include "reports/dsi_units.h"
#include "test_support.h"

namespace fs = std::filesystem;
using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;

namespace {

const std::string kK25 = SourcePath("datasets/ccqm_k25_pcb28/results.csv");
const std::string kCe139Year = SourcePath("tests/reports/data/dsi/ce139_with_year.csv");

// xmllint is installed by scripts/install-deps.sh: on CI its absence is a failure.
bool HaveXmllint() {
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) return true;
  const char* ci = std::getenv("CI");
  REQUIRE_FALSE((ci != nullptr && std::string(ci) == "true"));
  WARN("xmllint not installed (Debian libxml2-utils): validation not checked");
  return false;
}

fs::path TempDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("keycomp-dsi-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// xmllint --schema SCHEMA FILE, offline, the BIPM model's D-SI import resolved by the catalog.
int Validate(const std::string& schema, const fs::path& file) {
  const std::string command = "XML_CATALOG_FILES='" + SourcePath("schemas/bipm-kc/catalog.xml") +
                              "' xmllint --nonet --noout --schema '" + SourcePath(schema) + "' '" +
                              file.string() + "' 2>/dev/null";
  return std::system(command.c_str());
}

// Every quantity of a document (kcrv, result, measurementResult) as a stand-alone si:real,
// each validated against the D-SI schema. Returns how many were checked.
int ValidateEveryQuantity(const std::string& xml, const fs::path& dir) {
  const std::regex quantity(
      R"(<kc:(kcrv|result|measurementResult)>([\s\S]*?)</kc:(kcrv|result|measurementResult)>)");
  int n = 0;
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), quantity);
       it != std::sregex_iterator(); ++it) {
    const fs::path file = dir / ("q" + std::to_string(n++) + ".xml");
    std::ofstream(file) << "<dsi:real xmlns:dsi=\"https://ptb.de/si\">" << (*it)[2].str()
                        << "</dsi:real>\n";
    INFO((*it)[0].str());
    REQUIRE(Validate("schemas/bipm-kc/SI_Format.xsd", file) == 0);
  }
  return n;
}

}  // namespace

TEST_CASE("dsi units: the datasets' units and the common CC units in D-SI") {
  // Expected strings: the D-SI unit grammar (PTB D-SI 2.x), as the BIPM documents write them.
  using keycomp::DsiUnit;
  CHECK(DsiUnit("MBq") == "\\mega\\becquerel");
  CHECK(DsiUnit("kBq") == "\\kilo\\becquerel");
  CHECK(DsiUnit("ug") == "\\micro\\gram");
  CHECK(DsiUnit("\xC2\xB5g") == "\\micro\\gram");
  CHECK(DsiUnit("mg") == "\\milli\\gram");
  CHECK(DsiUnit("kg") == "\\kilo\\gram");
  CHECK(DsiUnit("mg/kg") == "\\milli\\gram\\per\\kilo\\gram");
  CHECK(DsiUnit("ng/g") == "\\nano\\gram\\per\\gram");
  CHECK(DsiUnit("ug/g") == "\\micro\\gram\\per\\gram");
  CHECK(DsiUnit("mol/mol") == "\\mole\\per\\mole");
  CHECK(DsiUnit("umol/mol") == "\\micro\\mole\\per\\mole");
  CHECK(DsiUnit("copies/uL") == "\\one\\per\\micro\\litre");
  CHECK(DsiUnit("%") == "\\percent");
  CHECK(DsiUnit("1") == "\\one");
  CHECK(DsiUnit("K") == "\\kelvin");
  CHECK(DsiUnit("mK") == "\\milli\\kelvin");
  CHECK(DsiUnit("degC") == "\\degreecelsius");
  CHECK(DsiUnit("nm") == "\\nano\\metre");
  CHECK(DsiUnit("mm") == "\\milli\\metre");
  CHECK(DsiUnit("uV") == "\\micro\\volt");
  CHECK(DsiUnit("mA") == "\\milli\\ampere");
  CHECK(DsiUnit("ohm") == "\\ohm");
  CHECK(DsiUnit("\\milli\\gram") == "\\milli\\gram");
  CHECK_FALSE(DsiUnit("furlongs").has_value());
  CHECK_FALSE(DsiUnit("mg/kg/s").has_value());
  CHECK_FALSE(DsiUnit("").has_value());
}

TEST_CASE("dsi-xml: CCQM-K25 validates against keycomp's schema, every quantity against D-SI") {
  const auto run = RunBinary("analyse '" + kK25 + "' --format dsi-xml");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("<dsi:unit>\\nano\\gram\\per\\gram</dsi:unit>") != std::string::npos);
  CHECK(run.out.find("<kc:inKCRV>true</kc:inKCRV>") != std::string::npos);
  CHECK(run.out.find("<kc:kcrvMethod>weighted_mean</kc:kcrvMethod>") != std::string::npos);
  if (!HaveXmllint()) return;
  const fs::path dir = TempDir("k25");
  std::ofstream(dir / "k25.xml") << run.out;
  CHECK(Validate("schemas/keycomp/keycomp_kc.xsd", dir / "k25.xml") == 0);
  // Not the BIPM model: it has no kc:measurand, kc:kcrvMethod, kc:provenance.
  CHECK(Validate("schemas/bipm-kc/KC_model_RI_II.xsd", dir / "k25.xml") != 0);
  // 1 KCRV + 6 DoE + 6 lab results.
  CHECK(ValidateEveryQuantity(run.out, dir) == 13);
}

TEST_CASE("dsi-xml: a BIPM.RI(II)-K1 comparison validates against the BIPM model") {
  const auto run =
      RunBinary("analyse '" + kCe139Year + "' --format dsi-xml -e power_moderated_mean");
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("<kc:siDigitalFrameworkRadionuclide>https://si-digital-framework.org/"
                     "kcdb-sc/nucl/Ce-139</kc:siDigitalFrameworkRadionuclide>") !=
        std::string::npos);
  if (!HaveXmllint()) return;
  const fs::path dir = TempDir("ce139");
  std::ofstream(dir / "ce.xml") << run.out;
  CHECK(Validate("schemas/bipm-kc/KC_model_RI_II.xsd", dir / "ce.xml") == 0);
  CHECK(ValidateEveryQuantity(run.out, dir) > 0);
  // Without `# year:` (the release year the model requires) keycomp's schema is used.
  const auto plain =
      RunBinary("analyse '" + SourcePath("datasets/bipm_ri_ii_k1_ce139/results.csv") +
                "' --format dsi-xml -o '" + (dir / "plain.xml").string() + "'");
  REQUIRE(plain.exit_code == 0);
  CHECK(Validate("schemas/keycomp/keycomp_kc.xsd", dir / "plain.xml") == 0);
}

TEST_CASE("dsi-xml: an unknown unit is exit 2 naming the field unless # unit_dsi gives it") {
  const fs::path dir = TempDir("unit");
  const std::string body = "lab,value,u\nA,1.0,0.1\nB,1.2,0.1\nC,0.9,0.2\n";
  std::ofstream(dir / "odd.csv") << "# comparison: X-1\n# unit: furlongs\n" << body;
  const auto bad = RunBinary("analyse '" + (dir / "odd.csv").string() + "' --format dsi-xml");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("# unit") != std::string::npos);
  CHECK(bad.err.find("furlongs") != std::string::npos);
  // Plain analyse does not need a D-SI unit.
  CHECK(RunBinary("analyse '" + (dir / "odd.csv").string() + "' --format json").exit_code == 0);
  std::ofstream(dir / "given.csv") << "# comparison: X-1\n# unit: furlongs\n"
                                   << "# unit_dsi: \\kilo\\metre\n"
                                   << body;
  const auto good = RunBinary("analyse '" + (dir / "given.csv").string() + "' --format dsi-xml");
  CHECK(good.exit_code == 0);
  CHECK(good.out.find("<dsi:unit>\\kilo\\metre</dsi:unit>") != std::string::npos);
}

TEST_CASE("dsi-xml: a document keycomp wrote reads back to the same D_i and U_i") {
  const fs::path dir = TempDir("roundtrip");
  const std::string xml = (dir / "k25.xml").string();
  REQUIRE(RunBinary("analyse '" + kK25 + "' -e dersimonian_laird -o '" + xml + "'").exit_code == 0);
  const auto json = RunBinary("analyse '" + kK25 + "' -e dersimonian_laird --format json");
  REQUIRE(json.exit_code == 0);
  const auto j = nlohmann::json::parse(json.out)["results"][0];
  const keycomp::KcDocument doc = keycomp::ReadKcDocument(xml);
  CHECK(doc.comparison_code == "CCQM-K25");
  REQUIRE(doc.releases.size() == 1);
  const keycomp::KcRelease& r = doc.releases.front();
  CHECK(r.kcrv_method == "dersimonian_laird");
  CHECK(r.kcrv.value == j["kcrv"]["value"].get<double>());
  CHECK(r.kcrv.u == j["kcrv"]["u"].get<double>());
  REQUIRE(r.doe.size() == j["doe"].size());
  for (std::size_t i = 0; i < r.doe.size(); ++i) {
    const auto& d = j["doe"][i];
    CHECK(r.doe[i].lab == d["lab"].get<std::string>());
    CHECK(r.doe[i].d.value == d["d"].get<double>());
    CHECK(r.doe[i].d.expanded == d["U"].get<double>());
    CHECK(r.doe[i].d.k == 2);
  }
  // The document as the input of analyse: its submissions give back the same DoE.
  const auto again = RunBinary("analyse '" + xml + "' -e dersimonian_laird --format json");
  REQUIRE(again.exit_code == 0);
  const auto j2 = nlohmann::json::parse(again.out)["results"][0];
  CHECK(j2["kcrv"]["value"].get<double>() ==
        Approx(j["kcrv"]["value"].get<double>()).epsilon(1e-12));
  for (std::size_t i = 0; i < r.doe.size(); ++i) {
    CHECK(j2["doe"][i]["U"].get<double>() == Approx(r.doe[i].d.expanded).epsilon(1e-12));
  }
}

TEST_CASE("kc document: the BIPM's Ce-139 database gives its published 2022 KCRV and DoE") {
  // Expected: the BIPM's JSON database entry 'BIPM.RI(II)-K1.Ce-139(2022)' (KCRV 132.77(14) MBq;
  // DoE NMIJ -0.03(65), PTB -0.16(63), BEV -1.2(2.4) MBq, k = 2), datasets/bipm_ri_ii_k1_ce139/
  // published.json; Metrologia 59 (2022) Tech. Suppl. 06019.
  const keycomp::KcDocument doc =
      keycomp::ReadKcDocument(SourcePath("schemas/bipm-kc/Ce-139_database_FAIR.xml"));
  CHECK(doc.comparison_code == "BIPM.RI(II)-K1.Ce-139");
  REQUIRE(doc.releases.size() == 4);
  const keycomp::KcRelease& last = doc.releases.back();
  CHECK(last.year == "2022");
  CHECK(last.kcrv.value == 132.77);
  CHECK(last.kcrv.u == 0.14);
  auto find = [&](const std::string& lab) -> const keycomp::DsiReal& {
    for (const auto& d : last.doe) {
      if (d.lab == lab) return d.d;
    }
    FAIL("no DoE for " << lab);
    return last.kcrv;
  };
  CHECK(find("NMIJ").value == -0.03);
  CHECK(find("NMIJ").expanded == 0.65);
  CHECK(find("PTB").value == -0.16);
  CHECK(find("PTB").expanded == 0.63);
  CHECK(find("BEV").value == -1.2);
  CHECK(find("BEV").expanded == 2.4);
  CHECK(find("BEV").k == 2);
  // Older releases: 2003 132.87(17) MBq (Ratel & Michotte, Metrologia 40 Tech. Suppl. 06012).
  CHECK(doc.releases.front().kcrv.value == 132.87);
  CHECK(doc.releases.front().kcrv.u == 0.17);
  // analyse reads the document (its submissions' SIR equivalent activities) without error.
  CHECK(RunBinary("analyse '" + SourcePath("schemas/bipm-kc/Ce-139_database_FAIR.xml") +
                  "' --format json")
            .exit_code == 0);
}

TEST_CASE("kc document: the BIPM's Ga-67 database reads, its 2006 KCRV as published") {
  // Expected: 116190(560) kBq, BIPM JSON database entry 'BIPM.RI(II)-K1.Ga-67(2006)' (Ratel et
  // al., Metrologia 43 (2006) Tech. Suppl. 06008), datasets/bipm_ri_ii_k1_ga67/published.json.
  const keycomp::KcDocument doc =
      keycomp::ReadKcDocument(SourcePath("schemas/bipm-kc/Ga-67_database_FAIR.xml"));
  CHECK(doc.comparison_code == "BIPM.RI(II)-K1.Ga-67");
  bool found = false;
  for (const auto& r : doc.releases) {
    if (r.year != "2006") continue;
    found = true;
    CHECK(r.kcrv.value == 116190);
    CHECK(r.kcrv.u == 560);
  }
  CHECK(found);
  CHECK(RunBinary("analyse '" + SourcePath("schemas/bipm-kc/Ga-67_database_FAIR.xml") +
                  "' --format json")
            .exit_code == 0);
}

TEST_CASE("kc document: bad documents are exit 2 naming the file and line") {
  const fs::path dir = TempDir("bad");
  std::ofstream(dir / "broken.xml")
      << "<kc:comparison xmlns:kc=\"KC_Schema\">\n<kc:comparisonData>\n";
  const auto broken = RunBinary("analyse '" + (dir / "broken.xml").string() + "'");
  CHECK(broken.exit_code == 2);
  CHECK(broken.err.find("broken.xml") != std::string::npos);
  std::ofstream(dir / "nan.xml")
      << "<kc:comparison xmlns:kc=\"KC_Schema\" xmlns:dsi=\"https://ptb.de/si\">\n"
         "<kc:comparisonMetadata><kc:submission><kc:laboratory><kc:acronym>A</kc:acronym>"
         "</kc:laboratory><kc:laboratoryMeasurements><kc:measurement><kc:result>\n"
         "<dsi:value>abc</dsi:value><dsi:unit>\\gram</dsi:unit></kc:result></kc:measurement>"
         "</kc:laboratoryMeasurements></kc:submission></kc:comparisonMetadata></kc:comparison>\n";
  const auto nan = RunBinary("analyse '" + (dir / "nan.xml").string() + "'");
  CHECK(nan.exit_code == 2);
  CHECK(nan.err.find("nan.xml") != std::string::npos);
  CHECK(nan.err.find("value") != std::string::npos);
  std::ofstream(dir / "other.xml") << "<html/>\n";
  CHECK(RunBinary("analyse '" + (dir / "other.xml").string() + "'").exit_code == 2);
}
