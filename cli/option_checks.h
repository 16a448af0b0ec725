#pragma once
// Range checks of the CLI's numeric options and the memory limit of a run.
//
// The checks read the option's text before CLI11 converts it, so "-5" for an unsigned option is
// refused (exit 2 naming the option) instead of wrapping round to 2^64 - 5. The memory limit is
// checked from the run's size before anything is allocated.

#include <CLI/CLI.hpp>
#include <string>

namespace keycomp {

/// A whole number (decimal or scientific notation, e.g. 1e6) in [min, max]; it rewrites the text
/// as decimal digits for CLI11, so attach it with ->transform(), not ->check().
CLI::Validator WholeNumberIn(double min, double max);

/// A finite number in [min, max] (open at min when open_min).
CLI::Validator NumberIn(double min, double max, bool open_min = false);

/// -o FILE: refuses an empty name; "-" stands for standard output (the value becomes empty,
/// which the commands take as standard output). Attach with ->transform().
CLI::Validator OutputFile();

/// Default of --max-memory, in GiB: a run that would need more is refused before it starts.
inline constexpr double kDefaultMaxMemoryGib = 4;

/// Adds --max-memory GIB (a number > 0) bound to max_gib.
void AddMaxMemoryOption(CLI::App& command, double& max_gib);

/// Bytes that `keycomp mc` holds for `trials` output values (the values and one sorted copy).
double McMemoryBytes(double trials);

/// Bytes that `analyse --mc trials` holds for n labs (each lab's draws and the reference value's,
/// twice with leave-one-out DoE).
double McDoeMemoryBytes(double trials, double labs, bool leave_one_out);

/// Throws InputError (exit 2) naming `option` when `bytes` exceeds max_gib; the message states
/// the need, the limit and that --max-memory changes it.
void CheckMemory(double bytes, double max_gib, const std::string& option, const std::string& what);

}  // namespace keycomp
