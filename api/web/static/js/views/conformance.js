// Conformance: the pathway against what happened. A log of handover events is imported
// against the approved version; the figures (per handover, message and item,
// organisation or month), the payment days and the picture coloured by share on time
// come from the API, which computes them in the database.

import { api, query, Problem } from "../api.js";
import { h, table, put, clear, field, select, notice, showErrors, showProblem, announce } from "../dom.js";
import { t, percent, delayText, kroner } from "../i18n.js";
import { standing } from "./pathway.js";
import { pictureOf, download } from "./tabs.js";

const TYPES = { csv: "text/csv", jsonl: "application/x-ndjson", ndjson: "application/x-ndjson", xes: "application/xml", xml: "application/xml" };

function contentTypeOf(file) {
  const extension = file.name.toLowerCase().split(".").pop();
  return TYPES[extension] || file.type || "application/octet-stream";
}

export async function conformanceTab(section, { id, pathway }) {
  const { role, me } = standing(pathway);
  if (!pathway.latest_version) {
    put(section, h("h2", {}, t("conformance")), h("p", {}, t("conformance_none")));
    return;
  }
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const by = select(
    ["transition", "item", "organization", "month"].map((value) => [value, t(`by_${value}`)]),
    params.get("by") || "transition",
    { id: "conformance-by" },
  );
  const figures = h("div", { id: "conformance-figures" });
  const status = h("p", { role: "status", class: "hint", id: "conformance-status" });
  put(
    section,
    h("h2", {}, t("conformance")),
    h("p", {}, t("conformance_intro", { version: pathway.latest_version })),
  );
  if ((role === "editor" || role === "secretariat") && me.scope !== "read") put(section, importForm(id, () => show()));
  const grouping = h(
    "form",
    { class: "filters" },
    field({ label: t("group_by"), control: by }),
    h("button", { type: "submit", class: "button button--secondary" }, t("filter")),
    h(
      "button",
      {
        type: "button",
        class: "button button--secondary",
        id: "conformance-csv",
        on: {
          click: () =>
            download(`/pathways/${id}/conformance/csv${query({ by: by.value })}`, `samsvar-${id}-${by.value}.csv`, status).catch(
              (problem) => showProblem(section, problem),
            ),
        },
      },
      t("download_csv"),
    ),
  );
  grouping.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  put(section, grouping, status, figures);

  async function show() {
    clear(figures);
    try {
      const [{ data }, { data: payments }, { data: picture }] = await Promise.all([
        api(`/pathways/${id}/conformance${query({ by: by.value })}`),
        api(`/pathways/${id}/conformance/payments`),
        api(`/pathways/${id}/conformance/picture`, { as: "text" }),
      ]);
      put(
        figures,
        h("p", {}, t("events_episodes", { events: data.events, episodes: data.episodes, left: data.left_pathway })),
        figureTable(data.rows),
        h("h3", {}, t("coloured_picture")),
        pictureOf(picture, t("coloured_picture")),
        h("h3", {}, t("payments")),
        h("p", { class: "hint" }, payments.rule),
        paymentTable(payments),
      );
    } catch (problem) {
      if (!(problem instanceof Problem)) throw problem;
      showProblem(figures, problem);
    }
  }
  await show();
}

function figureTable(rows) {
  const headers = [t("what"), t("expected"), t("on_time"), t("late"), t("missing_count"), t("share_on_time"), t("median_delay"), t("p90_delay")];
  return table(
    t("conformance"),
    headers,
    rows.map((row) =>
      h(
        "tr",
        { dataset: { transition: row.transition || "" } },
        h("th", { scope: "row" }, row.label, h("span", { class: "visually-hidden" }, `. ${row.summary}`)),
        h("td", {}, String(row.expected)),
        h("td", {}, String(row.on_time)),
        h("td", {}, String(row.late)),
        h("td", {}, String(row.missing)),
        h("td", {}, row.share_on_time === null ? "—" : percent(row.share_on_time)),
        h("td", {}, delayText(row.median_delay_seconds)),
        h("td", {}, delayText(row.p90_delay_seconds)),
      ),
    ),
    "conformance-table",
  );
}

function paymentTable(payments) {
  if (!payments.municipalities.length) return h("p", {}, t("no_payments"));
  const headers = [t("municipality"), t("year"), t("episodes"), t("days"), t("daily_rate"), t("cost")];
  return table(
    t("payments"),
    headers,
    payments.municipalities.map((row) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, row.municipality),
        h("td", {}, String(row.year)),
        h("td", {}, String(row.episodes)),
        h("td", {}, String(row.days)),
        h("td", {}, kroner(row.daily_rate)),
        h("td", {}, kroner(row.cost)),
      ),
    ),
    "payments-table",
  );
}

function importForm(id, done) {
  const file = h("input", { type: "file", id: "log-file", accept: ".csv,.jsonl,.ndjson,.xes,.xml" });
  const report = h("div", { id: "import-report" });
  const form = h(
    "form",
    { class: "form panel", novalidate: true },
    h("h3", {}, t("import_log")),
    field({ label: t("log_file"), hint: t("log_file_hint"), control: file }),
    h("button", { type: "submit", class: "button", id: "import-log" }, t("import")),
    report,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(report);
    const chosen = file.files[0];
    if (!chosen) {
      showErrors(form, new Problem(422, { title: t("error_summary"), errors: [{ pointer: "#/file", detail: t("log_file") }] }), () => file.id);
      return;
    }
    try {
      const { data } = await api(`/pathways/${id}/conformance/events`, { method: "POST", body: chosen, contentType: contentTypeOf(chosen) });
      const text = t("imported", data);
      put(
        report,
        notice(data.refused ? "warning" : "success", h("p", {}, text)),
        data.refusals.length
          ? [h("h4", {}, t("refused_rows")), h("ul", {}, ...data.refusals.map((r) => h("li", {}, t("row", r))))]
          : null,
      );
      announce(text);
      await done();
    } catch (problem) {
      if (!(problem instanceof Problem)) throw problem;
      showProblem(report, problem);
    }
  });
  return form;
}
