// The advisory page: every SMS and email links to /a/<id> (an SMS to the 8-character
// reference of the id). Reads GET /advisories/<id> on the citizen API and shows the advisory
// in the reader's language (?l=ky|ru|en from an email link, else the last choice, else the
// browser's), with the level in words, what to do, the hotlines as tel: links, and a banner
// when it was cancelled, superseded or has expired. Plain ES module, no build step, nothing
// loaded from elsewhere; made for a cheap phone on little credit.
import { preferredLanguage, stored } from "../site.js";
import { LANGUAGES, LANGUAGE_NAMES, STRINGS } from "./strings.js";

const $ = (id) => document.getElementById(id);
const FALLBACK_ORDER = ["ru", "en", "ky"]; // as the messages (FallbackLanguages)
const state = { lang: "ky", apiBase: "", view: null, problem: null, capUrl: "" };

function t(key, values = {}) {
  const text = STRINGS[state.lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get("l");
  return LANGUAGES.includes(asked) ? asked : preferredLanguage(LANGUAGES);
}

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (value !== undefined && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// Characters of ids the routes take as they are (CAP ids hold ":"); the rest encoded.
function idPath(advisoryId) {
  return advisoryId.replace(/[^A-Za-z0-9._:\/-]/g, (c) => encodeURIComponent(c));
}

// An advisory link on this site, in the current language.
function pageLink(advisoryId, version) {
  const query = new URLSearchParams({ l: state.lang });
  if (version) query.set("version", String(version));
  return `/a/${idPath(advisoryId)}?${query}`;
}

// Where the CAP feed put this version as CAP 1.2 (the ministry's own advisories only).
function capLink(advisoryId, version) {
  return `/cap/${idPath(advisoryId)}/${version}.xml`;
}

function webLink(url, text) {
  if (!/^https?:\/\//i.test(url || "")) return document.createTextNode(text || "");
  return element("a", { href: url, rel: "noopener noreferrer", text: text || url });
}

function formatTime(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  try {
    return new Intl.DateTimeFormat(state.lang, {
      year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit",
      timeZoneName: "short",
    }).format(moment);
  } catch {
    return iso;
  }
}

// A language's name in the page's language ("Russian", "орусча"), else its own name.
function languageName(code) {
  try {
    return new Intl.DisplayNames([state.lang], { type: "language" }).of(code) || LANGUAGE_NAMES[code];
  } catch {
    return LANGUAGE_NAMES[code];
  }
}

// The advisory's text in the reader's language, else the first of the fallback order.
function pickContent(content) {
  const byPrimary = {};
  for (const tag of Object.keys(content)) {
    const primary = tag.split("-")[0].toLowerCase();
    if (!(primary in byPrimary)) byPrimary[primary] = tag;
  }
  for (const wanted of [state.lang, ...FALLBACK_ORDER]) {
    if (wanted in byPrimary) return [byPrimary[wanted], content[byPrimary[wanted]]];
  }
  const tag = Object.keys(content)[0];
  return [tag, content[tag]];
}

function banner(text, kind, link) {
  const box = element("div", { class: `banner ${kind}`, role: kind === "info" ? undefined : "alert" }, [
    element("p", { text }),
  ]);
  if (link) box.append(link);
  return box;
}

function banners(view) {
  const found = [];
  const replacement = view.replaced_by
    ? element("a", { href: pageLink(view.replaced_by.advisory_id), text: t("openReplacement") })
    : null;
  if (view.lifecycle === "closed") found.push(banner(t("closed"), "alert", replacement));
  else if (view.lifecycle === "superseded") found.push(banner(t("superseded"), "alert", replacement));
  else if (view.lifecycle === "expired") found.push(banner(t("expired"), "alert"));
  if (view.version < view.latest_version) {
    const latest = element("a", { href: pageLink(view.advisory_id), text: t("openLatest") });
    found.push(banner(t("newer"), "info", latest));
  }
  if (view.msg_type === "cancel") {
    const box = banner(t("cancels"), "info");
    for (const reference of view.references) {
      box.append(element("a", { href: pageLink(reference.advisory_id), text: t("openReferenced") }), " ");
    }
    found.push(box);
  }
  return found;
}

function show(view) {
  const [tag, text] = pickContent(view.content);
  const primary = tag.split("-")[0].toLowerCase();
  document.title = `${text.headline} – ${t("title")}`;

  $("banners").replaceChildren(...banners(view));
  const level = $("level");
  level.className = `level level-${view.level}`;
  level.textContent = t("level", { n: view.level, words: t(`level${view.level}`) });

  const headline = $("headline");
  headline.textContent = text.headline;
  // Each country links to its page: what else is in force there, and a sign-up set to it.
  const where = [];
  view.countries.forEach((country, position) => {
    if (position) where.push(", ");
    where.push(element("a", { href: `/c/${country.code}`, text: country.names[state.lang] || country.code }));
  });
  const areas = view.areas.map((a) => a.name).join(", ");
  if (areas) where.push(`: ${areas}`);
  $("where").replaceChildren(...where);

  const fallback = $("fallback");
  fallback.hidden = primary === state.lang;
  fallback.textContent = t("fallback", { lang: languageName(primary) || tag });

  // What to do, as the SMS said it; the instruction in full follows with the text.
  const advice = text.advice || text.instruction || "";
  $("todo").hidden = !advice;
  $("instruction").textContent = advice;

  const hotlines = view.hotlines.map((hotline) =>
    element("li", {}, [
      element("a", { href: `tel:${hotline.number}`, "aria-label": `${t("call")}: ${hotline.label || ""} ${hotline.number}` }, [
        element("span", { class: "number", text: hotline.number }),
        element("span", { class: "label", text: hotline.label || t("call") }),
      ]),
    ]),
  );
  $("hotline-list").replaceChildren(...hotlines);
  $("hotlines").hidden = hotlines.length === 0;

  // The summary is usually inside the body: never print a text twice.
  const parts = [];
  for (const part of [text.instruction, text.summary, text.body]) {
    if (part && part !== advice && !parts.some((p) => p.includes(part))) parts.push(part);
  }
  const paragraphs = parts.filter((p) => !parts.some((q) => q !== p && q.includes(p)));
  const details = paragraphs.map((p) => element("p", { text: p }));
  if (text.web) details.push(element("p", {}, [webLink(text.web)]));
  $("text").replaceChildren(...details);
  $("details").hidden = details.length === 0;

  // The advisory's own words are in its language, whatever the page's is.
  for (const id of ["headline", "instruction", "text", "hotline-list", "where"]) $(id).lang = primary;

  const facts = [];
  const fact = (term, value) => facts.push(element("dt", { text: term }), element("dd", {}, [value]));
  if (view.expires) fact(t("validUntil"), document.createTextNode(formatTime(view.expires)));
  fact(t("issued"), document.createTextNode(formatTime(view.sent)));
  fact(t("source"), webLink(view.source_url, view.sender || view.source));
  if (state.capUrl) {
    fact(t("capDocument"), element("a", { href: state.capUrl, type: "application/cap+xml", text: "CAP 1.2" }));
  }
  $("facts").replaceChildren(...facts);
}

function say(kind, text, detail = "") {
  const box = $("status");
  box.className = `notice ${kind}`;
  box.replaceChildren(text);
  if (detail) box.append(element("span", { class: "detail", text: detail }));
}

function render() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  if (state.view) {
    $("status").replaceChildren();
    $("status").className = "notice";
    show(state.view);
    $("advisory").hidden = false;
  } else if (state.problem) {
    say("error", t(state.problem.key), state.problem.detail);
  } else {
    say("", t("loading"));
  }
}

function setLanguage(lang) {
  state.lang = lang;
  stored("lang", lang);
  const query = new URLSearchParams(location.search);
  query.set("l", lang);
  history.replaceState(null, "", `${location.pathname}?${query}`);
  render();
}

async function load() {
  const raw = location.pathname.replace(/^\/a\//, "");
  let advisoryId = "";
  try {
    advisoryId = decodeURIComponent(raw);
  } catch {
    advisoryId = "";
  }
  if (!advisoryId) {
    state.problem = { key: "badLink", detail: "" };
    return;
  }
  try {
    const response = await fetch("/config.json");
    if (response.ok) state.apiBase = ((await response.json()).citizen_api_url || "").replace(/\/+$/, "");
  } catch {
    // No configuration: the API is at this origin.
  }
  const version = new URLSearchParams(location.search).get("version");
  const path = `/advisories/${encodeURIComponent(advisoryId)}${version ? `?version=${encodeURIComponent(version)}` : ""}`;
  let response;
  try {
    response = await fetch(state.apiBase + path, { headers: { Accept: "application/json" }, credentials: "omit" });
  } catch {
    state.problem = { key: "offline", detail: "" };
    return;
  }
  const data = await response.json().catch(() => ({}));
  if (response.ok) {
    state.view = data;
    const cap = capLink(data.advisory_id, data.version);
    try {
      const found = await fetch(cap, { method: "HEAD", credentials: "omit" });
      if (found.ok) state.capUrl = cap;
    } catch {
      // No link then: the page works without it.
    }
  } else {
    const key = response.status === 404 ? "notFound" : response.status === 400 ? "badLink" : "failed";
    state.problem = { key, detail: typeof data.error === "string" ? data.error : "" };
  }
}

state.lang = initialLanguage();
for (const button of document.querySelectorAll("[data-lang]")) {
  button.addEventListener("click", () => setLanguage(button.dataset.lang));
}
render();
load().then(render);
