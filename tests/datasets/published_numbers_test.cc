// Every published number of the bundled datasets, through the binary. The numbers are data:
// each datasets/NAME/published.json may hold a "checks" array,
//
//   {"args": "analyse {dir}/results.csv -e dersimonian_laird",   (the command; JSON is asked)
//    "values": {"results[0].kcrv.value": "33.6004", ...},        (field -> published text)
//    "tolerance": {"results[0].kcrv.u": 0.03},                   (optional, per field)
//    "note": "why a tolerance is wider than the printed digits"}
//
// and this one runner reads them all: adding a published comparison is adding data. A field is a
// path into the JSON output: names, [N] indices and [key=value] selectors (e.g.
// results[0].doe[lab=NIST].U), with an optional "*FACTOR" suffix for a change of unit or a
// percentage (consistency.I2*100). The published text sets the tolerance: half a unit in its
// last printed digit ("1.1619e5" for a value printed to 10 kBq). A wider tolerance, for numbers
// that are Monte Carlo or MCMC output, must come with a note.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "test_support.h"

using keycomp::testing::RunBinary;
using keycomp::testing::SourcePath;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Half a unit in the last digit of a published number as printed: "33.6004" -> 5e-5,
// "1.1619e5" -> 5, "92.67" -> 0.005.
double HalfUnitOfLastDigit(const std::string& text) {
  const auto e = text.find_first_of("eE");
  const std::string mantissa = text.substr(0, e);
  const int exponent = e == std::string::npos ? 0 : std::stoi(text.substr(e + 1));
  const auto dot = mantissa.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(mantissa.size() - dot - 1);
  return 0.5 * std::pow(10.0, exponent - decimals);
}

// One step of a field path: a name, then any number of [N] or [key=value] selectors.
const Json* Step(const Json* at, const std::string& token) {
  const auto bracket = token.find('[');
  const std::string name = token.substr(0, bracket);
  if (!name.empty()) {
    if (!at->is_object() || !at->contains(name)) return nullptr;
    at = &(*at)[name];
  }
  for (auto open = bracket; open != std::string::npos; open = token.find('[', open + 1)) {
    const auto close = token.find(']', open);
    if (close == std::string::npos || !at->is_array()) return nullptr;
    const std::string inside = token.substr(open + 1, close - open - 1);
    const auto eq = inside.find('=');
    if (eq == std::string::npos) {
      const std::size_t index = std::stoul(inside);
      if (index >= at->size()) return nullptr;
      at = &(*at)[index];
      continue;
    }
    const std::string key = inside.substr(0, eq), value = inside.substr(eq + 1);
    const Json* found = nullptr;
    for (const Json& item : *at) {
      if (item.is_object() && item.contains(key) && item[key] == value) found = &item;
    }
    if (found == nullptr) return nullptr;
    at = found;
  }
  return at;
}

// The number at `field` (with its *FACTOR applied), or NaN when the path does not exist.
double Lookup(const Json& document, std::string field) {
  double factor = 1;
  if (const auto star = field.find('*'); star != std::string::npos) {
    factor = std::stod(field.substr(star + 1));
    field = field.substr(0, star);
  }
  const Json* at = &document;
  std::stringstream path(field);
  for (std::string token; at != nullptr && std::getline(path, token, '.');) at = Step(at, token);
  if (at == nullptr || !at->is_number()) return std::nan("");
  return factor * at->get<double>();
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

}  // namespace

TEST_CASE("Half a unit in the last printed digit", "[datasets]") {
  CHECK(HalfUnitOfLastDigit("33.6004") == Approx(5e-5));
  CHECK(HalfUnitOfLastDigit("1.1619e5") == Approx(5));
  CHECK(HalfUnitOfLastDigit("-0.03") == Approx(0.005));
  CHECK(HalfUnitOfLastDigit("560") == Approx(0.5));
  CHECK(HalfUnitOfLastDigit("5.6e2") == Approx(5));
}

TEST_CASE("Field paths select by index and by key", "[datasets]") {
  const Json j = Json::parse(R"({"results": [{"doe": [{"lab": "A", "U": 1.5},
                                                       {"lab": "B", "U": 2.5}]}],
                                 "consistency": {"I2": 0.25}})");
  CHECK(Lookup(j, "results[0].doe[lab=B].U") == 2.5);
  CHECK(Lookup(j, "results[0].doe[1].U") == 2.5);
  CHECK(Lookup(j, "consistency.I2*100") == 25);
  CHECK(std::isnan(Lookup(j, "results[0].doe[lab=C].U")));
  CHECK(std::isnan(Lookup(j, "results[3].kcrv")));
}

TEST_CASE("Every published number of the bundled datasets is reproduced", "[datasets]") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(SourcePath("datasets"))) {
    if (fs::exists(entry.path() / "published.json")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  int numbers = 0;
  double worst = 0;
  for (const fs::path& dir : files) {
    std::ifstream in(dir / "published.json");
    const Json published = Json::parse(in);
    if (!published.contains("checks")) continue;
    for (const Json& check : published["checks"]) {
      const std::string args =
          Replace(check["args"].get<std::string>(), "{dir}", "'" + dir.string() + "'");
      const auto run = RunBinary(args + " --format json");
      INFO(dir.filename().string() << ": keycomp " << args << "\n" << run.err);
      REQUIRE(run.exit_code == 0);
      const Json output = Json::parse(run.out);
      for (const auto& [field, text] : check["values"].items()) {
        const double expected = std::stod(text.get<std::string>());
        double tolerance = HalfUnitOfLastDigit(text.get<std::string>());
        if (check.contains("tolerance") && check["tolerance"].contains(field)) {
          REQUIRE(check.contains("note"));  // a wider tolerance says why
          tolerance = check["tolerance"][field].get<double>();
        }
        const double ours = Lookup(output, field);
        const double ratio = std::abs(ours - expected) / tolerance;
        std::cout << fmt::format(
            "{:<28} {:<44} published {:>12} ours {:>14.8g}  |diff|/tol {:.3f}\n",
            dir.filename().string(), field, text.get<std::string>(), ours, ratio);
        INFO(field << ": published " << text << ", ours " << ours << ", tolerance " << tolerance);
        CHECK(ratio <= 1);
        worst = std::max(worst, std::isfinite(ratio) ? ratio : 1e300);
        ++numbers;
      }
    }
  }
  std::cout << fmt::format("{} published numbers checked; worst |diff|/tolerance {:.3f}\n", numbers,
                           worst);
  CHECK(numbers >= 20);
}
