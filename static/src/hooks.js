// Watching the page's parts from outside: the presenter's page (follow/view.js) and the phone
// layout (page/mobile.js) hook a few methods, so the parts stay unaware of them.

/** Call `then(...args)` after each call of `object[method]`, which keeps returning what it did. */
export function after(object, method, then) {
  const original = object[method].bind(object);
  object[method] = (...args) => {
    const out = original(...args);
    then(...args);
    return out;
  };
}
