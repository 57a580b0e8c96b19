// The HTTP API as the workspace calls it: the token in a header, the page's language asked
// for, and every answer read as {ok, status, body} (never a thrown error for a refusal).

export class Api {
  constructor(token, lang) {
    this.token = token;
    this.lang = lang;
  }

  async request(method, url, { json, body, type } = {}) {
    const headers = { Authorization: `Bearer ${this.token}`, "Accept-Language": this.lang };
    if (json !== undefined) headers["Content-Type"] = "application/json";
    else if (type) headers["Content-Type"] = type;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: json !== undefined ? JSON.stringify(json) : body,
        cache: "no-store",
      });
    } catch (err) {
      return { ok: false, status: 0, body: null, error: err.message };
    }
    const kind = response.headers.get("content-type") || "";
    const data = kind.includes("application/json") ? await response.json().catch(() => null) : await response.blob();
    return { ok: response.ok, status: response.status, body: data };
  }

  get(url) {
    return this.request("GET", url);
  }
}

/** The sentence of an error answer (`{"error": {"message"}}`), else `fallback`. */
export function refusal(answer, fallback) {
  const error = answer && answer.body && answer.body.error;
  return (error && error.message) || fallback;
}

/** Every problem's sentence of a refused spreadsheet or document (`error.problems`, else `error`). */
export function problems(answer) {
  const error = answer && answer.body && answer.body.error;
  if (!error) return [];
  if (Array.isArray(error.problems)) return error.problems.map((p) => p.message);
  return [error.message];
}

/** Save a Blob as a download named `name`. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
