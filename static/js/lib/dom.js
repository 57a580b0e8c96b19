// Small DOM helpers shared by the screens: build elements, and keep keyed lists in
// step with the state without rebuilding them (so focus and scroll survive updates).

/**
 * Create an element. `props`: `class`, `text`, `dataset`, `on` ({event: handler}),
 * any other key is set as an attribute (false/null/undefined leave it out).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === false || value == null) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "on") for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Make `container`'s children match `items` in order, one element per key:
 * existing elements are kept and updated (`update(el, item, index)`), new ones are
 * made with `create(item)`, gone ones are removed. The focused element keeps focus.
 */
export function reconcile(container, items, keyOf, create, update) {
  const focused = document.activeElement;
  const existing = new Map();
  for (const child of Array.from(container.children)) existing.set(child.dataset.key, child);
  items.forEach((item, index) => {
    const key = String(keyOf(item));
    let el = existing.get(key);
    if (el) existing.delete(key);
    else {
      el = create(item);
      el.dataset.key = key;
    }
    update(el, item, index);
    const at = container.children[index];
    if (at !== el) container.insertBefore(el, at || null);
  });
  for (const el of existing.values()) el.remove();
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
}

/** Toggle `hidden` only when it changes. */
export function show(el, visible) {
  if (el && el.hidden === visible) el.hidden = !visible;
}

/** Set an attribute only when it changes (null removes it). */
export function attr(el, name, value) {
  if (value == null || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else {
    const v = value === true ? "" : String(value);
    if (el.getAttribute(name) !== v) el.setAttribute(name, v);
  }
}

/** Set text only when it changes. */
export function text(el, value) {
  const v = value == null ? "" : String(value);
  if (el && el.textContent !== v) el.textContent = v;
}
