// The offline bundle as the shells see it (core/bundle): the CLI's `bundle` commands, later the wizard.
export * from '../bundle/index.js';
export { findRelease, releaseNames } from '../plan/catalog.js';
export { Plan as PlanSchema } from '../plan/schema.js';
