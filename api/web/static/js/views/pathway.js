// One pathway: its heading and facts, and a menu of its parts (each its own address:
// #/pathways/1, #/pathways/1/history, …). A reader who takes no part in the draft sees
// the public view of the latest approved version.

import { api, query, session } from "../api.js";
import { h, put, badge, pageHeading, notice } from "../dom.js";
import { t, dateText, statusText } from "../i18n.js";
import { conformanceTab } from "./conformance.js";
import { editorTab } from "./editor.js";
import { peopleTab, historyTab, diffTab, exportTab, commentsTab, variantsTab, publicView } from "./tabs.js";

const TABS = [
  ["", "tab_edit", editorTab],
  ["people", "tab_people", peopleTab],
  ["history", "tab_history", historyTab],
  ["diff", "tab_diff", diffTab],
  ["export", "tab_export", exportTab],
  ["comments", "tab_comments", commentsTab],
  ["variants", "tab_variants", variantsTab],
  ["conformance", "tab_conformance", conformanceTab],
];

/** The caller's place in the pathway: role ("editor", "commenter", "secretariat" or null), may edit. */
export function standing(pathway) {
  const me = session.me;
  const participant = (pathway.participants || []).find((p) => p.organization_id === me.organization.id);
  const role = participant ? participant.role : me.kind === "secretariat" ? "secretariat" : null;
  return { role, canEdit: role === "editor" && me.scope !== "read", me };
}

/** Whether a review date (YYYY-MM-DD) has passed, as the API's review_overdue says it. */
export function isOverdue(due) {
  return Boolean(due) && due < new Date().toISOString().slice(0, 10);
}

/** The newest `count` entries of a pathway's history (it pages oldest first). */
export async function recentHistory(id, count) {
  const { data: head } = await api(`/pathways/${id}/history?limit=1`);
  const offset = Math.max(0, head.total - count);
  const { data: page } = await api(`/pathways/${id}/history${query({ limit: count, offset })}`);
  return page.items;
}

export function pathwayFacts(pathway) {
  const overdue = isOverdue(pathway.review_due);
  const facts = [
    [t("status"), [badge(statusText(pathway.status), pathway.status === "approved" ? "success" : "info")]],
    [t("revision"), [String(pathway.revision)]],
    [t("review_due"), [dateText(pathway.review_due), overdue ? [" ", badge(t("overdue"), "danger")] : null]],
  ];
  if (pathway.latest_version) facts.push([t("version"), [String(pathway.latest_version)]]);
  if (pathway.target_group) facts.push([t("target_group"), [pathway.target_group]]);
  if (pathway.agreement_ref) facts.push([t("agreement_ref"), [pathway.agreement_ref]]);
  return h("dl", { class: "facts", id: "pathway-facts" }, ...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, ...value)]));
}

export async function pathwayView(container, id, tab = "") {
  const { data: pathway, etag } = await api(`/pathways/${id}`);
  document.title = `${pathway.title} – ${t("app")}`;
  if (pathway.view === "public") {
    put(container, pageHeading(pathway.title));
    await publicView(container, pathway);
    return;
  }
  const found = TABS.find(([slug]) => slug === tab) || TABS[0];
  const [, label, render] = found;
  document.title = `${t(label)}: ${pathway.title} – ${t("app")}`;
  put(container,
    pageHeading(pathway.title),
    pathwayFacts(pathway),
    pathway.variant_of
      ? notice("info", h("p", {}, t("variant_of", { id: pathway.variant_of.pathway_id, version: pathway.variant_of.version })))
      : null,
    h(
      "nav",
      { class: "subnav", "aria-label": t("tabs") },
      h(
        "ul",
        {},
        ...TABS.map(([slug, key]) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#/pathways/${id}${slug ? `/${slug}` : ""}`, "aria-current": slug === found[0] ? "page" : null },
              t(key),
            ),
          ),
        ),
      ),
    ),
  );
  const section = h("div", { class: "tab", id: "tab" });
  put(container, section);
  await render(section, { id: Number(id), pathway, etag });
}
