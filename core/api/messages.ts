// Every message catalog of core in one place, for shells that render messages themselves (the renderer
// bundles this file). Catalogs are plain data modules: this file must import nothing of Node.
import { mergeCatalogs, type Catalogs } from '../common/messages.js';
import { installMessages } from '../install/messages.js';

export const coreMessages: Catalogs = mergeCatalogs(installMessages);
