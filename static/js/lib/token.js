// The moderator token of this tab.

// A moderator token arrives in the URL fragment (#token=…), which browsers never send to the
// server; it is kept in this tab's sessionStorage under `key` and wiped from the address bar.
export function takeToken(key) {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(key, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(key);
}
