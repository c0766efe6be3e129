// Editing a draft: the swimlane diagram (the SVG export, the exports' one layout) with
// the same information as lists, a form beside it for the selected step or transition,
// the gaps of the draft linked to their elements, and approval.
//
// Every change sends If-Match with the ETag the form was opened on. A 412 keeps what the
// user typed, shows what changed meanwhile (the history since that revision, and the
// element as it is now) and offers to save the same edit on the new revision.

import { api, query, Problem } from "../api.js";
import {
  h, clear, put, field, choices, input, select, durationField, showErrors, clearErrors, showProblem,
  notice, badge, announce, uid,
} from "../dom.js";
import { t, lang, deadlineText, durationText, dateText, timeText } from "../i18n.js";
import { pathwayFacts, recentHistory, standing } from "./pathway.js";

const KINDS = ["home", "referral", "assessment", "admission", "treatment", "decision", "discharge", "reception", "follow_up", "other"];
const LEVELS = ["municipality", "hospital"];

/** A key from a name: "Sengepost på ortopedisk" → "sengepost-pa-ortopedisk". */
export function slug(text) {
  const map = { æ: "ae", ø: "o", å: "a", ä: "a", ö: "o", ü: "u", é: "e" };
  return text
    .toLowerCase()
    .replace(/[æøåäöüé]/g, (c) => map[c])
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

/** An SVG export without its <style> element (picture.css holds the same rules). */
export function withoutStyle(svgText) {
  return svgText.replace(/<style>[\s\S]*?<\/style>/, "");
}

/** The DOM id a JSON pointer of a 422 names in a form with ids `${prefix}-a-b-c`, or the nearest one. */
function pointerId(prefix, pointer) {
  const parts = pointer.replace(/^#\/?/, "").split("/").filter(Boolean);
  while (parts.length) {
    const id = `${prefix}-${parts.join("-")}`;
    if (document.getElementById(id)) return id;
    parts.pop();
  }
  return null;
}

export async function editorTab(section, { id, pathway, etag }) {
  const state = {
    id,
    pathway,
    etag,
    graph: null,
    gaps: null,
    svg: null,
    messages: [],
    selected: null, // {type: "step"|"transition", key} or {type: "new-step"|"new-transition"}
    fit: false,
    ...standing(pathway),
  };
  const diagram = h("div", { class: "diagram", id: "diagram", tabindex: "0", role: "region", "aria-label": t("diagram") });
  const lists = h("div", { class: "element-lists", id: "element-lists" });
  const formPane = h("section", { class: "panel form-pane", id: "form-pane", "aria-labelledby": "form-title" });
  const gapsPane = h("section", { class: "panel", id: "gaps", "aria-labelledby": "gaps-title" });
  const approvalPane = h("section", { class: "panel", id: "approval", "aria-labelledby": "approval-title" });
  const fitButton = h("button", { type: "button", class: "button button--quiet", "aria-pressed": "false" }, t("fit"));
  fitButton.addEventListener("click", () => {
    state.fit = !state.fit;
    fitButton.setAttribute("aria-pressed", String(state.fit));
    drawDiagram();
  });

  put(section,
    state.canEdit ? null : notice("info", h("p", {}, t("read_only"))),
    h(
      "div",
      { class: "editor" },
      h(
        "div",
        { class: "editor__main" },
        h(
          "section",
          { "aria-labelledby": "diagram-title" },
          h("div", { class: "toolbar" }, h("h2", { id: "diagram-title" }, t("diagram")), fitButton),
          h("figure", { class: "figure" }, diagram, h("figcaption", { class: "hint" }, t("diagram_caption"))),
        ),
        lists,
      ),
      h("div", { class: "editor__side" }, formPane, gapsPane, approvalPane),
    ),
  );

  async function load() {
    const [pathwayAnswer, graphAnswer, gapsAnswer, svgAnswer] = await Promise.all([
      api(`/pathways/${id}`),
      api(`/pathways/${id}/graph`),
      api(`/pathways/${id}/gaps`),
      api(`/pathways/${id}/export${query({ format: "svg", version: "draft" })}`, { as: "text" }),
    ]);
    state.pathway = pathwayAnswer.data;
    state.etag = pathwayAnswer.etag;
    state.graph = graphAnswer.data;
    state.gaps = gapsAnswer.data;
    state.svg = svgAnswer.data;
    Object.assign(state, standing(state.pathway));
    document.getElementById("pathway-facts")?.replaceWith(pathwayFacts(state.pathway));
  }

  const stepOf = (key) => state.graph.steps.find((step) => step.key === key);
  const transitionOf = (key) => state.graph.transitions.find((tr) => tr.key === key);
  const stepName = (key) => stepOf(key)?.name || key;
  const transitionName = (tr) => tr.label || `${stepName(tr.from)} → ${stepName(tr.to)}`;

  function drawDiagram() {
    // The picture's stylesheet comes from picture.css: its inline one is left out before
    // parsing, as the page's CSP would refuse it.
    const parsed = new DOMParser().parseFromString(withoutStyle(state.svg), "image/svg+xml");
    const svg = parsed.documentElement;
    if (svg.nodeName !== "svg") return;
    if (state.fit) {
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      svg.classList.add("fit");
    }
    svg.setAttribute("aria-labelledby", "h2h-picture-title");
    for (const group of svg.querySelectorAll("[data-step], [data-transition]")) {
      group.classList.add("selectable");
      const type = group.dataset.step ? "step" : "transition";
      const key = group.dataset.step || group.dataset.transition;
      if (state.selected && state.selected.type === type && state.selected.key === key) group.classList.add("is-selected");
    }
    const shown = document.importNode(svg, true); // (a copy: listeners go on it, not on svg)
    shown.addEventListener("click", (event) => {
      const group = event.target.closest("[data-step], [data-transition]");
      if (!group) return;
      select_({ type: group.dataset.step ? "step" : "transition", key: group.dataset.step || group.dataset.transition });
    });
    put(clear(diagram), shown);
  }

  function drawLists() {
    const findingsOf = (type, key) =>
      state.gaps.findings.filter((finding) => (type === "step" ? finding.steps : finding.transitions).includes(key));
    const item = (type, key, text, detail) => {
      const findings = findingsOf(type, key);
      const current = state.selected && state.selected.type === type && state.selected.key === key;
      return h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "element-button",
            "aria-current": current ? "true" : null,
            dataset: { select: `${type}:${key}` },
            on: { click: () => select_({ type, key }) },
          },
          h("span", { class: "element-button__name" }, text),
          h("span", { class: "element-button__detail" }, detail),
          findings.length
            ? h("span", { class: "element-button__gaps" }, ...findings.map((f) => badge(t(`severity_${f.severity}`), f.severity === "error" ? "danger" : "warning")))
            : null,
        ),
      );
    };
    const section = (kind, title, count, newLabel, items) =>
      h(
        "section",
        { "aria-labelledby": `${kind}s-title` },
        h(
          "div",
          { class: "toolbar" },
          h("h2", { id: `${kind}s-title` }, `${title} (${count})`),
          state.canEdit
            ? h("button", { type: "button", class: "button button--secondary", id: `new-${kind}`, on: { click: () => select_({ type: `new-${kind}` }) } }, newLabel)
            : null,
        ),
        h("ul", { class: "element-list" }, ...items),
      );
    put(
      clear(lists),
      section(
        "step",
        t("steps"),
        state.graph.steps.length,
        t("new_step"),
        state.graph.steps.map((step) =>
          item("step", step.key, step.name, `${t(`level_${step.level}`)} · ${t(`kind_${step.kind}`)}${step.responsible ? ` · ${step.responsible}` : ""}`),
        ),
      ),
      section(
        "transition",
        t("transitions"),
        state.graph.transitions.length,
        t("new_transition"),
        state.graph.transitions.map((tr) =>
          item(
            "transition",
            tr.key,
            transitionName(tr),
            `${stepName(tr.from)} → ${stepName(tr.to)}${tr.handover ? ` · ${t("handover")}: ${messageNames(tr.handover.messages).join(", ") || "—"}, ${deadlineText(tr.handover.deadline)}` : ""}`,
          ),
        ),
      ),
    );
  }

  function messageNames(codes) {
    return codes.map((code) => state.messages.find((m) => m.code === code)?.names[lang()] || code);
  }

  function drawGaps() {
    const { findings, summary } = state.gaps;
    const list = h("ul", { class: "findings" });
    for (const finding of findings) {
      const links = [
        ...finding.steps.map((key) => ["step", key, stepName(key)]),
        ...finding.transitions.map((key) => ["transition", key, transitionOf(key) ? transitionName(transitionOf(key)) : key]),
      ];
      put(list,
        h(
          "li",
          { class: `finding finding--${finding.severity}` },
          badge(t(`severity_${finding.severity}`), finding.severity === "error" ? "danger" : finding.severity === "warning" ? "warning" : "neutral"),
          " ",
          h("span", {}, finding.message),
          links.length
            ? h(
                "span",
                { class: "finding__links" },
                ...links.map(([type, key, name]) =>
                  h("button", { type: "button", class: "link-button", on: { click: () => select_({ type, key }) } }, t("show_element", { name })),
                ),
              )
            : null,
        ),
      );
    }
    put(clear(gapsPane),
      h("h2", { id: "gaps-title" }, t("gaps")),
      h("p", { id: "gaps-summary" }, t("gaps_summary", summary)),
      findings.length ? list : h("p", {}, t("gaps_none")),
    );
  }

  function drawApproval() {
    const { approval, approvals, revision } = state.pathway;
    const levelNames = approval.missing_levels.map((level) => t(`level_${level}`)).join(", ");
    const parts = [
      h("h2", { id: "approval-title" }, t("approval")),
      h("p", {}, h("strong", {}, `${t("policy")}: `), t(`policy_${approval.policy}`)),
      state.pathway.latest_version ? h("p", {}, t("latest_version", { version: state.pathway.latest_version })) : null,
    ];
    if (approvals.length) {
      parts.push(
        h("p", {}, t("approvals_given", { revision })),
        h(
          "ul",
          { id: "approvals-list" },
          ...approvals.map((a) => h("li", {}, `${a.organization_name} (${t(`level_${a.level}`)}), ${timeText(a.approved_at)}`)),
        ),
      );
    } else parts.push(h("p", { id: "approvals-list" }, t("approval_none")));
    if (approval.missing_levels.length) parts.push(h("p", {}, t("missing_levels", { levels: levelNames })));
    if (approval.pending.length && approval.policy === "every_participant") {
      parts.push(h("p", {}, t("pending", { names: approval.pending.map((o) => o.name).join(", ") })));
    }
    if (approval.hearing_missing) parts.push(h("p", {}, t("hearing_missing")));
    if (approval.decision) {
      parts.push(h("p", {}, t("decision_recorded", { body: approval.decision.body, date: dateText(approval.decision.decided_on), reference: approval.decision.reference })));
    } else if (approval.decision_required) parts.push(h("p", {}, t("decision_needed")));
    const mine = approvals.some((a) => a.organization_id === state.me.organization.id);
    if (state.canEdit && !mine) {
      const button = h("button", { type: "button", class: "button", id: "approve" }, t("approve", { revision }));
      button.addEventListener("click", () => approve(button));
      parts.push(button);
    }
    if (state.role === "secretariat" && approval.decision_required && !approval.decision && !approval.missing_levels.length && state.me.scope !== "read") {
      parts.push(decisionForm());
    }
    put(clear(approvalPane), ...parts);
  }

  async function approve(button) {
    button.disabled = true;
    try {
      const { data } = await api(`/pathways/${id}/approvals`, { method: "POST", etag: state.etag });
      await refresh();
      const text = data.version ? t("version_made", { version: data.version.number ?? data.version }) : t("approved_now", { revision: state.pathway.revision });
      put(approvalPane, notice("success", h("p", {}, text)));
      announce(text);
    } catch (problem) {
      button.disabled = false;
      if (!(problem instanceof Problem)) throw problem;
      if (problem.status === 412) await refresh();
      showProblem(approvalPane, problem);
    }
  }

  function decisionForm() {
    const body = input({ id: "decision-body" });
    const decidedOn = input({ id: "decision-decided_on", type: "date", value: new Date().toISOString().slice(0, 10) });
    const reference = input({ id: "decision-reference" });
    const form = h(
      "form",
      { class: "form", novalidate: true },
      h("h3", {}, t("record_decision")),
      field({ label: t("decision_body"), control: body }),
      field({ label: t("decided_on"), control: decidedOn }),
      field({ label: t("reference"), control: reference }),
      h("button", { type: "submit", class: "button" }, t("record_decision")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const payload = { decided_on: decidedOn.value, reference: reference.value };
      if (body.value) payload.body = body.value;
      try {
        await api(`/pathways/${id}/decisions`, { method: "POST", body: payload, etag: state.etag });
        await refresh();
        announce(t("saved"));
      } catch (problem) {
        if (problem.status === 422) showErrors(form, problem, (p) => pointerId("decision", p));
        else showProblem(form, problem);
      }
    });
    return form;
  }

  // -- the form beside the diagram ----------------------------------------------------

  /**
   * Open `selection` in the form at once, then make sure it is the newest revision (a 304
   * costs next to nothing); if it was not, draw the page again, and the form too unless
   * the user has started typing in it (a save then meets the 412 and its recovery).
   */
  async function select_(selection) {
    if (state.dirty && !window.confirm(t("discard") + "?")) return;
    state.selected = selection;
    state.dirty = false;
    showSelection();
    formPane.setAttribute("aria-busy", "true");
    try {
      const { status } = await api(`/pathways/${id}`, { ifNoneMatch: state.etag });
      if (status === 304 || state.selected !== selection) return;
      await load();
      drawDiagram();
      drawLists();
      drawGaps();
      drawApproval();
      if (!state.dirty) showSelection();
    } finally {
      formPane.removeAttribute("aria-busy");
    }
  }

  function showSelection() {
    const selection = state.selected;
    drawDiagram();
    drawLists();
    drawForm();
    const title = document.getElementById("form-title");
    if (title) title.focus();
    if (selection?.key) {
      const selector = selection.type === "step" ? `[data-step="${CSS.escape(selection.key)}"]` : `[data-transition="${CSS.escape(selection.key)}"]`;
      diagram.querySelector(selector)?.scrollIntoView({ block: "nearest", inline: "center" });
    }
  }

  function drawForm() {
    clear(formPane);
    const selection = state.selected;
    if (!selection) {
      put(formPane, h("h2", { id: "form-title", tabindex: "-1" }, t("select_hint")));
      return;
    }
    if (!state.canEdit) {
      // One who may not change the draft reads the element (no form of disabled fields).
      const element = selection.type === "step" ? stepOf(selection.key) : transitionOf(selection.key);
      if (!element) return;
      const name = selection.type === "step" ? element.name : transitionName(element);
      put(formPane, h("h2", { id: "form-title", tabindex: "-1" }, name), describe(selection.type, element));
      return;
    }
    if (selection.type === "step" || selection.type === "new-step") {
      const step = selection.type === "step" ? stepOf(selection.key) : null;
      if (selection.type === "step" && !step) {
        put(formPane, h("h2", { id: "form-title", tabindex: "-1" }, t("select_hint")));
        return;
      }
      put(formPane, stepForm(step));
    } else {
      const transition = selection.type === "transition" ? transitionOf(selection.key) : null;
      if (selection.type === "transition" && !transition) {
        put(formPane, h("h2", { id: "form-title", tabindex: "-1" }, t("select_hint")));
        return;
      }
      put(formPane, transitionForm(transition));
    }
  }

  function keyField(prefix, value, source) {
    const key = input({ id: `${prefix}-key`, value: value || "", pattern: "[a-z0-9][a-z0-9_-]*", spellcheck: "false" });
    if (!value) {
      let touched = false;
      key.addEventListener("input", () => (touched = true));
      source.addEventListener("input", () => {
        if (!touched) key.value = slug(source.value);
      });
    }
    return key;
  }

  function stepForm(step) {
    const prefix = "step";
    const name = input({ id: `${prefix}-name`, value: step?.name || "" });
    const key = step ? null : keyField(prefix, "", name);
    const levelName = uid("level");
    const level = choices({
      id: `${prefix}-level`,
      legend: t("level"),
      type: "radio",
      name: levelName,
      options: LEVELS.map((value) => ({ value, label: t(`level_${value}`), checked: (step?.level || "municipality") === value })),
    });
    const kind = select(KINDS.map((k) => [k, t(`kind_${k}`)]), step?.kind || "other", { id: `${prefix}-kind` });
    const responsible = input({ id: `${prefix}-responsible`, value: step?.responsible || "" });
    const duration = durationField({ label: t("expected_duration"), value: step?.expected_duration, name: "duration", id: `${prefix}-expected_duration` });
    const description = h("textarea", { id: `${prefix}-description`, rows: "3" }, step?.description || "");
    const title = step ? t("edit_step", { name: step.name }) : t("add_step");
    const form = h(
      "form",
      { class: "form", novalidate: true, id: "element-form" },
      h("h2", { id: "form-title", tabindex: "-1" }, title),
      field({ label: t("name"), control: name }),
      key ? field({ label: t("key"), hint: t("key_hint"), control: key }) : null,
      level,
      field({ label: t("kind"), control: kind }),
      field({ label: t("responsible"), hint: t("responsible_hint"), control: responsible }),
      duration,
      field({ label: t("description"), control: description }),
      formButtons(step ? () => remove("steps", step.key, step.name) : null, t("delete_step")),
    );
    const read = () => ({
      ...(step ? {} : { key: key.value }),
      name: name.value,
      level: form.querySelector(`input[name="${levelName}"]:checked`).value,
      kind: kind.value,
      responsible: responsible.value,
      expected_duration: duration.read(),
      description: description.value,
    });
    wireForm(form, {
      prefix,
      read,
      url: step ? `/pathways/${id}/steps/${encodeURIComponent(step.key)}` : `/pathways/${id}/steps`,
      isNew: !step,
      saved: (data) => ({ selection: { type: "step", key: data.key }, text: t("step_saved", { name: data.name, revision: "{revision}" }) }),
      element: step ? { type: "step", key: step.key, name: step.name } : null,
    });
    return form;
  }

  function transitionForm(transition) {
    const prefix = "tr";
    const stepOptions = state.graph.steps.map((s) => [s.key, `${s.name} (${t(`level_${s.level}`)})`]);
    const from = select([["", "—"], ...stepOptions], transition?.from || "", { id: `${prefix}-from` });
    const to = select([["", "—"], ...stepOptions], transition?.to || "", { id: `${prefix}-to` });
    const label = input({ id: `${prefix}-label`, value: transition?.label || "" });
    const key = transition ? null : keyField(prefix, "", label);
    const handover = transition?.handover || null;
    const hasHandover = h("input", { type: "checkbox", id: `${prefix}-has-handover`, checked: Boolean(handover) });
    const handoverBox = handoverFields(prefix, handover);
    handoverBox.hidden = !handover;
    hasHandover.addEventListener("change", () => {
      handoverBox.hidden = !hasHandover.checked;
    });
    const crossHint = h("p", { class: "hint", id: `${prefix}-cross-hint` }, t("handover_hint"));
    const title = transition ? t("edit_transition", { name: transitionName(transition) }) : t("add_transition");
    const form = h(
      "form",
      { class: "form", novalidate: true, id: "element-form" },
      h("h2", { id: "form-title", tabindex: "-1" }, title),
      field({ label: t("from"), control: from }),
      field({ label: t("to"), control: to }),
      field({ label: t("label"), hint: t("label_hint"), control: label }),
      key ? field({ label: t("key"), hint: t("key_hint"), control: key }) : null,
      h(
        "fieldset",
        { class: "handover", id: `${prefix}-handover`, dataset: { field: `${prefix}-handover` } },
        h("legend", {}, t("handover")),
        crossHint,
        h("p", { class: "field-error", id: `${prefix}-handover-error`, hidden: true }),
        h("div", { class: "checkbox" }, hasHandover, h("label", { for: hasHandover.id }, t("has_handover"))),
        handoverBox,
      ),
      formButtons(transition ? () => remove("transitions", transition.key, transitionName(transition)) : null, t("delete_transition")),
    );
    const read = () => ({
      ...(transition ? {} : { key: key.value }),
      from: from.value,
      to: to.value,
      label: label.value,
      handover: hasHandover.checked ? handoverBox.read() : null,
    });
    wireForm(form, {
      prefix,
      read,
      url: transition ? `/pathways/${id}/transitions/${encodeURIComponent(transition.key)}` : `/pathways/${id}/transitions`,
      isNew: !transition,
      saved: (data) => ({ selection: { type: "transition", key: data.key }, text: t("transition_saved", { name: data.label || data.key, revision: "{revision}" }) }),
      element: transition ? { type: "transition", key: transition.key, name: transitionName(transition) } : null,
    });
    return form;
  }

  function handoverFields(prefix, handover) {
    const base = `${prefix}-handover`;
    const sender = input({ id: `${base}-sender_role`, value: handover?.sender_role || "" });
    const receiver = input({ id: `${base}-receiver_role`, value: handover?.receiver_role || "" });
    const chosen = new Set(handover?.messages || []);
    const known = new Set(state.messages.map((m) => m.code));
    const messages = choices({
      id: `${base}-messages`,
      legend: t("messages"),
      hint: t("messages_hint"),
      type: "checkbox",
      className: "messages",
      options: state.messages.map((message) => ({
        value: message.code,
        label: [message.names[lang()] || message.names.nb, h("span", { class: "code" }, ` ${message.code}`)],
        checked: chosen.has(message.code),
        data: { message: message.code },
      })),
    });
    const other = input({ id: `${base}-other-messages`, value: [...chosen].filter((code) => !known.has(code)).join(", ") });
    const deadline = durationField({ label: t("deadline"), value: handover?.deadline, name: "deadline", deadline: true, id: `${base}-deadline` });
    const items = h("ol", { class: "checklist", id: `${base}-checklist` });
    const addItem = (item) => {
      const index = items.children.length;
      put(items, checklistRow(base, index, item, () => renumber()));
    };
    const renumber = () => {
      [...items.children].forEach((row, index) => row.renumber(index));
    };
    for (const item of handover?.checklist || []) addItem(item);
    const box = h(
      "div",
      { class: "handover__fields" },
      field({ label: t("sender_role"), control: sender }),
      field({ label: t("receiver_role"), control: receiver }),
      messages,
      field({ label: t("other_messages"), control: other }),
      deadline,
      h("h3", {}, t("checklist")),
      items,
      h("button", { type: "button", class: "button button--secondary", id: `${base}-add-item`, on: { click: () => { addItem(null); items.lastElementChild.querySelector("input").focus(); } } }, t("add_item")),
    );
    box.read = () => ({
      sender_role: sender.value,
      receiver_role: receiver.value,
      messages: [
        ...[...messages.querySelectorAll("input[data-message]:checked")].map((node) => node.value),
        ...other.value.split(",").map((text) => text.trim()).filter(Boolean),
      ],
      deadline: deadline.read(),
      checklist: [...items.children].map((row) => row.read()),
    });
    return box;
  }

  function checklistRow(base, index, item, renumber) {
    const row = h("li", { class: "checklist__item" });
    const text = h("textarea", { rows: "2" }, item?.text || "");
    const key = input({ value: item?.key || "", spellcheck: "false" });
    let touched = Boolean(item);
    key.addEventListener("input", () => (touched = true));
    text.addEventListener("input", () => {
      if (!touched) key.value = slug(text.value);
    });
    const side = select([["sender", t("side_sender")], ["receiver", t("side_receiver")]], item?.side || "sender");
    const required = h("input", { type: "checkbox", checked: item ? item.required : true });
    const due = durationField({ label: t("item_due"), value: item?.due, name: "due", deadline: true });
    const legend = h("legend", {});
    const removeButton = h("button", { type: "button", class: "button button--quiet" });
    removeButton.addEventListener("click", () => {
      row.remove();
      renumber();
    });
    const textField = field({ label: t("item_text"), control: text });
    const keyField_ = field({ label: t("key"), control: key });
    const sideField = field({ label: t("item_side"), control: side });
    const requiredBox = h("div", { class: "checkbox" }, required, h("label", {}, t("item_required")));
    put(row, h("fieldset", {}, legend, textField, keyField_, sideField, requiredBox, due, removeButton));
    row.renumber = (n) => {
      const prefix = `${base}-checklist-${n}`;
      legend.textContent = t("checklist_item", { n: n + 1 });
      removeButton.textContent = t("remove_item", { n: n + 1 });
      for (const [control, name, box] of [[text, "text", textField], [key, "key", keyField_], [side, "side", sideField]]) {
        control.id = `${prefix}-${name}`;
        box.dataset.field = control.id;
        box.querySelector("label").htmlFor = control.id;
        box.querySelector(".field-error").id = `${control.id}-error`;
      }
      required.id = `${prefix}-required`;
      requiredBox.querySelector("label").htmlFor = required.id;
      due.id = `${prefix}-due`;
      due.dataset.field = due.id;
      due.querySelector(".field-error").id = `${due.id}-error`;
    };
    row.renumber(index);
    row.read = () => ({ key: key.value, text: text.value, side: side.value, required: required.checked, due: due.read() });
    return row;
  }

  function formButtons(onDelete, deleteText) {
    return h(
      "div",
      { class: "form__buttons" },
      h("button", { type: "submit", class: "button", id: "save" }, t("save")),
      h("button", { type: "button", class: "button button--secondary", on: { click: () => { state.dirty = false; select_(null); } } }, t("cancel")),
      onDelete ? h("button", { type: "button", class: "button button--danger", on: { click: onDelete } }, deleteText) : null,
    );
  }

  /**
   * Submit with the ETag the form was opened on; on 412 keep the typing and explain.
   * A change to an existing element sends only the fields the user changed since the form
   * opened, so saving again on a newer revision never undoes what others changed there.
   */
  function wireForm(form, { prefix, read, url, isNew, saved, element }) {
    let base = state.etag;
    let baseRevision = state.pathway.revision;
    const opened = read();
    const changes = () => {
      const now = read();
      return Object.fromEntries(Object.entries(now).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(opened[name])));
    };
    form.addEventListener("input", () => (state.dirty = true));
    form.addEventListener("change", () => (state.dirty = true));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      form.querySelectorAll(".conflict").forEach((node) => node.remove());
      const body = isNew ? read() : changes();
      if (!Object.keys(body).length) {
        announce(t("no_changes"));
        formPane.querySelectorAll(":scope > .notice").forEach((node) => node.remove());
        formPane.prepend(notice("info", h("p", {}, t("no_changes"))));
        return;
      }
      try {
        const answer = await api(url, { method: isNew ? "POST" : "PATCH", body, etag: base });
        state.dirty = false;
        const { selection, text } = saved(answer.data);
        state.selected = selection;
        // The answer is the element as saved: show it at once, then the diagram and the
        // gaps as the server draws and checks the new revision.
        keepSaved(selection.type, answer.data, element?.key);
        drawLists();
        await refresh();
        const message = text.replace("{revision}", String(state.pathway.revision));
        formPane.prepend(notice("success", h("p", {}, message)));
        announce(message);
      } catch (problem) {
        if (!(problem instanceof Problem)) throw problem;
        if (problem.status === 412) {
          await conflict(form, element, baseRevision);
          base = state.etag;
          baseRevision = state.pathway.revision;
        } else if (problem.status === 422 && problem.errors.length) {
          showErrors(form, problem, (pointer) => pointerId(prefix, pointer));
        } else {
          showProblem(form, problem);
        }
      }
    });
  }

  /** Put the saved `element` (the API's answer) in the graph the page shows. */
  function keepSaved(type, saved, oldKey) {
    const elements = type === "step" ? state.graph.steps : state.graph.transitions;
    const at = elements.findIndex((element) => element.key === (oldKey ?? saved.key));
    if (at >= 0) elements[at] = saved;
    else elements.push(saved);
  }

  async function conflict(form, element, mine) {
    await refresh({ keepForm: true });
    const theirs = state.pathway.revision;
    const since = (await recentHistory(id, 50)).filter((entry) => entry.revision_after > mine);
    const box = h(
      "div",
      { class: "notice notice--warning conflict", role: "alert", tabindex: "-1", id: "conflict" },
      h("h3", { class: "notice__title" }, t("conflict_title")),
      h("p", {}, t("conflict_text", { mine, theirs })),
      since.length
        ? [h("p", {}, t("conflict_changes")), h("ul", {}, ...since.map((entry) => h("li", {}, `${entry.organization.name}: ${entry.summary} (${timeText(entry.at)})`)))]
        : null,
    );
    if (element) {
      const now = element.type === "step" ? stepOf(element.key) : transitionOf(element.key);
      if (!now) put(box, h("p", {}, t("conflict_gone", { name: element.name })));
      else put(box, h("p", {}, t("conflict_now", { name: element.name })), describe(element.type, now));
    }
    put(box,
      h(
        "div",
        { class: "form__buttons" },
        h("button", { type: "button", class: "button", id: "redo", on: { click: () => form.requestSubmit() } }, t("redo")),
        h("button", { type: "button", class: "button button--secondary", id: "discard", on: { click: () => { state.dirty = false; select_(element ? { type: element.type, key: element.key } : null); } } }, t("discard")),
      ),
    );
    form.prepend(box);
    box.focus();
  }

  function describe(type, element) {
    const rows =
      type === "step"
        ? [
            [t("name"), element.name],
            [t("level"), t(`level_${element.level}`)],
            [t("kind"), t(`kind_${element.kind}`)],
            [t("responsible"), element.responsible || "—"],
            [t("expected_duration"), durationText(element.expected_duration)],
            [t("description"), element.description || "—"],
          ]
        : [
            [t("from"), stepName(element.from)],
            [t("to"), stepName(element.to)],
            [t("label"), element.label || "—"],
            [t("sender_role"), element.handover?.sender_role || "—"],
            [t("receiver_role"), element.handover?.receiver_role || "—"],
            [t("messages"), element.handover ? messageNames(element.handover.messages).join(", ") || "—" : "—"],
            [t("deadline"), element.handover ? deadlineText(element.handover.deadline) : "—"],
            [t("checklist"), element.handover ? element.handover.checklist.map((item) => item.text).join(" · ") || "—" : "—"],
          ];
    return h("dl", { class: "facts facts--compact" }, ...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  }

  async function remove(collection, key, name) {
    if (!window.confirm(t("confirm_delete", { name }))) return;
    try {
      await api(`/pathways/${id}/${collection}/${encodeURIComponent(key)}`, { method: "DELETE", etag: state.etag });
      state.dirty = false;
      state.selected = null;
      await refresh();
      announce(t("deleted"));
      formPane.prepend(notice("success", h("p", {}, t("deleted"))));
    } catch (problem) {
      if (!(problem instanceof Problem)) throw problem;
      if (problem.status === 412) await refresh({ keepForm: true });
      showProblem(formPane, problem);
    }
  }

  async function refresh({ keepForm = false } = {}) {
    await load();
    drawDiagram();
    drawLists();
    drawGaps();
    drawApproval();
    if (!keepForm) drawForm();
  }

  const [{ data: messages }] = await Promise.all([api("/reference/messages"), load()]);
  state.messages = messages;
  drawDiagram();
  drawLists();
  drawGaps();
  drawApproval();
  drawForm();
}
