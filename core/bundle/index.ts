// The offline bundle: what a plan's run needs (manifest), fetching it into one file (build), and checking a
// file (verify, covers) and unpacking it into the folder `plan.bundle.path` names (unpack).
export { bundleManifest, bundleSupports, treeArchiveUrl, filesRepoPath, imagePath, MANIFEST_PATH, TREE_PATH, type Artifact, type BundleManifest, type ManifestInputs } from './manifest.js';
export { buildBundle, sourceUrl, type BuildEvent, type BuildOptions, type BuildResult } from './build.js';
export { verifyBundle, readManifest, treeFromBundle, treeFromArchive, treeFromDir, unpackBundle, type BuiltManifest, type Problem, type VerifyResult } from './archive.js';
export { coversPlan, type Missing } from './covers.js';
export { ARCHES, type Arch } from './kubespray.js';
export type { TreeReader } from './vars.js';
export { bundleMessages } from './messages.js';
