// The 2021 edge's cloudcore check (a process, not a pod) is the edge mode's: keadm before 1.11 runs cloudcore
// that way for any release (core/modes/edge/cloudcore-process.ts). Kept here for the importers of this path.
export { cloudcoreProcessStep, cloudcoreTargets } from '../edge/cloudcore-process.js';
