// The table of measurement models compiled into keycomp: a model file selects one with
// `"builtin": "NAME"` instead of `"model": "EXPRESSION"`, and names its inputs after the
// model's roles. One entry per model; each model's own file pair holds its reference, its
// conventions and its evaluation loop.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace keycomp::mc {

/// One input a built-in model reads.
struct BuiltinRole {
  const char* name;         ///< the input's name in the model file
  const char* description;  ///< meaning and unit
  bool required;            ///< optional roles default to 1 (a neutral factor) when absent
  /// When true, every input whose name starts with `name` fills this role and their values
  /// multiply (several dilution factors, say).
  bool prefix = false;
};

/// For each role, the buffers of the inputs that fill it (empty for an absent optional role).
using RoleBuffers = std::vector<std::vector<const double*>>;

/// out[t] = f(inputs at trial t) for t in [0, n).
using BuiltinEvaluate = void (*)(const RoleBuffers& roles, std::size_t n, double* out);

struct BuiltinModel {
  const char* name;
  const char* description;
  const char* reference;
  const char* quantity;  ///< default name of the output quantity
  const char* unit;      ///< default unit of the output, given the roles' units
  std::vector<BuiltinRole> roles;
  BuiltinEvaluate evaluate;
  /// The same model as a muparser expression over the role names (used by tests to check
  /// the compiled loop, and shown by `keycomp mc --list-builtins`).
  const char* expression;
};

/// Every built-in model.
const std::vector<BuiltinModel>& BuiltinModels();
/// The built-in model called `name`, or nullptr.
const BuiltinModel* FindBuiltinModel(const std::string& name);

/// Product of the role's values at trial t (1 when the role is absent).
inline double RoleProduct(const std::vector<const double*>& buffers, std::size_t t) {
  double product = 1;
  for (const double* b : buffers) product *= b[t];
  return product;
}

}  // namespace keycomp::mc
