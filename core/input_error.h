// Errors in user input: bad files, bad fields, bad options. The command line turns an
// InputError into exit code 2 and prints its message, which names the file, line and field.
#pragma once

#include <stdexcept>
#include <string>

namespace keycomp {

class InputError : public std::runtime_error {
 public:
  /// `file` may be empty (an option rather than a file); `line` is 1-based, 0 when unknown.
  InputError(std::string file, std::size_t line, std::string field, const std::string& what);

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string field_;
};

/// A computation that could not be done (an estimator that did not converge inside a larger
/// computation): the command line reports it and exits with code 1.
class ComputationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace keycomp
