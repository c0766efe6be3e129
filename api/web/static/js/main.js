// The editor's one page: the route after "#" picks the view. Signing in asks the API who
// the token belongs to (GET /me) and keeps both in this tab (see api.js).

import { api, session, whenUnauthorized, Problem } from "./api.js";
import { h, clear, put, field, input, showErrors, showProblem, notice, pageHeading, announce } from "./dom.js";
import { t, lang, setLang } from "./i18n.js";
import { catalogueView, minePathwaysView, myHearingsView, overviewView, partnershipsView } from "./views/lists.js";
import { pathwayView } from "./views/pathway.js";

const main = () => document.getElementById("main");
let flash = null;

/** Show `text` as a notice at the top of the next view. */
export function flashNext(kind, text) {
  flash = { kind, text };
}

export function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function whoText(me) {
  const kind = me.level ? t(`level_${me.level}`) : t(`orgkind_${me.kind}`);
  return `${me.organization.name} (${kind}, ${t(`scope_${me.scope}`)})`;
}

function renderChrome() {
  document.documentElement.lang = lang();
  document.getElementById("skip-link").textContent = t("skip");
  document.getElementById("home-link").textContent = t("app");
  const footer = document.getElementById("footer-text");
  footer.replaceChildren(`${t("footer")} `, h("a", { href: "/docs" }, t("api_docs")));
  const nav = document.getElementById("site-nav");
  nav.setAttribute("aria-label", t("nav"));
  const who = clear(document.getElementById("who"));
  const me = session.me;
  const route = location.hash || "#/";
  nav.hidden = !me;
  clear(nav);
  if (me) {
    const links = [
      ["#/pathways", t("nav_mine")],
      ["#/catalogue", t("nav_catalogue")],
      ["#/hearings", t("nav_hearings")],
    ];
    // The partnership's overview is the secretariat's (and the operator's) page.
    if (me.kind === "secretariat" || me.scope === "operator") links.push(["#/partnerships", t("nav_partnerships")]);
    put(nav,
      h(
        "ul",
        {},
        ...links.map(([href, text]) =>
          h("li", {}, h("a", { href, "aria-current": route.startsWith(href) ? "page" : null }, text)),
        ),
      ),
    );
    put(who,
      h("p", { class: "who__name" }, h("span", { class: "visually-hidden" }, `${t("signed_in_as")} `), whoText(me)),
    );
  }
  put(who,
    h(
      "button",
      {
        type: "button",
        class: "button button--quiet",
        lang: lang() === "nb" ? "en" : "nb",
        on: {
          click: () => {
            setLang(lang() === "nb" ? "en" : "nb");
            render();
          },
        },
      },
      t("switch_language"),
    ),
  );
  if (me) {
    put(who,
      h(
        "button",
        {
          type: "button",
          class: "button button--quiet",
          id: "sign-out",
          on: {
            click: () => {
              session.signOut();
              flashNext("info", t("signed_out"));
              go("#/");
            },
          },
        },
        t("sign_out"),
      ),
    );
  }
}

function signInView(container) {
  document.title = `${t("sign_in_title")} – ${t("app")}`;
  const token = input({ type: "password", name: "token", autocomplete: "off", spellcheck: "false", required: true });
  const form = h(
    "form",
    { class: "form narrow", novalidate: true },
    field({ label: t("token"), hint: t("token_hint"), control: token, id: "token" }),
    h("button", { type: "submit", class: "button" }, t("sign_in")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (!value) {
      showErrors(form, new Problem(422, { title: t("error_summary"), errors: [{ pointer: "#/token", detail: t("token_required") }] }), () => "token");
      return;
    }
    try {
      const { data } = await api("/me", { token: value });
      session.signIn(value, data);
      token.value = "";
      announce(`${t("signed_in_as")} ${whoText(data)}`);
      go("#/pathways");
    } catch (problem) {
      if (problem.status === 401 || problem.status === 422) {
        showErrors(form, new Problem(problem.status, { ...problem.body, errors: [{ pointer: "#/token", detail: problem.message }] }), () => "token");
      } else {
        showProblem(form, problem);
      }
    }
  });
  put(container, pageHeading(t("sign_in_title")), h("p", { class: "lead" }, t("sign_in_intro")), form);
}

const ROUTES = [
  [/^#\/pathways$/, minePathwaysView],
  [/^#\/catalogue$/, catalogueView],
  [/^#\/hearings$/, myHearingsView],
  [/^#\/partnerships$/, partnershipsView],
  [/^#\/partnerships\/(\d+)$/, overviewView],
  [/^#\/pathways\/(\d+)(?:\/([a-z]+))?$/, pathwayView],
];

export async function render() {
  renderChrome();
  const container = clear(main());
  if (flash) {
    put(container, notice(flash.kind, h("p", {}, flash.text)));
    flash = null;
  }
  const hash = (location.hash || "#/").split("?")[0];
  if (!session.token) {
    signInView(container);
    focusHeading();
    return;
  }
  const found = ROUTES.map(([pattern, view]) => [pattern.exec(hash), view]).find(([match]) => match);
  if (!found) {
    go("#/pathways");
    return;
  }
  const [match, view] = found;
  try {
    await view(container, ...match.slice(1));
  } catch (problem) {
    if (!(problem instanceof Problem)) throw problem;
    showProblem(container, problem);
  }
  focusHeading();
}

/**
 * Move focus to the new view's heading (screen readers say where they are), unless the
 * user has moved on already: focus is only taken from nowhere (the body, or an element
 * the new view replaced), never from a control the user reached while the view loaded.
 */
function focusHeading() {
  const heading = document.getElementById("page-title");
  const active = document.activeElement;
  const nowhere = !active || active === document.body || !active.isConnected;
  if (heading && nowhere) heading.focus();
}

whenUnauthorized(() => {
  session.signOut();
  flashNext("warning", t("session_ended"));
  go("#/");
});

window.addEventListener("hashchange", render);
render();
