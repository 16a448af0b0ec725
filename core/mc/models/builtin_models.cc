#include "core/mc/models/builtin_models.h"

#include "core/mc/models/kibble_balance.h"
#include "core/mc/models/rt_dpcr.h"
#include "core/mc/models/xrcd_sphere.h"

namespace keycomp::mc {

const std::vector<BuiltinModel>& BuiltinModels() {
  static const std::vector<BuiltinModel> models = {
      {"rt_dpcr",
       "(RT-)dPCR concentration c = -ln(1 - k/n) / V * D / E from partition counts",
       "Bhat et al., Anal. Bioanal. Chem. 394 (2009) 457; Huggett et al., Clin. Chem. 59 (2013) 892",
       "c",
       "copies/uL",
       {{"k", "positive partitions (binomial(n, k/n) for the counting uncertainty)", true},
        {"n", "partitions analysed (constant)", true},
        {"V", "partition volume in nL", true},
        {"dilution", "dilution factors (every input named dilution*; they multiply)", false, true},
        {"efficiency", "reverse-transcription efficiency (RNA targets), default 1", false}},
       EvaluateRtDpcr,
       "-ln(1 - k/n) / (V * 1e-3) * dilution / efficiency"},
      {"kibble_balance",
       "Kibble balance m = U I / (g v)",
       "Kibble 1976; Robinson & Schlamminger, Metrologia 53 (2016) A46, eq. 1",
       "m",
       "kg",
       {{"U", "induced voltage in the moving mode, V", true},
        {"I", "coil current in the weighing mode, A", true},
        {"g", "local gravitational acceleration, m/s^2", true},
        {"v", "coil velocity in the moving mode, m/s", true}},
       EvaluateKibbleBalance,
       "U * I / (g * v)"},
      {"xrcd_sphere",
       "XRCD mass of a Si sphere m = 8 M V_core / (N_A a^3) + m_SL - m_deficit",
       "Fujii et al., Metrologia 53 (2016) A19; Bartl et al., Metrologia 54 (2017) 693",
       "m",
       "kg",
       {{"V_core", "volume of the sphere's core (sphere less surface layer), m^3", true},
        {"a", "lattice parameter, m", true},
        {"M", "molar mass of the silicon, kg/mol", true},
        {"m_SL", "mass of the surface layer, kg", true},
        {"m_deficit", "mass deficit of point defects, kg, default 0", false}},
       EvaluateXrcdSphere,
       "8 * M * V_core / (6.02214076e23 * a^3) + m_SL - m_deficit"},
  };
  return models;
}

const BuiltinModel* FindBuiltinModel(const std::string& name) {
  for (const BuiltinModel& m : BuiltinModels()) {
    if (name == m.name) return &m;
  }
  return nullptr;
}

}  // namespace keycomp::mc
