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

const char* ToString(DoeUncertainty uncertainty) {
  return uncertainty == DoeUncertainty::kIndependent ? "independent" : "exact";
}

const char* ToString(ChiSquaredOver over) {
  return over == ChiSquaredOver::kAll ? "all" : "included";
}

std::optional<DoeUncertainty> DoeUncertaintyFromString(std::string_view text) {
  if (text == "exact") return DoeUncertainty::kExact;
  if (text == "independent") return DoeUncertainty::kIndependent;
  return std::nullopt;
}

std::optional<ChiSquaredOver> ChiSquaredOverFromString(std::string_view text) {
  if (text == "included") return ChiSquaredOver::kIncluded;
  if (text == "all") return ChiSquaredOver::kAll;
  return std::nullopt;
}

}  // namespace keycomp
