// The duty officer's operations beside composing: each country's internet state (shutdown
// mode: SMS without a link where the internet is cut) and, once published, what was
// delivered. Same publisher API and SigV4 signing as console.js.
import { signRequest } from "./sigv4.js";

const $ = (id) => document.getElementById(id);
const LANGUAGE_NAMES = { ky: "Кыргызча", ru: "Русский", en: "English" };

let context = { credentials: () => null, apiUrl: () => location.origin, say: () => {} };

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

export async function signedJson(method, path, payload) {
  const credentials = context.credentials();
  if (!credentials) throw new Error("Set your AWS credentials first.");
  const url = `${credentials.apiUrl || context.apiUrl()}${path}`;
  const body = payload === undefined ? undefined : new TextEncoder().encode(JSON.stringify(payload));
  const baseHeaders = body ? { "content-type": "application/json" } : {};
  const { headers } = await signRequest({
    method,
    url,
    headers: baseHeaders,
    body: body || new Uint8Array(),
    credentials,
    region: credentials.region,
  });
  const response = await fetch(url, {
    method,
    headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body,
    credentials: "omit",
    cache: "no-store",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status}: ${data.error || data.message || "refused"}`);
  return data;
}

// ---- countries: internet state (shutdown mode) ------------------------------------------

export async function loadCountries() {
  if (!context.credentials()) return;
  try {
    showCountries(await signedJson("GET", "/countries"));
  } catch (error) {
    $("countries-state").textContent = `Not loaded: ${error.message}`;
  }
}

function showCountries(listing) {
  $("countries-state").textContent =
    `Default SMS budget: ${listing.default_sms_segment_budget} segment(s) per message.`;
  const rows = listing.countries.map((country) =>
    element("tr", { "data-country": country.country_code }, [
      element("th", { scope: "row", text: country.country_code }),
      element("td", { text: country.internet === "disrupted" ? "disrupted: SMS without a link" : "normal" }),
      element("td", { class: "num", text: String(country.sms_segment_budget) }),
      element("td", {}, [
        element("button", {
          type: "button",
          class: "secondary",
          "data-switch": country.country_code,
          "data-to": country.internet === "disrupted" ? "normal" : "disrupted",
          text: country.internet === "disrupted" ? "Mark normal" : "Mark disrupted",
        }),
      ]),
    ]),
  );
  $("countries-table").tBodies[0].replaceChildren(...rows);
}

async function setInternet(code, internet) {
  try {
    const state = await signedJson("PUT", `/countries/${encodeURIComponent(code)}`, { internet });
    context.say("success", `${state.country_code}: internet ${state.internet}. The next messages follow it.`);
    await loadCountries();
    context.onChange();
  } catch (error) {
    context.say("error", `Country not changed (${error.message}).`);
  }
}

// What the dry run adds for operations: the time to reach every phone at the account's SMS
// rate, and the countries whose messages differ (internet cut, or a budget of their own).
export function renderOperationsPreview(result) {
  $("reach").textContent = result.reach
    ? `Time to reach: ${result.reach.text} (model: ${result.reach.model}).`
    : "";
  renderCountryPreviews(result);
}

function renderCountryPreviews(result) {
  const countries = Object.entries(result.countries || {});
  $("country-previews").replaceChildren(
    ...countries.map(([code, country]) =>
      element("section", { class: "country-preview", "data-country-preview": code }, [
        element("h3", {
          text: `${code}: ${country.internet === "disrupted" ? "internet disrupted, SMS without a link" : "its own budget"} · ${country.sms_segment_budget} segment(s)`,
        }),
        ...Object.entries(country.preview).map(([language, message]) =>
          element("article", { class: "sms", "aria-label": `SMS to ${code} in ${LANGUAGE_NAMES[language]}` }, [
            element("header", {}, [
              element("strong", { text: `SMS · ${LANGUAGE_NAMES[language] || language}` }),
              element("span", { class: "meta", text: `${message.sms.encoding.toUpperCase()} · ${message.sms.segments} part(s)` }),
            ]),
            element("p", { class: "bubble", lang: language, "data-offline-sms": `${code}-${language}`, text: message.sms.text }),
          ]),
        ),
      ]),
    ),
  );
}

export function initOperations(options) {
  context = { onChange: () => {}, ...context, ...options };
  $("countries-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("country-code").value.trim().toUpperCase();
    setInternet(code, $("country-internet").value);
  });
  $("countries-table").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-switch]");
    if (button) setInternet(button.dataset.switch, button.dataset.to);
  });
  $("countries-box").addEventListener("toggle", () => {
    if ($("countries-box").open) loadCountries();
  });
}
