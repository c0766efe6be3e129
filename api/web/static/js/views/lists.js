// Lists: my organisation's pathways (and a new one), the catalogue of approved
// pathways, and the hearings my organisation is invited to answer. Filters live in the
// address (after "?"), so a filtered list can be bookmarked and shared.

import { api, query, session } from "../api.js";
import { h, table, put, field, input, select, badge, choices, pageHeading, showErrors, showProblem, announce } from "../dom.js";
import { t, dateText, statusText, timeText } from "../i18n.js";
import { go, flashNext } from "../main.js";
import { isOverdue } from "./pathway.js";

const PAGE = 50;

function hashQuery() {
  const hash = location.hash || "";
  const at = hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}

function filterForm(base, controls) {
  const form = h(
    "form",
    { class: "filters", role: "search" },
    ...controls.map(([label, control]) => field({ label, control })),
    h("button", { type: "submit", class: "button button--secondary" }, t("search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const parameters = new URLSearchParams();
    for (const [, control] of controls) if (control.value) parameters.set(control.name, control.value);
    const text = parameters.toString();
    go(text ? `${base}?${text}` : base);
  });
  return form;
}

function pager(base, page) {
  const current = hashQuery();
  const link = (offset, text) => {
    const parameters = new URLSearchParams(current);
    parameters.set("offset", String(offset));
    return h("a", { href: `${base}?${parameters}`, class: "pager__link" }, text);
  };
  const from = page.total ? page.offset + 1 : 0;
  const to = page.offset + page.items.length;
  return h(
    "nav",
    { class: "pager", "aria-label": t("page_of", { from, to, total: page.total }) },
    h("p", {}, t("page_of", { from, to, total: page.total })),
    page.offset > 0 ? link(Math.max(0, page.offset - page.limit), t("previous_page")) : null,
    to < page.total ? link(page.offset + page.limit, t("next_page")) : null,
  );
}

function reviewCell(due, overdue) {
  return h("td", {}, dateText(due), overdue ? [" ", badge(t("overdue"), "danger")] : null);
}

export async function minePathwaysView(container) {
  document.title = `${t("mine_title")} – ${t("app")}`;
  const filters = hashQuery();
  const q = input({ name: "q", value: filters.get("q") || "", type: "search" });
  const status = select(
    [["", t("all")], ["draft", t("status_draft")], ["approved", t("status_approved")], ["changed", t("status_changed_any")]],
    filters.get("status") || "",
    { name: "status" },
  );
  const me = session.me;
  const [{ data: partnerships }, { data: page }] = await Promise.all([
    api(`/partnerships${query({ member: me.organization.id, limit: 200 })}`),
    api(
      `/pathways${query({ participant: me.organization.id, q: q.value, status: status.value, partnership: filters.get("partnership"), limit: PAGE, offset: filters.get("offset") || 0 })}`,
    ),
  ]);
  const partnership = select(
    [["", t("all")], ...partnerships.items.map((item) => [item.id, item.name])],
    filters.get("partnership") || "",
    { name: "partnership" },
  );
  put(
    container,
    pageHeading(t("mine_title")),
    h("p", { class: "lead" }, t("mine_intro")),
    filterForm("#/pathways", [[t("q"), q], [t("status"), status], [t("partnership"), partnership]]),
  );
  if (!page.items.length) put(container, h("p", {}, t("no_results")));
  else {
    put(container,
      table(
        t("mine_title"),
        [t("title"), t("status"), t("revision"), t("review_due"), t("version")],
        page.items.map((item) =>
          h(
            "tr",
            {},
            h("td", {}, h("a", { href: `#/pathways/${item.id}` }, item.title)),
            h("td", {}, statusText(item.status)),
            h("td", {}, String(item.revision)),
            reviewCell(item.review_due, isOverdue(item.review_due)),
            h("td", {}, item.latest_version ? String(item.latest_version) : "—"),
          ),
        ),
      ),
      pager("#/pathways", page),
    );
  }
  if (me.scope !== "read" && me.level) put(container, newPathwayForm());
}

function newPathwayForm() {
  const title = input({ name: "title", required: true });
  const targetGroup = input({ name: "target_group" });
  const reviewDue = input({ name: "review_due", type: "date" });
  const form = h(
    "form",
    { class: "form panel", novalidate: true, "aria-labelledby": "new-pathway-title" },
    h("h2", { id: "new-pathway-title" }, t("new_pathway")),
    field({ label: t("title"), control: title, id: "new-title" }),
    field({ label: t("target_group"), control: targetGroup, id: "new-target-group" }),
    field({ label: t("review_due"), control: reviewDue, id: "new-review-due" }),
    h("button", { type: "submit", class: "button" }, t("create")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { title: title.value };
    if (targetGroup.value) body.target_group = targetGroup.value;
    if (reviewDue.value) body.review_due = reviewDue.value;
    try {
      const { data } = await api("/pathways", { method: "POST", body });
      flashNext("success", t("saved"));
      go(`#/pathways/${data.id}`);
    } catch (problem) {
      if (problem.status === 422) {
        const ids = { "#/title": "new-title", "#/target_group": "new-target-group", "#/review_due": "new-review-due" };
        showErrors(form, problem, (pointer) => ids[pointer] || null);
      } else showProblem(form, problem);
    }
  });
  return form;
}

export async function catalogueView(container) {
  document.title = `${t("catalogue_title")} – ${t("app")}`;
  const filters = hashQuery();
  const q = input({ name: "q", value: filters.get("q") || "", type: "search" });
  const review = select(
    [["", t("all")], ["overdue", t("review_overdue_filter")], ["P90D", t("review_soon_filter")]],
    filters.get("review") || "",
    { name: "review" },
  );
  const targetGroup = input({ name: "target_group", value: filters.get("target_group") || "" });
  const [{ data: partnerships }, { data: organisations }, { data: page }] = await Promise.all([
    api("/partnerships?limit=200"),
    api("/organizations?limit=200"),
    api(
      `/catalogue${query({ q: q.value, review: review.value, partnership: filters.get("partnership"), organization: filters.get("organization"), target_group: targetGroup.value, limit: PAGE, offset: filters.get("offset") || 0 })}`,
    ),
  ]);
  const partnership = select(
    [["", t("all")], ...partnerships.items.map((item) => [item.id, item.name])],
    filters.get("partnership") || "",
    { name: "partnership" },
  );
  const organisation = select(
    [["", t("all")], ...organisations.items.filter((org) => org.level).map((org) => [org.id, org.name])],
    filters.get("organization") || "",
    { name: "organization" },
  );
  put(
    container,
    pageHeading(t("catalogue_title")),
    h("p", { class: "lead" }, t("catalogue_intro")),
    filterForm("#/catalogue", [
      [t("q"), q],
      [t("review"), review],
      [t("partnership"), partnership],
      [t("organisation"), organisation],
      [t("target_group_exact"), targetGroup],
    ]),
  );
  if (!page.items.length) {
    put(container, h("p", {}, t("no_results")));
    return;
  }
  const names = (level) => level.organizations.map((org) => org.name).join(", ") || "—";
  put(container,
    table(
      t("catalogue_title"),
      [t("title"), t("partnership"), t("version"), t("approved_at"), t("review_due"), t("hospitals"), t("municipalities")],
      page.items.map((item) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/pathways/${item.id}` }, item.title)),
          h("td", {}, item.partnership ? item.partnership.name : "—"),
          h("td", {}, String(item.version)),
          h("td", {}, dateText(item.approved_at)),
          reviewCell(item.review_due, item.review_overdue),
          h("td", {}, names(item.participants.hospital)),
          h("td", {}, names(item.participants.municipality)),
        ),
      ),
    ),
    pager("#/catalogue", page),
  );
}

export async function myHearingsView(container) {
  document.title = `${t("nav_hearings")} – ${t("app")}`;
  const { data: page } = await api(`/hearings${query({ limit: PAGE, offset: hashQuery().get("offset") || 0 })}`);
  put(container, pageHeading(t("nav_hearings")));
  if (!page.items.length) {
    put(container, h("p", {}, t("no_hearings")));
    return;
  }
  const list = h("ul", { class: "cards" });
  for (const round of page.items) put(list, h("li", { class: "card" }, ...hearingCard(round)));
  put(container, list, pager("#/hearings", page));
}

/** A hearing round: what is heard, by when, and (if open and mine to answer) the answer form. */
export function hearingCard(round) {
  const open = round.status === "open";
  const state = open ? t("hearing_state_open") : t("hearing_state_closed");
  const parts = [
    h("h3", {}, round.title || round.pathway_title),
    h(
      "p",
      {},
      badge(state, open ? "info" : "neutral"),
      ` ${t("hearing_deadline")}: ${dateText(round.deadline)}. ${t("revision")} ${round.revision}.`,
    ),
  ];
  if (round.description) parts.push(h("p", {}, round.description));
  const me = session.me;
  const mine = (round.invitees || []).find((invitee) => invitee.organization_id === me.organization.id);
  if (mine && open && !mine.answered && me.scope !== "read") parts.push(answerForm(round));
  else if (mine?.answered) parts.push(h("p", {}, `${t("answered")} ${timeText(mine.answered_at)}`));
  return parts;
}

function answerForm(round) {
  const name = `position-${round.id}`;
  const positions = ["agree", "agree_with_remarks", "disagree"];
  const text = h("textarea", { rows: "3", id: `answer-text-${round.id}` });
  const form = h(
    "form",
    { class: "form", novalidate: true },
    choices({
      id: `answer-position-${round.id}`,
      legend: t("position"),
      type: "radio",
      name,
      options: positions.map((value, index) => ({ value, label: t(`position_${value}`), checked: index === 0 })),
    }),
    field({ label: t("remarks"), control: text }),
    h("button", { type: "submit", class: "button" }, t("answer")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const position = form.querySelector(`input[name="${name}"]:checked`).value;
    try {
      await api(`/hearings/${round.id}/answer`, { method: "POST", body: { position, text: text.value } });
      announce(t("answered"));
      flashNext("success", t("answered"));
      go(location.hash);
    } catch (problem) {
      if (problem.status === 422) {
        showErrors(form, problem, (pointer) => (pointer === "#/text" ? text.id : pointer === "#/position" ? `answer-position-${round.id}` : null));
      } else showProblem(form, problem);
    }
  });
  return form;
}

/** The partnerships the organisation is a member of; the secretariat opens their overviews. */
export async function partnershipsView(container) {
  document.title = `${t("nav_partnerships")} – ${t("app")}`;
  const me = session.me;
  const { data: page } = await api(`/partnerships${query({ member: me.organization.id, limit: 200 })}`);
  put(container, pageHeading(t("nav_partnerships")));
  if (!page.items.length) {
    put(container, h("p", {}, t("no_partnerships")));
    return;
  }
  put(
    container,
    h(
      "ul",
      { class: "cards" },
      ...page.items.map((item) =>
        h(
          "li",
          { class: "card" },
          h("h2", {}, h("a", { href: `#/partnerships/${item.id}` }, item.name)),
          h("p", {}, `${t("policy")}: ${t(`policy_${item.approval_policy}`)}`),
        ),
      ),
    ),
  );
}

/** A partnership's overview: status counts, overdue reviews, approvals owed, adoption. */
export async function overviewView(container, id) {
  const filters = hashQuery();
  const { data } = await api(`/partnerships/${id}/overview${query({ limit: PAGE, offset: filters.get("offset") || 0 })}`);
  document.title = `${data.partnership.name} – ${t("app")}`;
  const count = (status) => String(data.by_status[status] || 0);
  put(
    container,
    pageHeading(data.partnership.name),
    h(
      "dl",
      { class: "facts", id: "overview-facts" },
      h("dt", {}, t("policy")),
      h("dd", {}, t(`policy_${data.partnership.approval_policy}`)),
      h("dt", {}, t("status_draft")),
      h("dd", {}, count("draft")),
      h("dt", {}, t("status_approved")),
      h("dd", {}, count("approved")),
      h("dt", {}, t("status_changed_any")),
      h("dd", {}, count("changed")),
      h("dt", {}, t("review_overdue_filter")),
      h("dd", {}, String(data.review_overdue)),
    ),
    h("h2", {}, t("approvals_owed")),
    data.pending.length
      ? table(
          t("approvals_owed"),
          [t("organisation"), t("pathways_waiting")],
          data.pending.map((org) => h("tr", {}, h("td", {}, org.name), h("td", {}, String(org.pathways)))),
        )
      : h("p", {}, t("none")),
    h("h2", {}, t("pathways")),
    table(
      t("pathways"),
      [t("title"), t("status"), t("review_due"), t("adopted"), t("pending_column")],
      data.pathways.map((item) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/pathways/${item.id}` }, item.title)),
          h("td", {}, statusText(item.status)),
          reviewCell(item.review_due, item.review_overdue),
          h(
            "td",
            {},
            item.adopted.length
              ? h("ul", { class: "plain" }, ...item.adopted.map((a) => h("li", {}, `${a.name}: ${t("version")} ${a.version}`)))
              : "—",
          ),
          h("td", {}, item.pending.map((org) => org.name).join(", ") || "—"),
        ),
      ),
    ),
    pager(`#/partnerships/${id}`, { ...data, items: data.pathways }),
  );
}
