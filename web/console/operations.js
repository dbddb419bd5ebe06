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

// ---- delivery report: what the published version came to -------------------------------

const REFRESH_MS = 15000;
let refreshTimer = null;

function seconds(value) {
  if (value === null || value === undefined) return "–";
  const total = Math.round(value);
  const minutes = Math.floor(total / 60);
  return minutes ? `${minutes} min ${total % 60} s` : `${total} s`;
}

function count(value) {
  return value === null || value === undefined ? "–" : String(value);
}

export async function showDelivery(advisoryId, version) {
  $("delivery-id").value = advisoryId;
  $("delivery-version").value = String(version);
  $("delivery-box").open = true;
  await loadDelivery();
}

async function loadDelivery() {
  clearTimeout(refreshTimer);
  const advisoryId = $("delivery-id").value.trim();
  const version = $("delivery-version").value.trim();
  if (!advisoryId || !version) return;
  try {
    const report = await signedJson(
      "GET",
      `/advisories/${encodeURIComponent(advisoryId)}/versions/${encodeURIComponent(version)}/delivery`,
    );
    renderDelivery(report);
    $("delivery-state").textContent = `Updated ${new Date().toLocaleTimeString()}; refreshed every ${REFRESH_MS / 1000} s while open.`;
  } catch (error) {
    $("delivery-state").textContent = `Not loaded: ${error.message}`;
  }
  if ($("delivery-box").open) refreshTimer = setTimeout(loadDelivery, REFRESH_MS);
}

function reasons(sms) {
  return Object.entries(sms.failed_by_reason).map(([reason, n]) => `${reason} ${n}`).join(", ") || "–";
}

function renderDelivery(report) {
  const share = report.delivered_share === null ? "–" : `${Math.round(report.delivered_share * 100)}%`;
  $("delivery-summary").textContent =
    `${report.advisory_id} v${report.version}: ${report.sms.delivered} SMS delivered, ${report.sms.failed} failed ` +
    `(${share} of those with a receipt), ${count(report.pending)} pending at most, ` +
    `${report.sms.cost_usd.toFixed(4)} USD; last receipt ${seconds(report.seconds_to_last_receipt)} after publishing.`;
  const rows = report.segments.map((segment) =>
    element("tr", { "data-delivery-segment": segment.segment }, [
      element("th", { scope: "row", text: segment.segment }),
      element("td", { class: "num", text: count(segment.audience) }),
      element("td", { class: "num", text: String(segment.sms.delivered) }),
      element("td", { class: "num", text: String(segment.sms.failed) }),
      element("td", { text: reasons(segment.sms) }),
      element("td", { class: "num", text: count(segment.pending) }),
      element("td", { class: "num", text: segment.sms.cost_usd.toFixed(4) }),
    ]),
  );
  $("delivery-table").tBodies[0].replaceChildren(...rows);
  const emails = report.emails || { sent: 0, delivered: 0, bounced: 0, complained: 0 };
  $("delivery-email").textContent =
    `Email (SES): ${emails.sent} sent, ${emails.delivered} delivered, ` +
    `${emails.bounced} bounced, ${emails.complained} complained.`;
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
  $("delivery-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadDelivery();
  });
  $("delivery-box").addEventListener("toggle", () => {
    if (!$("delivery-box").open) clearTimeout(refreshTimer);
  });
}
