// Building the page: elements from data, always as text (never innerHTML); form fields
// with their label, hint and error linked; the error summary that links to each field.

import { t, durationParts, durationIso, durationSeconds, durationText, deadlineText } from "./i18n.js";

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * h("p", {class: "x", on: {click}}, "text", child) — attributes are set as attributes
 * (properties for value, checked, selected, disabled, hidden); children are nodes or text.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === "class") {
      element.className = value;
    } else if (["value", "checked", "selected", "disabled", "hidden"].includes(name)) {
      element[name] = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Element.append, leaving out null, undefined and false (conditional parts). */
export function put(parent, ...children) {
  return append(parent, children);
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

/** Say `text` to screen readers (the polite live region), and show nothing else. */
export function announce(text) {
  const status = document.getElementById("status");
  status.textContent = "";
  window.setTimeout(() => {
    status.textContent = text;
  }, 50);
}

/** A notice box: kind "info", "success", "warning" or "error". */
export function notice(kind, ...children) {
  const role = kind === "error" ? "alert" : kind === "success" ? "status" : null;
  return h("div", { class: `notice notice--${kind}`, role }, ...children);
}

/** A field: label, optional hint, the control, its error (set by showErrors). */
export function field({ label, hint, control, id, optional }) {
  const controlId = id || control.id || uid("field");
  control.id = controlId;
  const hintId = hint ? `${controlId}-hint` : null;
  const errorId = `${controlId}-error`;
  const described = [hintId].filter(Boolean).join(" ");
  if (described) control.setAttribute("aria-describedby", described);
  return h(
    "div",
    { class: "field", dataset: { field: controlId } },
    h("label", { for: controlId }, label, optional ? h("span", { class: "optional" }, ` (${optional})`) : null),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorId, hidden: true }),
    control,
  );
}

export function input(attributes) {
  return h("input", { type: "text", autocomplete: "off", ...attributes });
}

export function select(options, value, attributes = {}) {
  return h(
    "select",
    attributes,
    ...options.map(([optionValue, text]) =>
      h("option", { value: optionValue, selected: String(optionValue) === String(value ?? "") }, text),
    ),
  );
}

/**
 * A group of radio buttons or checkboxes: a fieldset with its legend (and hint), an error
 * line for showErrors, and one labelled box per option {value, label, checked, data}.
 */
export function choices({ id, legend, type, name, options, hint, className = "" }) {
  return h(
    "fieldset",
    { class: `field ${className}`.trim(), id, dataset: { field: id } },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    h(
      "div",
      { class: className ? `${className}__choices` : "choices" },
      ...options.map((option) => {
        const boxId = `${id}-${option.value}`;
        return h(
          "div",
          { class: type },
          h("input", { type, name, id: boxId, value: String(option.value), checked: Boolean(option.checked), dataset: option.data }),
          h("label", { for: boxId }, ...[].concat(option.label)),
        );
      }),
    ),
  );
}

/** A duration as a number and a unit, said back in words as it is typed. */
export function durationField({ label, value, name, deadline = false, id }) {
  const parts = durationParts(value);
  const baseId = id || uid(name);
  const amount = h("input", {
    type: "number",
    min: "0",
    step: "1",
    inputmode: "numeric",
    id: `${baseId}-amount`,
    value: String(parts.amount),
    class: "input--short",
    dataset: { name: `${name}.amount` },
  });
  const unit = select(
    ["minutes", "hours", "days", "weeks"].map((u) => [u, t(`unit_${u}`)]),
    parts.unit,
    { id: `${baseId}-unit`, dataset: { name: `${name}.unit` } },
  );
  const readAs = h("p", { class: "hint", id: `${baseId}-read`, "aria-live": "polite" });
  const say = () => {
    const iso = durationIso(amount.value, unit.value);
    // A deadline is said as one ("innen 24 timer", "samme dag"), a length as one ("4 dager").
    let said = t("no_duration");
    if (iso !== null) said = deadline || durationSeconds(iso) === 0 ? deadlineText(iso) : durationText(iso);
    readAs.textContent = t("read_as", { text: said });
  };
  amount.addEventListener("input", say);
  unit.addEventListener("change", say);
  say();
  const group = h(
    "fieldset",
    { class: "field duration", id: baseId, dataset: { field: baseId } },
    h("legend", {}, label),
    h("p", { class: "field-error", id: `${baseId}-error`, hidden: true }),
    h(
      "div",
      { class: "duration__inputs" },
      h("div", {}, h("label", { for: amount.id }, t("amount")), amount),
      h("div", {}, h("label", { for: unit.id }, t("unit")), unit),
    ),
    readAs,
  );
  group.read = () => durationIso(amount.value, unit.value);
  return group;
}

/**
 * Show a 422's errors: an error summary at the top of `form` (focused), whose links go to
 * the fields; each field's error under its label. `pointerToId` maps a JSON pointer
 * ("#/handover/deadline") to a control id, or null (the summary then says it alone).
 */
export function showErrors(form, problem, pointerToId) {
  clearErrors(form);
  const items = [];
  for (const error of problem.errors) {
    const id = error.pointer ? pointerToId(error.pointer) : null;
    const text = error.detail || problem.message;
    if (id) {
      const control = document.getElementById(id);
      const box = form.querySelector(`[data-field="${CSS.escape(id)}"]`) || control?.closest(".field");
      const message = box?.querySelector(".field-error");
      if (message) {
        message.hidden = false;
        message.textContent = text;
        if (control) {
          control.setAttribute("aria-invalid", "true");
          const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
          described.add(message.id);
          control.setAttribute("aria-describedby", [...described].join(" "));
        }
        box.classList.add("field--error");
      }
      const label = box?.querySelector(":scope > label, :scope > legend")?.textContent;
      items.push(h("li", {}, h("a", { href: `#${id}`, on: { click: (event) => focusField(event, id) } }, label ? `${label}: ${text}` : text)));
    } else {
      items.push(h("li", {}, text));
    }
  }
  if (!items.length) items.push(h("li", {}, problem.message));
  const summary = h(
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", { class: "error-summary__title" }, problem.title || t("error_summary")),
    h("ul", {}, ...items),
  );
  form.prepend(summary);
  summary.focus();
}

function focusField(event, id) {
  event.preventDefault();
  const control = document.getElementById(id);
  if (!control) return;
  const target = control.matches("fieldset") ? control.querySelector("input, select, textarea") : control;
  target?.focus();
}

export function clearErrors(form) {
  form.querySelectorAll(".error-summary").forEach((node) => node.remove());
  form.querySelectorAll(".field--error").forEach((node) => node.classList.remove("field--error"));
  form.querySelectorAll(".field-error").forEach((node) => {
    node.hidden = true;
    node.textContent = "";
  });
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    const described = (node.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((part) => part && !part.endsWith("-error"));
    if (described.length) node.setAttribute("aria-describedby", described.join(" "));
    else node.removeAttribute("aria-describedby");
  });
}

/** A problem that is not about fields: an alert at the top of `container`. */
export function showProblem(container, problem) {
  container.querySelectorAll(":scope > .problem").forEach((node) => node.remove());
  const text = problem.status === 0 ? t("network_error") : problem.message;
  const box = h(
    "div",
    { class: "notice notice--error problem", role: "alert", tabindex: "-1" },
    h("p", { class: "notice__title" }, problem.title || t("failed")),
    text && text !== problem.title ? h("p", {}, text) : null,
  );
  container.prepend(box);
  box.focus();
  return box;
}

/**
 * A table in a scrolling wrapper: a caption (for screen readers only unless
 * `captionShown`: a heading usually says it already), column headers, and `rows` (tr).
 */
export function table(caption, headers, rows, id, { captionShown = false } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id },
      h("caption", { class: captionShown ? null : "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, ...headers.map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, ...rows),
    ),
  );
}

export function badge(text, kind = "neutral") {
  return h("span", { class: `badge badge--${kind}` }, text);
}

/** A page heading that takes focus when a view is shown (screen readers hear it). */
export function pageHeading(text) {
  return h("h1", { tabindex: "-1", id: "page-title" }, text);
}
