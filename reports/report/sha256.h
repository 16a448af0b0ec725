// SHA-256 (FIPS 180-4), for the provenance of a report: the digest of the input file lets a
// reader check that the data they hold are the data the report was made from.
#pragma once

#include <string>
#include <string_view>

namespace keycomp::report {

/// The SHA-256 digest of `data` as 64 lower-case hexadecimal digits.
std::string Sha256Hex(std::string_view data);

/// The SHA-256 digest of a file's bytes. Throws InputError when the file cannot be read.
std::string Sha256OfFile(const std::string& path);

}  // namespace keycomp::report
