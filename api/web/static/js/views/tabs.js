// The other parts of a pathway: participants, history and authorship, differences on
// the diagram, exports, comments and hearing rounds, local variants; and the public view
// of an approved pathway for organisations that take no part in its draft.

import { api, query, session, Problem } from "../api.js";
import { h, table, clear, put, field, input, select, badge, notice, choices, showErrors, showProblem } from "../dom.js";
import { t, dateText, timeText, percent } from "../i18n.js";
import { recentHistory, standing } from "./pathway.js";
import { withoutStyle } from "./editor.js";
import { hearingCard } from "./lists.js";
import { go, flashNext } from "../main.js";

/** A picture from the API (an SVG export) shown in a scrollable, focusable region. */
export function pictureOf(svgText, label) {
  const svg = new DOMParser().parseFromString(withoutStyle(svgText), "image/svg+xml").documentElement;
  if (svg.nodeName !== "svg") return h("p", {}, "—");
  return h("div", { class: "diagram", tabindex: "0", role: "region", "aria-label": label }, document.importNode(svg, true));
}

// -- participants --------------------------------------------------------------------

export async function peopleTab(section, { id, pathway, etag }) {
  const { canEdit, me, role } = standing(pathway);
  const rows = pathway.participants.map((p) => {
    const mayRemove = me.scope !== "read" && (p.organization_id === me.organization.id || role === "secretariat");
    return h(
      "tr",
      {},
      h("td", {}, p.name),
      h("td", {}, p.level ? t(`level_${p.level}`) : t(`orgkind_${p.kind}`)),
      h("td", {}, t(`role_${p.role}`)),
      h("td", {}, dateText(p.joined_at)),
      h(
        "td",
        {},
        mayRemove
          ? h(
              "button",
              {
                type: "button",
                class: "button button--quiet",
                on: {
                  click: async () => {
                    try {
                      await api(`/pathways/${id}/participants/${p.organization_id}`, { method: "DELETE", etag });
                      flashNext("success", t("removed", { name: p.name }));
                      go(p.organization_id === me.organization.id ? "#/pathways" : `#/pathways/${id}/people`);
                    } catch (problem) {
                      showProblem(section, problem);
                    }
                  },
                },
              },
              p.organization_id === me.organization.id ? t("leave") : `${t("remove")} ${p.name}`,
            )
          : null,
      ),
    );
  });
  put(section,
    h("h2", {}, t("participants")),
    table(t("participants"), [t("organisation"), t("level"), t("role"), t("when"), ""], rows, "participants"),
  );
  if (canEdit || role === "secretariat") {
    const { data: orgs } = await api("/organizations?limit=200");
    const taking = new Set(pathway.participants.map((p) => p.organization_id));
    const choices = orgs.items.filter((org) => !taking.has(org.id) && org.kind !== "secretariat");
    if (!choices.length) return;
    const organisation = select(
      choices.map((org) => [org.id, `${org.name} (${org.level ? t(`level_${org.level}`) : t(`orgkind_${org.kind}`)})`]),
      "",
      { id: "participant-organisation" },
    );
    const form = h(
      "form",
      { class: "form panel", novalidate: true },
      h("h2", {}, t("add_participant")),
      field({ label: t("organisation"), control: organisation }),
      h("button", { type: "submit", class: "button", id: "add-participant" }, t("add_participant")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = choices.find((org) => String(org.id) === organisation.value);
      try {
        await api(`/pathways/${id}/participants/${organisation.value}`, { method: "PUT", etag });
        flashNext("success", t("participant_added", { name: chosen.name }));
        go(`#/pathways/${id}/people`);
      } catch (problem) {
        showProblem(form, problem);
      }
    });
    put(section, form);
  }
}

// -- history and authorship ------------------------------------------------------------

export async function historyTab(section, { id, pathway }) {
  const { authorship } = pathway;
  const share = (value, label) => h("meter", { min: "0", max: "1", value: String(value), "aria-label": label }, percent(value));
  put(section,
    h("h2", {}, t("authorship")),
    h("p", {}, t("authorship_intro")),
    table(
      t("authorship"),
      [t("level"), t("content_share"), "", t("elements")],
      ["hospital", "municipality"].map((level) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, t(`level_${level}`)),
          h("td", {}, percent(authorship[level].content_share)),
          h("td", {}, share(authorship[level].content_share, t(`level_${level}`))),
          h("td", {}, String(authorship[level].elements)),
        ),
      ),
      "authorship-levels",
    ),
    table(
      t("organisation"),
      [t("organisation"), t("level"), t("content_share"), t("elements")],
      authorship.organizations.map((org) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, org.name),
          h("td", {}, t(`level_${org.level}`)),
          h("td", {}, percent(org.content_share)),
          h("td", {}, String(org.elements)),
        ),
      ),
      "authorship-organisations",
      { captionShown: true },
    ),
  );
  const entries = await recentHistory(id, 100);
  put(section,
    h("h2", {}, t("history")),
    table(
      t("history"),
      [t("when"), t("who"), t("what"), t("via"), t("revision")],
      [...entries].reverse().map((entry) =>
        h(
          "tr",
          {},
          h("td", {}, timeText(entry.at)),
          h("td", {}, `${entry.organization.name}${entry.organization.level ? ` (${t(`level_${entry.organization.level}`)})` : ""}`),
          h("td", {}, entry.summary),
          h("td", {}, entry.token_name),
          h("td", {}, `${entry.revision_before} → ${entry.revision_after}`),
        ),
      ),
      "history",
    ),
  );
}

// -- differences -------------------------------------------------------------------------

const FIELD_WORDS = {
  name: "name", level: "level", kind: "kind", responsible: "responsible",
  expected_duration: "expected_duration", description: "description", from: "from", to: "to",
  label: "label", handover: "handover", sender_role: "sender_role", receiver_role: "receiver_role",
  messages: "messages", deadline: "deadline", checklist: "checklist", title: "title",
  target_group: "target_group", agreement_ref: "agreement_ref", review_due: "review_due",
};

/** What changed, as a table: steps and transitions added, removed and changed (which fields). */
function changeTable(changes, caption, id) {
  const fields = (named) => Object.keys(named || {}).map((field) => (FIELD_WORDS[field] ? t(FIELD_WORDS[field]) : field)).join(", ");
  const rows = [];
  for (const [kind, label] of [["steps", t("steps")], ["transitions", t("transitions")]]) {
    const part = changes[kind] || {};
    for (const item of part.added || []) rows.push([label, t("added"), item.name || item.label || item.key]);
    for (const item of part.removed || []) rows.push([label, t("removed_mark"), item.name || item.label || item.key]);
    for (const item of part.changed || []) rows.push([label, t("changed"), `${item.key}: ${fields(item.fields || item.handover)}`]);
  }
  if (Object.keys(changes.pathway || {}).length) rows.push([t("title"), t("changed"), fields(changes.pathway)]);
  if (Object.keys(changes.rules || {}).length) rows.push([t("rules"), t("changed"), fields(changes.rules)]);
  if (!rows.length) return h("p", {}, t("diff_none"));
  return table(caption, [t("what"), "", t("name")], rows.map((cells) => h("tr", {}, ...cells.map((c) => h("td", {}, c)))), id);
}


export async function diffTab(section, { id, pathway }) {
  const versions = [];
  for (let n = pathway.latest_version || 0; n >= 1; n -= 1) versions.push([String(n), `${t("version")} ${n}`]);
  const sides = [["draft", t("draft")], ...versions];
  const params = new URLSearchParams((location.hash.split("?")[1]) || "");
  const from = select(sides, params.get("from") || (versions[0] ? versions[0][0] : "draft"), { id: "diff-from" });
  const to = select(sides, params.get("to") || "draft", { id: "diff-to" });
  const result = h("div", { id: "diff-result" });
  const form = h(
    "form",
    { class: "filters" },
    field({ label: t("compare_from"), control: from }),
    field({ label: t("compare_to"), control: to }),
    h("button", { type: "submit", class: "button button--secondary" }, t("compare")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  put(section, h("h2", {}, t("compare")), h("p", {}, t("compare_intro")), form, result);

  async function show() {
    clear(result);
    if (from.value === to.value) {
      put(result, h("p", {}, t("diff_none")));
      return;
    }
    try {
      const parameters = query({ from: from.value, to: to.value });
      const [{ data: diff }, { data: picture }] = await Promise.all([
        api(`/pathways/${id}/diff${parameters}`),
        api(`/pathways/${id}/diff/picture${parameters}`, { as: "text" }),
      ]);
      put(
        result,
        changeTable(diff.changes, t("compare"), "diff-table"),
        pictureOf(picture, t("diagram")),
      );
    } catch (problem) {
      if (!(problem instanceof Problem)) throw problem;
      showProblem(result, problem);
    }
  }
  if (sides.length > 1) await show();
}

// -- exports -----------------------------------------------------------------------------

const FORMATS = [
  ["pdf", "PDF", "pdf"],
  ["html", "HTML", "html"],
  ["svg", "SVG", "svg"],
  ["bpmn", "BPMN 2.0", "bpmn"],
  ["fhir", "FHIR R4", "json"],
  ["json", "JSON", "json"],
  ["node-link", "node-link JSON", "json"],
  ["graphml", "GraphML", "graphml"],
  ["dot", "DOT (Graphviz)", "dot"],
  ["mermaid", "Mermaid", "mmd"],
];

/** Fetch `path` with the token and save it as `name` (no token in a link's address). */
export async function download(path, name, status) {
  const { data } = await api(path, { as: "blob" });
  const url = URL.createObjectURL(data);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  status.textContent = t("downloaded", { file: name });
}

export async function exportTab(section, { id, pathway }) {
  const { role } = standing(pathway);
  const options = [];
  if (pathway.latest_version) options.push(["", t("latest_approved")]);
  if (role) options.push(["draft", t("draft")]);
  for (let n = pathway.latest_version || 0; n >= 1; n -= 1) options.push([String(n), `${t("version")} ${n}`]);
  const version = select(options, options[0]?.[0] || "draft", { id: "export-version" });
  const status = h("p", { role: "status", class: "hint", id: "export-status" });
  const button = (format, label, extension, primary) =>
    h(
      "button",
      {
        type: "button",
        class: primary ? "button" : "button button--secondary",
        dataset: { format },
        on: {
          click: async () => {
            try {
              const name = `pathway-${id}-${version.value || "latest"}-${format}.${extension}`;
              await download(`/pathways/${id}/export${query({ format, version: version.value })}`, name, status);
            } catch (problem) {
              if (!(problem instanceof Problem)) throw problem;
              showProblem(section, problem);
            }
          },
        },
      },
      label,
    );
  put(section,
    h("h2", {}, t("exports")),
    h("p", {}, t("export_intro")),
    field({ label: t("export_version"), control: version }),
    h("p", {}, button("pdf", t("print"), "pdf", true)),
    h("ul", { class: "button-list" }, ...FORMATS.map(([format, label, extension]) => h("li", {}, button(format, t("download", { format: label }), extension, false)))),
    status,
  );
}

// -- comments and hearings ---------------------------------------------------------------

export async function commentsTab(section, { id, pathway, etag }) {
  const { role, me } = standing(pathway);
  const [{ data: threads }, { data: graph }, { data: rounds }] = await Promise.all([
    api(`/pathways/${id}/comments?limit=100`),
    api(`/pathways/${id}/graph`),
    api(`/pathways/${id}/hearings?limit=50`),
  ]);
  const anchorText = (anchor) => {
    if (anchor.kind === "pathway") return t("the_pathway");
    if (anchor.kind === "step") return graph.steps.find((s) => s.key === anchor.step)?.name || anchor.step;
    return graph.transitions.find((tr) => tr.key === anchor.transition)?.label || anchor.transition;
  };
  put(section, h("h2", {}, t("comments")));
  if (!threads.items.length) put(section, h("p", {}, t("no_comments")));
  const list = h("ul", { class: "cards", id: "threads" });
  for (const thread of threads.items) {
    const replyText = h("textarea", { rows: "2" });
    const replyForm = h(
      "form",
      { class: "form", novalidate: true },
      field({ label: t("reply"), control: replyText }),
      h("button", { type: "submit", class: "button button--secondary" }, t("send_reply")),
    );
    replyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`/pathways/${id}/comments/${thread.id}/replies`, { method: "POST", body: { text: replyText.value }, etag: thread.etag });
        go(`#/pathways/${id}/comments`);
      } catch (problem) {
        if (problem.status === 422) showErrors(replyForm, problem, () => replyText.id);
        else showProblem(replyForm, problem);
      }
    });
    put(list,
      h(
        "li",
        { class: "card" },
        h("h3", {}, anchorText(thread.anchor)),
        h("p", { class: "hint" }, thread.standing_text),
        h(
          "ul",
          { class: "comments" },
          ...thread.comments.map((comment) =>
            h("li", {}, h("p", { class: "comment__meta" }, `${comment.organization_name}, ${timeText(comment.created_at)}`), h("p", {}, comment.text)),
          ),
        ),
        role && me.scope !== "read" ? replyForm : null,
      ),
    );
  }
  put(section, list);
  if (role && me.scope !== "read") {
    const anchor = select(
      [
        ["pathway:", t("the_pathway")],
        ...graph.steps.map((s) => [`step:${s.key}`, `${t("steps")}: ${s.name}`]),
        ...graph.transitions.map((tr) => [`transition:${tr.key}`, `${t("transitions")}: ${tr.label || tr.key}`]),
      ],
      "pathway:",
      { id: "comment-anchor" },
    );
    const text = h("textarea", { rows: "3", id: "comment-text" });
    const form = h(
      "form",
      { class: "form panel", novalidate: true },
      h("h3", {}, t("add_comment")),
      field({ label: t("comment_on"), control: anchor }),
      field({ label: t("comment"), control: text }),
      h("button", { type: "submit", class: "button" }, t("add_comment")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const [kind, key] = anchor.value.split(":");
      const body = { anchor: kind === "pathway" ? { kind } : { kind, [kind]: key }, text: text.value };
      try {
        await api(`/pathways/${id}/comments`, { method: "POST", body, etag });
        flashNext("success", t("saved"));
        go(`#/pathways/${id}/comments`);
      } catch (problem) {
        if (problem.status === 422) showErrors(form, problem, (p) => (p.startsWith("#/text") ? text.id : anchor.id));
        else showProblem(form, problem);
      }
    });
    put(section, form);
  }
  put(section, h("h2", {}, t("hearings")));
  if (!rounds.items.length) put(section, h("p", {}, t("no_hearings")));
  else put(section, h("ul", { class: "cards" }, ...rounds.items.map((round) => h("li", { class: "card" }, ...hearingCard(round)))));
  if ((role === "editor" || role === "secretariat") && me.scope !== "read") put(section, await hearingForm(id, etag, pathway));
}

async function hearingForm(id, etag, pathway) {
  const { data: orgs } = await api("/organizations?limit=200");
  const me = session.me;
  const others = orgs.items.filter((org) => org.id !== me.organization.id);
  const title = input({ id: "hearing-title", value: pathway.title });
  const deadline = input({ id: "hearing-deadline", type: "date" });
  const invitees = choices({
    id: "hearing-invitees",
    legend: t("invitees"),
    type: "checkbox",
    options: others.map((org) => ({ value: org.id, label: org.name })),
  });
  const description = h("textarea", { id: "hearing-description", rows: "3" });
  const form = h(
    "form",
    { class: "form panel", novalidate: true },
    h("h3", {}, t("open_hearing")),
    field({ label: t("hearing_title"), control: title }),
    field({ label: t("description"), control: description }),
    field({ label: t("hearing_deadline"), control: deadline }),
    invitees,
    h("button", { type: "submit", class: "button" }, t("open_hearing")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      title: title.value,
      description: description.value,
      deadline: deadline.value,
      invitees: [...invitees.querySelectorAll("input:checked")].map((node) => Number(node.value)),
    };
    try {
      await api(`/pathways/${id}/hearings`, { method: "POST", body, etag });
      flashNext("success", t("saved"));
      go(`#/pathways/${id}/comments`);
    } catch (problem) {
      if (problem.status === 422) {
        const ids = { "#/title": title.id, "#/deadline": deadline.id, "#/invitees": invitees.id, "#/description": description.id };
        showErrors(form, problem, (p) => ids[p.split("/").slice(0, 2).join("/")] || null);
      } else showProblem(form, problem);
    }
  });
  return form;
}

// -- local variants -------------------------------------------------------------------------

export async function variantsTab(section, { id, pathway, etag }) {
  const { role, me } = standing(pathway);
  put(section, h("h2", {}, t("variants")), h("p", {}, t("variants_intro")));
  if (pathway.variant_of) {
    const { data: variant } = await api(`/pathways/${id}/variant`);
    put(section,
      h("h3", {}, t("variant_differences")),
      h("p", {}, `${variant.shared_title}: ${t("version")} ${variant.pinned_version} (${t("latest_version", { version: variant.latest_version })}).`),
      changeTable(variant.differences, t("variant_differences"), "variant-differences"),
    );
    if (variant.upstream && role === "editor" && me.scope !== "read") {
      const button = h("button", { type: "button", class: "button", id: "rebase" }, t("rebase"));
      button.addEventListener("click", async () => {
        try {
          await api(`/pathways/${id}/variant/rebase`, { method: "POST", body: {}, etag });
          flashNext("success", t("saved"));
          go(`#/pathways/${id}/variants`);
        } catch (problem) {
          showProblem(section, problem);
        }
      });
      put(section, button);
    }
    return;
  }
  const { data: variants } = await api(`/pathways/${id}/variants`);
  if (!variants.length) put(section, h("p", {}, t("no_variants")));
  else {
    put(section,
      h(
        "ul",
        { id: "variants" },
        ...variants.map((v) => h("li", {}, h("a", { href: `#/pathways/${v.id}` }, v.title), ` (${t("version")} ${v.variant_of.version})`)),
      ),
    );
  }
  if (pathway.latest_version && role === "editor" && me.level === "municipality" && me.scope !== "read") {
    const button = h("button", { type: "button", class: "button", id: "make-variant" }, t("make_variant"));
    button.addEventListener("click", async () => {
      try {
        const { data } = await api(`/pathways/${id}/variants`, { method: "POST", body: {} });
        go(`#/pathways/${data.id}`);
      } catch (problem) {
        showProblem(section, problem);
      }
    });
    put(section, button);
  }
}

// -- the public view -----------------------------------------------------------------------

export async function publicView(container, pathway) {
  const overdue = pathway.review_overdue;
  put(container,
    notice("info", h("p", {}, t("public_view"))),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("version")),
      h("dd", {}, String(pathway.version ?? pathway.latest_version ?? "—")),
      h("dt", {}, t("review_due")),
      h("dd", {}, dateText(pathway.review_due), overdue ? [" ", badge(t("overdue"), "danger")] : null),
      h("dt", {}, t("target_group")),
      h("dd", {}, pathway.target_group || "—"),
    ),
    pathway.description ? h("p", {}, pathway.description) : null,
  );
  const { data: svg } = await api(`/pathways/${pathway.id}/export?format=svg`, { as: "text" });
  put(container, h("h2", {}, t("diagram")), pictureOf(svg, t("diagram")));
  const section = h("div", { class: "tab" });
  put(container, section);
  await exportTab(section, { id: pathway.id, pathway: { ...pathway, participants: [] } });
}
