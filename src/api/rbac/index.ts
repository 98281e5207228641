export { authorize, isAllowed } from "./authorize.js";
export { type Permission, permissions } from "./permissions.js";
export { allEnvironments, atLeast, type Binding, effectiveRole, isRole, type Role, roles } from "./roles.js";
