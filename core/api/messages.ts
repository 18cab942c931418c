// Every message catalog of core in one place, for shells that render messages themselves (the renderer
// bundles this file). Catalogs are plain data modules: nothing imported here may pull in a Node module.
import { mergeCatalogs, type Catalogs } from '../common/messages.js';
import { planMessages } from '../plan/messages.js';
import { sshMessages } from '../ssh/messages.js';
import { preflightMessages } from '../preflight/messages.js';
import { installMessages } from '../install/messages.js';
import { edgeMessages } from '../tools/kubeedge/messages.js';
import { apiMessages } from './api-messages.js';

export const coreMessages: Catalogs = mergeCatalogs(planMessages, sshMessages, preflightMessages, installMessages, edgeMessages, apiMessages);
