// Every message catalog of core in one place, for shells that render messages themselves (the renderer
// bundles this file). Catalogs are plain data modules: nothing imported here may pull in a Node module.
import { detectLang, mergeCatalogs, render, type Catalogs, type Lang, type Message } from '../common/messages.js';
import { planMessages } from '../plan/messages.js';
import { inputMessages } from '../plan/input-messages.js';
import { sshMessages } from '../ssh/messages.js';
import { preflightMessages } from '../preflight/messages.js';
import { installMessages } from '../install/messages.js';
import { guideMessages } from '../install/guide-messages.js';
import { edgeMessages } from '../tools/kubeedge/messages.js';
import { portalMessages } from '../tools/portal/messages.js';
import { apiMessages } from './api-messages.js';
import { bundleMessages } from '../bundle/messages.js';
import { modeMessages } from '../modes/profiles.js';

export const coreMessages: Catalogs = mergeCatalogs(planMessages, inputMessages, sshMessages, preflightMessages, installMessages, guideMessages, edgeMessages, portalMessages, modeMessages, bundleMessages, apiMessages);

/** A message in words: the one renderer (core/common/messages.ts) over every core catalog, for every shell. */
export function renderCoreMessage(m: Message, lang: Lang): string {
  return render(coreMessages, lang, m);
}

export { detectLang };
export type { Lang, Message };
