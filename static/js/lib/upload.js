// Sending a file with the token in a header and its progress shown: XMLHttpRequest, since
// fetch() reports no upload progress. `cancel()` aborts it; the server then keeps nothing.

/**
 * Start sending `file` with `method` to `url`. `onProgress(loaded, total)` follows the upload.
 * Returns {done, cancel}: `done` resolves with {status, body} (the parsed JSON answer, or null),
 * or with {status: 0, cancelled: true} after `cancel()`, or {status: 0} when the network failed.
 */
export function sendFile({ url, file, token, type, method = "PUT", lang = "en", onProgress = () => {} }) {
  const xhr = new XMLHttpRequest();
  let cancelled = false;
  const done = new Promise((resolve) => {
    xhr.open(method, url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", type || "application/octet-stream");
    xhr.setRequestHeader("Accept-Language", lang);
    xhr.upload.addEventListener("progress", (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size));
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    });
    xhr.addEventListener("error", () => resolve({ status: 0, body: null }));
    xhr.addEventListener("abort", () => resolve({ status: 0, body: null, cancelled }));
    xhr.send(file);
  });
  return {
    done,
    cancel() {
      cancelled = true;
      xhr.abort();
    },
  };
}
