/** Kubernetes label and field selectors, label key/value validation. */
export { LabelSelectorError, FieldSelectorError } from "./selector-errors.js";
export { parseLabelSelector, type LabelSelector, type LabelRequirement, type LabelOperator } from "./label-selector.js";
export { parseFieldSelector, type FieldSelector, type FieldRequirement } from "./field-selector.js";
export { validateLabelKey, validateLabelValue } from "./label-validation.js";
export { parseLabelAssignment } from "./label-assignment.js";
