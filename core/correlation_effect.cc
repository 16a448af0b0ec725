#include "core/correlation_effect.h"

#include <utility>

namespace keycomp {

Comparison WithoutCorrelations(const Comparison& comparison) {
  return Comparison::Create(comparison.source(), comparison.info(), comparison.results(), {});
}

CorrelationEffect AnalyseCorrelationEffect(const Comparison& comparison, AnalysisOptions options) {
  options.mc.trials = 0;
  options.mc.progress = nullptr;
  CorrelationEffect effect;
  effect.with_correlations = Analyse(comparison, options);
  effect.without_correlations = Analyse(WithoutCorrelations(comparison), options);
  effect.options = std::move(options);
  return effect;
}

}  // namespace keycomp
