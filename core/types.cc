#include "core/types.h"

namespace keycomp {

const char* ToString(Status status) {
  switch (status) {
    case Status::kNotRun: return "not_run";
    case Status::kOk: return "ok";
    case Status::kNotConverged: return "not_converged";
    case Status::kFailed: return "failed";
  }
  return "unknown";
}

const char* ToString(DoeConvention convention) {
  switch (convention) {
    case DoeConvention::kMra: return "mra";
    case DoeConvention::kLeaveOneOut: return "leave_one_out";
  }
  return "unknown";
}

const char* ToString(DarkUncertainty dark) {
  switch (dark) {
    case DarkUncertainty::kRecognised: return "recognised";
    case DarkUncertainty::kIgnored: return "ignored";
  }
  return "unknown";
}

std::optional<DoeConvention> DoeConventionFromString(std::string_view text) {
  if (text == "mra") return DoeConvention::kMra;
  if (text == "leave_one_out" || text == "loo") return DoeConvention::kLeaveOneOut;
  return std::nullopt;
}

std::optional<DarkUncertainty> DarkUncertaintyFromString(std::string_view text) {
  if (text == "recognised" || text == "recognized") return DarkUncertainty::kRecognised;
  if (text == "ignored") return DarkUncertainty::kIgnored;
  return std::nullopt;
}

}  // namespace keycomp
