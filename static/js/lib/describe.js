// Words for a session, shared by the screens: names of States in the page's language,
// speakers (public names, with a fallback for those who asked not to be named),
// who holds the floor, phases, kinds and languages. Every word comes translated
// from the template's strings; nothing here is in English except the keys.

/**
 * `config.countries` maps State codes to names in the page's language (the UN's short
 * names); `config.labels` maps the codes of missions the agenda gave a `label` to that label;
 * `tr` is a translator over the page's strings (see i18n.js `translator`).
 */
export function describer(config, tr) {
  const countries = config.countries || {};
  const labels = config.labels || {};

  /** The name of a State as a mission (queue, phone): its agenda label, else its UN name. */
  const stateName = (ref) => (ref ? labels[ref.code] || countries[ref.code] || ref.name || ref.code : "");

  /** The UN name of a State under Review (never its mission's label). */
  const surName = (ref) => (ref ? countries[ref.code] || ref.name || ref.code : "");

  const speakerIndex = (session, id) => session.speakers.findIndex((s) => s.id === id);

  const speakerById = (session, id) => session.speakers.find((s) => s.id === id) || null;

  const speakerName = (session, speaker) => {
    if (!speaker) return "";
    if (speaker.name) return speaker.name;
    return tr("speaker_n", { n: speakerIndex(session, speaker.id) + 1 });
  };

  const entryById = (session, id) => session.queue.find((e) => e.id === id) || null;

  const language = (code) => tr(`lang_${code}`);

  const kind = (k) => tr(`kind_${k}`);

  const phase = (p) => tr(`phase_${p}`);

  /**
   * Who holds the floor, in words: {kind: "speaker" | "question" | "sur" | null, title,
   * details: [organisation, theme, language], speaker, entry}. "sur": the State under Review's
   * opening statement ("Opening statement: Germany").
   */
  const holder = (session) => {
    const floor = session && session.floor;
    if (!floor) return { kind: null, title: tr("nobody"), details: [], speaker: null, entry: null };
    if (floor.kind === "sur") {
      const title = tr("sur_statement", { state: surName(session.state_under_review) });
      return { kind: "sur", title, details: [], speaker: null, entry: null };
    }
    if (floor.kind === "speaker") {
      const speaker = speakerById(session, floor.id);
      const details = speaker ? [speaker.organisation, speaker.theme, language(speaker.language)].filter(Boolean) : [];
      return { kind: "speaker", title: speakerName(session, speaker), details, speaker, entry: null };
    }
    const entry = entryById(session, floor.id);
    const details = [];
    if (entry && entry.addressed_to) {
      const to = speakerById(session, entry.addressed_to);
      if (to) details.push(tr("addressed_to", { name: speakerName(session, to) }));
    }
    const title = entry ? tr("question_from", { state: stateName(entry.state) }) : tr("question");
    return { kind: "question", title, details, speaker: null, entry };
  };

  /**
   * What an empty queue says: nobody has asked yet, nobody is waiting any more, or (once
   * closed) how many States asked. Needs the page's `queue_none`, `queue_waiting_none`,
   * `queue_closed` (plural forms) and `queue_closed_none` strings.
   */
  const emptyQueue = (session) => {
    const asked = session.states_asked || 0;
    if (session.phase === "closed") return asked ? tr("queue_closed", { n: asked }) : tr("queue_closed_none");
    return asked ? tr("queue_waiting_none") : tr("queue_none");
  };

  return { stateName, surName, speakerById, speakerName, entryById, language, kind, phase, holder, emptyQueue };
}
