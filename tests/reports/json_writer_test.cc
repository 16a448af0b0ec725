#include "reports/json_writer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

TEST_CASE("DumpJson prints the shortest number that reads back, non-finite as null",
          "[json_writer]") {
  const nlohmann::json doc = {{"coverage", 0.95},        {"sum", 0.1 + 0.2},
                              {"tiny", 1.2e-5},          {"n", 6},
                              {"missing", std::nan("")}, {"interval", {-17.8, 195.8}}};
  CHECK(keycomp::DumpJson(doc, -1) ==
        R"({"coverage":0.95,"interval":[-17.8,195.8],"missing":null,"n":6,)"
        R"("sum":0.30000000000000004,"tiny":1.2e-05})");
}

TEST_CASE("DumpJson numbers read back as the same doubles", "[json_writer]") {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> mantissa(-10, 10);
  std::uniform_int_distribution<int> exponent(-300, 300);
  nlohmann::json values = nlohmann::json::array();
  for (int i = 0; i < 5000; ++i) values.push_back(std::ldexp(mantissa(random), exponent(random)));
  const nlohmann::json back = nlohmann::json::parse(keycomp::DumpJson(values));
  REQUIRE(back.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(back[i].get<double>() == values[i].get<double>());
  }
}
