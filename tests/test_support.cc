#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keycomp::testing {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ProcessResult RunBinary(const std::string& args) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path dir = fs::temp_directory_path();
  const std::string stem = "keycomp-test-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter++);
  const fs::path out = dir / (stem + ".out");
  const fs::path err = dir / (stem + ".err");
  const std::string command = std::string("'") + KEYCOMP_BINARY + "' " + args + " >'" +
                              out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = Slurp(out);
  result.err = Slurp(err);
  fs::remove(out);
  fs::remove(err);
  return result;
}

double RelativeError(double a, double b, double floor) {
  return std::abs(a - b) / std::max(std::abs(b), floor);
}

}  // namespace keycomp::testing
