// The citizen page: subscribe (SMS with a code, or email confirmed by the link we mail),
// then manage or cancel from the link in a message (/s/<id>#<token>), or with a code to
// the phone (/unsubscribe). Plain ES module, no build step, nothing loaded from elsewhere.
// It calls the citizen API at the URL in /config.json (`make publish-web` writes it from
// the stack's outputs; the API allows this site's origin), or at this origin (`alerts
// serve` serves both locally).
import { preferredLanguage, stored } from "../site.js";
import { loadInForce, renderInForce } from "./in-force.js";
import { COUNTRIES, LANGUAGES, STRINGS } from "./strings.js";

const $ = (id) => document.getElementById(id);
const state = {
  apiBase: "",
  lang: "ky",
  messageLanguageTouched: false,
  subscriptionId: null,
  token: null,
  view: null,
  country: null, // /c/<CC>: that country's page
  inForce: undefined, // /feeds/index.json once read (null: it could not be)
};

// ---- language -----------------------------------------------------------------------

function t(key, values = {}) {
  const text = STRINGS[state.lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function countryName(code) {
  const known = COUNTRIES[code]?.[state.lang] || state.inForce?.country_names?.[code]?.[state.lang];
  if (known) return known;
  try {
    return new Intl.DisplayNames([state.lang], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

function setLanguage(lang) {
  state.lang = lang;
  stored("lang", lang);
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  for (const label of document.querySelectorAll("[data-country-name]")) {
    label.textContent = countryName(label.dataset.countryName);
  }
  if (!state.messageLanguageTouched) {
    const radio = document.querySelector(`#subscribe-form input[name="language"][value="${lang}"]`);
    if (radio) radio.checked = true;
  }
  if (state.view) showSubscription(state.view);
  showInForce();
}

// ---- 0. the advisories in force (home, /c/<CC>) -------------------------------------

function showInForce() {
  const section = $("in-force");
  if (section.hidden) return;
  if (state.inForce !== undefined) {
    renderInForce(section, state.inForce, { lang: state.lang, t, country: state.country, countryName });
  }
  if (state.country) {
    $("subscribe-title").textContent = t("subscribeCountry", { country: countryName(state.country) });
  }
  for (const label of document.querySelectorAll("[data-country-name]")) {
    label.textContent = countryName(label.dataset.countryName);
  }
}

// A country's page: the sign-up already set to it (offered even when not in the list).
function chooseCountry(code) {
  const form = $("subscribe-form");
  let input = form.querySelector(`input[name="countries"][value="${code}"]`);
  if (!input) {
    const choices = form.querySelector('input[name="countries"]').closest(".choices");
    input = element("input", { type: "checkbox", name: "countries", value: code });
    choices.prepend(element("label", { class: "choice" }, [input, " ", element("span", { "data-country-name": code })]));
  }
  input.checked = true;
}

// ---- the preferences fieldsets (subscribe and manage share them) --------------------

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("data-")) node.setAttribute(name, value);
    else if (value !== false && value !== undefined) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

function choice(type, name, value, labelNode, checked = false) {
  const input = element("input", { type, name, value, checked });
  return element("label", { class: "choice" }, [input, " ", labelNode]);
}

function buildPreferences(container) {
  const countries = element("fieldset", {}, [
    element("legend", { "data-i18n": "countries" }),
    element("p", { class: "hint", "data-i18n": "countriesHint" }),
    element(
      "div",
      { class: "choices" },
      Object.keys(COUNTRIES).map((code) =>
        choice("checkbox", "countries", code, element("span", { "data-country-name": code })),
      ),
    ),
  ]);
  const languages = element("fieldset", {}, [
    element("legend", { "data-i18n": "messageLanguage" }),
    element(
      "div",
      { class: "choices" },
      [
        ["ky", "Кыргызча"],
        ["ru", "Русский"],
        ["en", "English"],
      ].map(([code, name]) => choice("radio", "language", code, element("span", { lang: code, text: name }))),
    ),
  ]);
  const levels = element("fieldset", {}, [
    element("legend", { "data-i18n": "levels" }),
    element(
      "div",
      { class: "choices stack" },
      [1, 2, 3, 4].map((level) =>
        choice("radio", "min_level", String(level), element("span", { "data-i18n": `level${level}` }), level === 1),
      ),
    ),
  ]);
  container.replaceChildren(countries, languages, levels);
}

function readPreferences(form) {
  return {
    countries: [...form.querySelectorAll('input[name="countries"]:checked')].map((input) => input.value),
    language: form.querySelector('input[name="language"]:checked')?.value,
    min_level: Number(form.querySelector('input[name="min_level"]:checked')?.value || 1),
  };
}

function fillPreferences(form, view) {
  for (const input of form.querySelectorAll('input[name="countries"]')) {
    input.checked = view.countries.includes(input.value);
  }
  for (const input of form.querySelectorAll('input[name="language"]')) {
    input.checked = input.value === view.language;
  }
  for (const input of form.querySelectorAll('input[name="min_level"]')) {
    input.checked = Number(input.value) === view.min_level;
  }
}

// ---- talking to the citizen API -----------------------------------------------------

class ApiError extends Error {
  constructor(status, data) {
    super(`HTTP ${status}`);
    this.status = status;
    this.data = data || {};
  }
}

async function api(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(state.apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, {});
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function apiDetail(data) {
  if (typeof data.error === "string") return data.error;
  if (Array.isArray(data.detail)) {
    return data.detail.map((item) => `${(item.loc || []).slice(1).join(".")}: ${item.msg}`).join("; ");
  }
  return "";
}

function say(kind, text, detail = "") {
  const box = $("status");
  box.className = `notice ${kind}`;
  box.replaceChildren(text);
  if (detail) box.append(element("span", { class: "detail", text: detail }));
}

function clearStatus() {
  $("status").replaceChildren();
}

function sayError(error, messages = {}) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 0) return say("error", t("offline"));
  if (error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.data.retry_after || 60) / 60));
    return say("error", t("tooMany", { n: minutes }));
  }
  const key = messages[error.status] || (error.status === 422 ? "invalid" : "failed");
  say("error", t(key), apiDetail(error.data));
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

function show(sectionId) {
  for (const id of ["subscribe", "verify", "done", "email-sent", "manage", "recover"]) {
    $(id).hidden = id !== sectionId;
  }
  $("to-recover").hidden = sectionId === "recover";
  const heading = $(sectionId).querySelector("h2");
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

// ---- 1-3. subscribe, verify, done ---------------------------------------------------

function channel() {
  return document.querySelector('#subscribe-form input[name="channel"]:checked').value;
}

function onChannelChange() {
  const sms = channel() === "sms";
  $("phone-field").hidden = !sms;
  $("email-field").hidden = sms;
}

async function onSubscribe(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const preferences = readPreferences(form);
  const sms = channel() === "sms";
  const address = (sms ? $("phone").value : $("email").value).trim();
  if (!address) {
    say("error", t(sms ? "enterPhone" : "enterEmail"));
    (sms ? $("phone") : $("email")).focus();
    return;
  }
  if (preferences.countries.length === 0) {
    say("error", t("chooseCountry"));
    form.querySelector('input[name="countries"]').focus();
    return;
  }
  await busy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const reply = await api("POST", "/subscriptions", {
        channel: sms ? "sms" : "email",
        address: sms ? address.replace(/[\s()-]/g, "") : address,
        ...preferences,
      });
      state.subscriptionId = reply.subscription_id;
      if (sms) {
        say("success", t("codeSent"));
        show("verify");
        $("code").focus();
      } else {
        // No token and no link here: they come with the confirmation email, to whoever
        // holds the mailbox. The same words whether or not it was already subscribed.
        state.subscriptionId = null;
        clearStatus();
        show("email-sent");
      }
    } catch (error) {
      sayError(error, { 409: "failed" });
    }
  });
}

async function onVerify(event) {
  event.preventDefault();
  const code = $("code").value.trim();
  if (!/^\d{6}$/.test(code)) {
    say("error", t("enterCode"));
    $("code").focus();
    return;
  }
  await busy(event.currentTarget.querySelector('button[type="submit"]'), async () => {
    try {
      const reply = await api("POST", `/subscriptions/${encodeURIComponent(state.subscriptionId)}/verify`, { code });
      showDone(reply);
    } catch (error) {
      sayError(error, { 400: "wrongCode", 423: "locked", 404: "linkInvalid" });
    }
  });
}

async function onResend(event) {
  await busy(event.currentTarget, async () => {
    try {
      await api("POST", `/subscriptions/${encodeURIComponent(state.subscriptionId)}/code`, {});
      say("success", t("codeSent"));
    } catch (error) {
      sayError(error, { 423: "locked" });
    }
  });
}

function showDone(reply) {
  state.subscriptionId = reply.subscription_id;
  state.token = reply.manage_token;
  clearStatus();
  $("done-link").textContent = reply.manage_link || "";
  $("done-manage").href = `/s/${encodeURIComponent(reply.subscription_id)}#${reply.manage_token}`;
  show("done");
}

// ---- 4. manage or cancel ------------------------------------------------------------

function showSubscription(view) {
  state.view = view;
  $("manage-facts").hidden = false;
  $("manage-address").textContent = view.address;
  $("manage-status").textContent = t(`status_${view.status}`);
  const live = view.status !== "unsubscribed" && view.status !== "locked";
  $("manage-form").hidden = !live;
  $("cancel-actions").hidden = !live;
}

async function openManage(subscriptionId, token) {
  state.subscriptionId = subscriptionId;
  state.token = token;
  show("manage");
  $("manage-unsubscribe-only").hidden = true;
  if (!token) {
    say("error", t("linkInvalid"));
    return show("recover");
  }
  if (token.startsWith("u.")) {
    // An unsubscribe link: it may end the subscription and nothing else (not even read it).
    $("manage-unsubscribe-only").hidden = false;
    $("manage-form").hidden = true;
    $("manage-facts").hidden = true;
    $("cancel-actions").hidden = false;
    return;
  }
  try {
    const view = await api("GET", `/subscriptions/${encodeURIComponent(subscriptionId)}`, undefined, token);
    fillPreferences($("manage-form"), view);
    showSubscription(view);
  } catch (error) {
    if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
      say("error", t("linkInvalid"));
      return show("recover");
    }
    sayError(error);
  }
}

async function onSave(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const preferences = readPreferences(form);
  if (preferences.countries.length === 0) {
    say("error", t("chooseCountry"));
    return;
  }
  await busy(form.querySelector('button[type="submit"]'), async () => {
    try {
      const view = await api(
        "PATCH",
        `/subscriptions/${encodeURIComponent(state.subscriptionId)}`,
        preferences,
        state.token,
      );
      showSubscription(view);
      say("success", t("saved"));
    } catch (error) {
      sayError(error);
    }
  });
}

function askToCancel() {
  $("cancel-actions").hidden = true;
  $("confirm-cancel").hidden = false;
  $("unsubscribe-yes").focus();
}

function keepSubscription() {
  $("confirm-cancel").hidden = true;
  $("cancel-actions").hidden = false;
  $("unsubscribe").focus();
}

async function onCancel(event) {
  await busy(event.currentTarget, async () => {
    try {
      await api("DELETE", `/subscriptions/${encodeURIComponent(state.subscriptionId)}`, undefined, state.token);
      $("confirm-cancel").hidden = true;
      $("manage-form").hidden = true;
      $("manage-facts").hidden = true;
      $("manage-unsubscribe-only").hidden = true;
      state.view = null;
      say("success", t("unsubscribed"));
      $("status").focus();
    } catch (error) {
      sayError(error, { 401: "linkInvalid", 403: "linkInvalid", 404: "linkInvalid" });
    }
  });
}

// ---- 5. a code to the phone instead of a link ---------------------------------------

async function onRecoverPhone(event) {
  event.preventDefault();
  const address = $("recover-phone").value.replace(/[\s()-]/g, "");
  if (!address) {
    say("error", t("enterPhone"));
    return;
  }
  await busy(event.currentTarget.querySelector('button[type="submit"]'), async () => {
    try {
      await api("POST", "/subscriptions/code", { address });
      say("success", t("codeSentIfSubscribed"));
      $("recover-code-form").hidden = false;
      $("recover-code").focus();
    } catch (error) {
      sayError(error);
    }
  });
}

async function onRecoverCode(event) {
  event.preventDefault();
  const address = $("recover-phone").value.replace(/[\s()-]/g, "");
  const code = $("recover-code").value.trim();
  if (!/^\d{6}$/.test(code)) {
    say("error", t("enterCode"));
    return;
  }
  await busy(event.currentTarget.querySelector('button[type="submit"]'), async () => {
    try {
      const view = await api("POST", "/subscriptions/token", { address, code });
      clearStatus();
      await openManage(view.subscription_id, view.manage_token);
    } catch (error) {
      sayError(error, { 400: "wrongCode", 423: "locked" });
    }
  });
}

// ---- start ---------------------------------------------------------------------------

// The manage token reads, changes and ends the subscription: out of the address bar and the
// history once read (a shared phone, synced history), kept for this tab only.
function linkToken(subscriptionId) {
  const key = `token:${subscriptionId}`;
  let token = "";
  try {
    token = decodeURIComponent(location.hash.slice(1));
  } catch {
    token = "malformed"; // a damaged link: the API refuses it and the page says so
  }
  if (location.hash) {
    history.replaceState(null, "", location.pathname + location.search);
    stored(key, token, "session"); // refused: a reload asks for the link again
    return token;
  }
  return stored(key, undefined, "session") || "";
}

function route() {
  const link = location.pathname.match(/^\/s\/([A-Za-z0-9_-]{1,64})$/);
  const unsubscribe = /^\/unsubscribe\/?$/.test(location.pathname);
  $("in-force").hidden = Boolean(link || unsubscribe);
  if (link) return openManage(link[1], linkToken(link[1]));
  if (unsubscribe) return show("recover");
  const country = location.pathname.match(/^\/c\/([A-Z]{2})$/);
  if (country) {
    state.country = country[1];
    chooseCountry(state.country);
  }
  $("subscribe").hidden = false;
  showInForce();
  loadInForce().then((index) => {
    state.inForce = index;
    showInForce();
  });
}

async function start() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok) state.apiBase = ((await response.json()).citizen_api_url || "").replace(/\/+$/, "");
  } catch {
    // No configuration: the API is at this origin.
  }
  for (const container of document.querySelectorAll("[data-preferences]")) buildPreferences(container);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  for (const radio of document.querySelectorAll('#subscribe-form input[name="language"]')) {
    radio.addEventListener("change", () => {
      state.messageLanguageTouched = true;
    });
  }
  for (const radio of document.querySelectorAll('input[name="channel"]')) {
    radio.addEventListener("change", onChannelChange);
  }
  $("subscribe-form").addEventListener("submit", onSubscribe);
  $("verify-form").addEventListener("submit", onVerify);
  $("resend").addEventListener("click", onResend);
  $("manage-form").addEventListener("submit", onSave);
  $("unsubscribe").addEventListener("click", askToCancel);
  $("unsubscribe-no").addEventListener("click", keepSubscription);
  $("unsubscribe-yes").addEventListener("click", onCancel);
  $("recover-form").addEventListener("submit", onRecoverPhone);
  $("recover-code-form").addEventListener("submit", onRecoverCode);
  $("done-manage").addEventListener("click", (event) => {
    event.preventDefault();
    // The page's path only: the token stays in this tab, never in the history.
    history.pushState(null, "", `/s/${state.subscriptionId}`);
    stored(`token:${state.subscriptionId}`, state.token, "session");
    openManage(state.subscriptionId, state.token);
  });
  window.addEventListener("popstate", () => location.reload());
  setLanguage(preferredLanguage(LANGUAGES));
  $("status").setAttribute("tabindex", "-1");
  route();
}

start();
