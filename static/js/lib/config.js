// The page's JSON blobs, written by the template: its configuration and its translated strings.

/** Read the page's JSON configuration blob (`page-config`, or `strings` for the translated strings). */
export function pageConfig(id = "page-config") {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : {};
}
