#include "reports/kg_consensus_output.h"

#include <fmt/format.h>

#include <cmath>

#include "keycomp/version.h"

namespace keycomp {
namespace {

nlohmann::json NumberOrNull(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

std::string Cell(double x, int decimals) {
  return std::isfinite(x) ? fmt::format("{:.{}f}", x, decimals) : std::string("-");
}

}  // namespace

nlohmann::json ConsensusToJson(const KcrvHistory& history, const ConsensusResult& result) {
  using Json = nlohmann::json;
  const ConsensusOptions& o = result.options;
  Json j;
  j["keycomp_version"] = kVersion;
  j["source"] = history.source;
  j["unit"] = history.unit;
  j["rule"] = {{"window", o.window},
               {"limit", std::isfinite(o.limit) ? Json(o.limit) : Json(nullptr)},
               {"rounding_step", o.rounding_step},
               {"u_assigned", o.u_assigned},
               {"initial_previous", o.initial_previous ? Json(*o.initial_previous) : Json(nullptr)},
               {"order", ToString(o.order)},
               {"mean", "unweighted"}};
  j["status"] = ToString(result.status);
  Json history_json = Json::array();
  for (const KcrvEntry& e : history.entries) {
    history_json.push_back({{"label", e.label},
                            {"date", e.date},
                            {"value", e.value},
                            {"u", NumberOrNull(e.u)}});
  }
  j["history"] = std::move(history_json);
  Json revisions = Json::array();
  for (const ConsensusRevision& r : result.revisions) {
    Json window = Json::array();
    for (std::size_t i : r.window) window.push_back(history.entries[i].label);
    revisions.push_back({{"label", r.label},
                         {"newest", history.entries[r.newest].label},
                         {"window", std::move(window)},
                         {"mean", r.mean},
                         {"u_mean", NumberOrNull(r.u_mean)},
                         {"previous", r.previous ? Json(*r.previous) : Json(nullptr)},
                         {"change", NumberOrNull(r.change)},
                         {"limited", r.limited},
                         {"limit_applied", r.limit_applied},
                         {"published", r.published},
                         {"published_change", NumberOrNull(r.published_change)},
                         {"u", r.u}});
  }
  j["revisions"] = std::move(revisions);
  if (!result.revisions.empty()) {
    const ConsensusRevision& last = result.revisions.back();
    j["consensus_value"] = {{"label", last.label}, {"value", last.published}, {"u", last.u}};
  }
  return j;
}

std::string ConsensusToTable(const KcrvHistory& history, const ConsensusResult& result) {
  const ConsensusOptions& o = result.options;
  std::string out;
  out += fmt::format(
      "consensus value: unweighted mean of the {} most recent entries; change limited to {}; "
      "rounded to {}; u assigned {}{}\n",
      o.window, std::isfinite(o.limit) ? fmt::format("+/-{}", o.limit) : std::string("(none)"),
      o.rounding_step == 0 ? std::string("(none)") : fmt::format("{}", o.rounding_step),
      o.u_assigned, history.unit.empty() ? "" : fmt::format(" (unit: {})", history.unit));
  out += fmt::format("{:<14} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6}  {}\n", "revision", "mean",
                     "u_mean", "previous", "change", "limited", "published", "u", "window");
  for (const ConsensusRevision& r : result.revisions) {
    std::string window;
    for (std::size_t i : r.window) {
      window += fmt::format("{}{} ({})", window.empty() ? "" : ", ", history.entries[i].label,
                            history.entries[i].value);
    }
    const double decimals_step = o.rounding_step > 0 ? o.rounding_step : 0.001;
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(decimals_step) - 1e-9)));
    out += fmt::format("{:<14} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9} {:>6}  {}\n", r.label,
                       Cell(r.mean, 3), Cell(r.u_mean, 2),
                       r.previous ? Cell(*r.previous, decimals) : std::string("-"),
                       Cell(r.change, 3),
                       Cell(r.limited, 3) + (r.limit_applied ? "*" : ""),
                       Cell(r.published, decimals), Cell(r.u, decimals), window);
  }
  out += "* the change from the previous consensus value was limited\n";
  return out;
}

}  // namespace keycomp
