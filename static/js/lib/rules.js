// The server's rules read on a view: what a mission may do now, which video plays next.
// No DOM, so node runs it (tests/js/rules.test.mjs) on tests/fixtures/rules.json, the cases the
// Python tests check against moderator/core/rules.py (`abilities`, `next_video`). `rules` is the
// page config's `config.rules`, never re-typed here; who is next comes in the view (`next`).

/** What the mission of `code` may do in `session` now: {open, sur, can_request}. */
export function abilities(session, code, rules) {
  const open = rules.open_phases.includes(session.phase);
  const sur = Boolean(code) && session.state_under_review.code === code;
  const queued = session.queue.some((e) => e.state.code === code);
  return { open, sur, can_request: open && !queued && (rules.sur_may_request || !sur) };
}

/** Speakers whose video is ready and who are still waiting, in agenda order: what the server plays next. */
export function upcoming(session) {
  return session.speakers.filter((sp) => sp.status === "waiting" && sp.video);
}

/** The speaker the server names next (`session.next.speaker`, core/rules.next_speaker), or null. */
export function nextSpeakerOf(session) {
  const id = session.next && session.next.speaker;
  return (id && session.speakers.find((s) => s.id === id)) || null;
}

/** The request the server names next (`session.next.question`, core/rules.next_question), or null. */
export function nextQuestionOf(session) {
  const id = session.next && session.next.question;
  return (id && session.queue.find((e) => e.id === id)) || null;
}
