// What every screen starts with: its configuration and strings from the template, the
// translator and the words over them, and the connection to its session.

import { pageConfig } from "./config.js";
import { describer } from "./describe.js";
import { translator } from "./i18n.js";
import { screenId, showIdentity } from "./identity.js";
import { connect } from "./socket.js";

/**
 * The page: {config, strings, tr, words, connect(token)}. `connect` opens the live channel to
 * the page's session with the page's language and messages (`token`: null for a public screen).
 * The screen names itself (its client id and kind, identity.js) and, where the page config says
 * so (`follow`: a series link or a mission's phone), follows its series' current session.
 */
export function boot() {
  const config = pageConfig();
  const strings = pageConfig("strings");
  const tr = translator(strings);
  const words = describer(config, tr);
  const open = (token = null) => {
    const screen = config.screen_kind ? { id: screenId(), kind: config.screen_kind } : null;
    const live = connect({ sessionId: config.session_id, token, lang: config.lang, messages: strings, follow: Boolean(config.follow), screen });
    showIdentity(live, tr);
    return live;
  };
  return { config, strings, tr, words, connect: open };
}
