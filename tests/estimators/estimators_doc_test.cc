// docs/estimators.md has a section for every registered estimator: a "## " heading that names
// it (one heading may name several that share a method, "## dersimonian_laird, paule_mandel").
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "estimators/registry.h"
#include "test_support.h"

namespace keycomp {
namespace {

std::set<std::string> NamesInHeadings(const std::string& path) {
  std::ifstream in(path);
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) != 0) continue;
    std::string word;
    for (char c : line.substr(3)) {
      const bool part = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      if (part) {
        word += c;
      } else if (!word.empty()) {
        names.insert(word);
        word.clear();
      }
    }
    if (!word.empty()) names.insert(word);
  }
  return names;
}

TEST_CASE("docs/estimators.md has a section for every registered estimator") {
  const std::set<std::string> documented =
      NamesInHeadings(testing::SourcePath("docs/estimators.md"));
  REQUIRE(documented.size() > 10);
  for (const Estimator& e : BuiltinEstimators()) {
    INFO(e.info.name);
    CHECK(documented.count(e.info.name) == 1);
  }
}

}  // namespace
}  // namespace keycomp
