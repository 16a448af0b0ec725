// The keycomp command line as a function, so that tests can run it in-process.
#pragma once

#include <iosfwd>

namespace keycomp {

/// Runs `keycomp` with the given arguments (argv[0] is the program name). Returns the exit
/// code: 0 success, 1 a computation that could not be done, 2 bad input or options.
/// `stdout_is_terminal` picks the default output format (table on a terminal, JSON otherwise).
int RunKeycomp(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
               bool stdout_is_terminal);

}  // namespace keycomp
