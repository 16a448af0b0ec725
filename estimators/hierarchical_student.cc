#include "estimators/hierarchical_student.h"

#include "estimators/hierarchical_model.h"

namespace keycomp {

EstimatorResult EstimateHierarchicalStudent(const LabSample& sample, const EstimatorOptions& options) {
  return hierarchical::Estimate(kHierarchicalStudentInfo.name, hierarchical::Effects::kStudent, sample,
                                options);
}

}  // namespace keycomp
