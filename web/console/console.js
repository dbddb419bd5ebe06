// The publisher console: compose or paste an advisory (or upload CAP), see what citizens
// will receive as you type (the publisher API's dry run), then publish. It uses the same
// API and authorization as every other publisher: each request is signed with SigV4 from
// the officer's own credentials (sigv4.js), kept in this tab's sessionStorage only.
import { signRequest } from "./sigv4.js";
import { initApprovals, loadApprovals } from "./approvals.js";
import { initOperations, loadCountries, renderOperationsPreview, showDelivery } from "./operations.js";

const $ = (id) => document.getElementById(id);
const LANGUAGE_NAMES = { ky: "Кыргызча", ru: "Русский", en: "English" };
const DEBOUNCE_MS = 400;
const STORE = "publisher-console";

const state = {
  config: { publisher_api_url: "", region: "us-east-1", local: false },
  credentials: null,
  capBytes: null, // an uploaded CAP file, sent exactly as read
  timer: null,
  inFlight: null,
  sequence: 0,
  lastPreview: null,
  lastRequest: null, // the bytes and content type the last preview was made of
  confirmedRequest: null,
};

// ---- credentials ---------------------------------------------------------------------

function loadCredentials() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function useCredentials(credentials) {
  state.credentials = credentials;
  if (credentials) sessionStorage.setItem(STORE, JSON.stringify(credentials));
  else sessionStorage.removeItem(STORE);
  $("access-key").value = credentials?.accessKeyId || "";
  $("secret-key").value = credentials?.secretAccessKey || "";
  $("session-token").value = credentials?.sessionToken || "";
  $("region").value = credentials?.region || state.config.region;
  $("api-url").value = credentials?.apiUrl || apiUrlDefault();
  const badge = $("credentials-state");
  badge.textContent = credentials ? `set: ${credentials.accessKeyId}` : "not set";
  badge.className = `badge ${credentials ? "ok" : "warn"}`;
  $("credentials-box").open = !credentials;
}

function apiUrlDefault() {
  return state.config.publisher_api_url || location.origin;
}

function onCredentialsSubmit(event) {
  event.preventDefault();
  const accessKeyId = $("access-key").value.trim();
  const secretAccessKey = $("secret-key").value.trim();
  if (!accessKeyId || !secretAccessKey) {
    say("error", "Enter an access key ID and its secret access key.");
    return;
  }
  useCredentials({
    accessKeyId,
    secretAccessKey,
    sessionToken: $("session-token").value.trim(),
    region: $("region").value.trim() || "us-east-1",
    apiUrl: $("api-url").value.trim().replace(/\/+$/, "") || apiUrlDefault(),
  });
  say("success", "Credentials set for this tab.");
  schedulePreview(0);
}

// Only `alerts serve` answers this: the local runtime's own publisher credentials, the
// officer's or (?as=approver) the second officer's, another IAM principal.
async function localCredentials(role) {
  const response = await fetch(`/_local/publisher-credentials?as=${role}`, { cache: "no-store" }).catch(() => null);
  if (!response?.ok) return null;
  const local = await response.json();
  return {
    accessKeyId: local.access_key_id,
    secretAccessKey: local.secret_access_key,
    sessionToken: "",
    region: local.region,
    apiUrl: apiUrlDefault(),
    principal: local.principal, // known locally only: marks the versions this officer posted
    role,
  };
}

async function onIdentityChange() {
  const role = $("identity").value;
  const credentials = await localCredentials(role);
  if (!credentials) {
    say("error", "The local runtime gave no credentials for that identity.");
    return;
  }
  useCredentials(credentials);
  say("success", `Signed in as the ${role === "approver" ? "second officer" : "officer"} (${credentials.principal}).`);
  loadApprovals();
  schedulePreview(0);
}

// ---- the request ----------------------------------------------------------------------

function format() {
  return document.querySelector('input[name="format"]:checked').value;
}

function metadata() {
  const data = {};
  const countries = $("countries").value.toUpperCase().split(/[\s,;]+/).filter(Boolean);
  if (countries.length) data.countries = countries;
  if ($("level").value) data.level = Number($("level").value);
  if ($("language").value) data.language = $("language").value;
  if ($("major").checked) data.significance = "major";
  if ($("exercise").checked) data.status = "exercise"; // training mode: staff only
  return data;
}

function requestBody() {
  const text = $("body").value;
  const revert = $("revert").checked; // the API's ?revert=true: restore an earlier version
  switch (format()) {
    case "cap":
      return {
        contentType: "application/cap+xml",
        bytes: state.capBytes || new TextEncoder().encode(text),
        revert,
      };
    case "json":
      return { contentType: "application/json", bytes: new TextEncoder().encode(text), revert };
    default:
      return {
        contentType: "application/json",
        bytes: new TextEncoder().encode(JSON.stringify({ text, format: "text", metadata: metadata() })),
        revert,
      };
  }
}

class ApiError extends Error {
  constructor(status, data) {
    super(data?.error || data?.message || `HTTP ${status}`);
    this.status = status;
  }
}

// Only what the publisher API defines: dry_run and revert (true when set), and If-Match
// naming the version the officer previewed, so that a version someone else published
// meanwhile is a 412 rather than overwritten.
async function post(dryRun, signal, request = requestBody(), editedVersion = null) {
  const credentials = state.credentials;
  if (!credentials) throw new ApiError(0, { error: "Set your AWS credentials first." });
  const { contentType, bytes } = request;
  const query = [dryRun && "dry_run=true", request.revert && "revert=true"].filter(Boolean);
  const url = `${credentials.apiUrl || apiUrlDefault()}/advisories${query.length ? `?${query.join("&")}` : ""}`;
  const sent = { "content-type": contentType };
  if (editedVersion) sent["if-match"] = `"${editedVersion}"`;
  const { headers } = await signRequest({
    method: "POST",
    url,
    headers: sent,
    body: bytes,
    credentials,
    region: credentials.region,
  });
  const response = await fetch(url, {
    method: "POST",
    headers: { ...sent, ...headers },
    body: bytes,
    signal,
    credentials: "omit",
    cache: "no-store",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// ---- live preview ----------------------------------------------------------------------

function schedulePreview(delay = DEBOUNCE_MS) {
  // Any change makes the last preview and its confirmation stale: nothing can be published
  // until the preview of what is in the form now has come back.
  state.lastPreview = null;
  state.lastRequest = null;
  $("publish").disabled = true;
  $("confirm-publish").hidden = true;
  clearTimeout(state.timer);
  state.timer = setTimeout(preview, delay);
}

async function preview() {
  if (!$("body").value.trim() && !state.capBytes) {
    setPreviewState("no preview yet", "");
    return;
  }
  if (!state.credentials) {
    setPreviewState("needs credentials", "warn");
    return;
  }
  state.inFlight?.abort();
  const controller = new AbortController();
  state.inFlight = controller;
  const sequence = ++state.sequence;
  setPreviewState("updating…", "");
  $("preview").setAttribute("aria-busy", "true");
  try {
    const request = requestBody();
    const result = await post(true, controller.signal, request);
    if (sequence !== state.sequence) return; // a newer preview is on its way
    state.lastPreview = result;
    state.lastRequest = request; // exactly what Publish sends: what was previewed
    renderPreview(result);
    setPreviewState(`up to date ${new Date().toLocaleTimeString()}`, "ok");
    $("publish").disabled = false;
    if ($("status").classList.contains("error")) clearStatus(); // the last preview's problem
  } catch (error) {
    if (error.name === "AbortError" || sequence !== state.sequence) return;
    state.lastPreview = null;
    $("publish").disabled = true;
    setPreviewState("not valid", "warn");
    say("error", problem(error));
  } finally {
    if (sequence === state.sequence) $("preview").setAttribute("aria-busy", "false");
  }
}

function problem(error) {
  if (!(error instanceof ApiError)) return `No answer from the publisher API (${error.message}).`;
  if (error.status === 0) return error.message;
  if (error.status === 403) return `Not authorized (403): ${error.message}`;
  return `Refused (${error.status}): ${error.message}`;
}

function setPreviewState(text, kind) {
  const badge = $("preview-state");
  badge.textContent = text;
  badge.className = `badge ${kind}`;
}

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function money(value, currency) {
  return `${Number(value).toFixed(2)} ${currency}`;
}

// The level and why it is what it is: "level 4: «срочно покинуть»".
function levelText(advisory) {
  return advisory.level_reason
    ? `level ${advisory.level}: ${advisory.level_reason}`
    : `level ${advisory.level}/4`;
}

function renderPreview(result) {
  const advisory = result.advisory;
  const decision = $("decision");
  decision.className = `notice ${result.would_notify ? "success" : "error"}`;
  decision.replaceChildren(
    element("strong", {
      text: result.would_store
        ? `Would store ${advisory.advisory_id} as version ${result.version}`
        : `Unchanged: ${advisory.advisory_id} v${result.version} has this content`,
    }),
    element("span", {
      class: "detail",
      text: `${result.exercise ? `Exercise: ${result.exercise.staff_subscriptions} staff subscription(s), ${result.exercise.citizens} citizens` : result.would_notify ? "Notifies citizens" : "Sends nothing"}: ${result.reason}. ` +
        `Countries ${advisory.countries.join(", ")} · ${levelText(advisory)} · ${advisory.msg_type} · ${advisory.status}`,
    }),
    // What normalizing left out (a hotline it could not place), for the officer to fix.
    ...(result.warnings || []).map((warning) =>
      element("span", { class: "detail", "data-warning": "", text: `Warning: ${warning}` }),
    ),
  );

  $("sms-list").replaceChildren(
    ...Object.entries(result.preview).map(([language, message]) =>
      element("article", { class: "sms", "aria-label": `SMS in ${LANGUAGE_NAMES[language]}` }, [
        element("header", {}, [
          element("strong", { text: `SMS · ${LANGUAGE_NAMES[language] || language}` }),
          element("span", {
            class: "meta",
            "data-sms-meta": language,
            text: `${message.sms.encoding.toUpperCase()} · ${message.sms.segments} part${message.sms.segments === 1 ? "" : "s"} · ${message.sms.text.length} characters`,
          }),
        ]),
        element("p", { class: "bubble", lang: language, "data-sms": language, text: message.sms.text }),
      ]),
    ),
  );

  $("email-list").replaceChildren(
    ...Object.entries(result.preview).map(([language, message]) =>
      element("article", { class: "email", "aria-label": `Email in ${LANGUAGE_NAMES[language]}` }, [
        element("div", { class: "subject", lang: language, text: message.email.subject }),
        element("pre", { lang: language, text: message.email.body }),
      ]),
    ),
  );

  const cost = result.cost || { currency: "USD", lines: [], total: 0, billed_segments: 0 };
  const costBySegment = {};
  for (const line of cost.lines) costBySegment[line.segment] = (costBySegment[line.segment] || 0) + line.cost;
  const rows = (result.audience || []).map(({ segment, subscribers }) => {
    const language = segment.split("-")[1];
    const parts = result.preview[language]?.sms.segments ?? "";
    return element("tr", { "data-segment": segment }, [
      element("th", { scope: "row", text: segment }),
      element("td", { class: "num", text: String(subscribers) }),
      element("td", { class: "num", text: String(parts) }),
      element("td", { class: "num", text: money(costBySegment[segment] || 0, cost.currency) }),
    ]);
  });
  $("audience").tBodies[0].replaceChildren(...rows);
  const total = (result.audience || []).reduce((sum, entry) => sum + entry.subscribers, 0);
  $("total-subscribers").textContent = String(total);
  $("total-subscribers").className = "num";
  $("total-parts").textContent = `${cost.billed_segments} billed`;
  $("total-parts").className = "num";
  $("total-cost").textContent = money(cost.total, cost.currency);
  $("total-cost").className = "num";
  $("advisory-json").textContent = JSON.stringify(advisory, null, 2);
  renderOperationsPreview(result);
}

// ---- publish ---------------------------------------------------------------------------

function askToPublish() {
  const result = state.lastPreview;
  if (!result) return;
  const total = (result.audience || []).reduce((sum, entry) => sum + entry.subscribers, 0);
  const cost = result.cost ? money(result.cost.total, result.cost.currency) : "unknown";
  $("confirm-text").textContent = result.would_need_approval
    ? `Store ${result.advisory.advisory_id} v${result.version} for a second officer to approve (${result.would_need_approval})? Nobody is told until then; released, it goes to ${total} subscriber(s) at about ${cost}.`
    : result.exercise
    ? `Publish the exercise ${result.advisory.advisory_id} v${result.version} now? It goes to ${result.exercise.staff_subscriptions} staff subscription(s) only, no citizen.`
    : result.would_notify
    ? `Publish ${result.advisory.advisory_id} v${result.version} now? It goes to ${total} subscriber(s); estimated SMS cost ${cost}.` +
      (result.reach ? ` Sending takes ${result.reach.text.split(": ")[1]}.` : "")
    : `Store it without notifying anyone (${result.reason})?`;
  state.confirmedRequest = state.lastRequest;
  $("confirm-publish").hidden = false;
  $("publish-yes").focus();
}

async function publish() {
  const button = $("publish-yes");
  const request = state.confirmedRequest;
  if (!request || request !== state.lastRequest) {
    $("confirm-publish").hidden = true; // the form changed since the confirmation
    return;
  }
  button.disabled = true;
  // The preview said which version this would follow: publish only on that one.
  const preview = state.lastPreview;
  const edited = preview?.would_store && preview.version > 1 ? preview.version - 1 : null;
  try {
    const result = await post(false, undefined, request, edited);
    $("confirm-publish").hidden = true;
    if (result.status === "pending_approval") {
      // 202: stored, sent to nobody until another officer approves it.
      say(
        "success",
        `Stored ${result.advisory_id} version ${result.version}: it waits for a second officer's approval and nobody has been told yet.`,
      );
      schedulePreview(0);
      loadApprovals();
      return;
    }
    say(
      "success",
      result.status === "created"
        ? `Published ${result.advisory_id} version ${result.version}.`
        : `Nothing new: ${result.advisory_id} v${result.version} already has this content.`,
    );
    schedulePreview(0);
    showDelivery(result.advisory_id, result.version); // what it comes to, as receipts arrive
  } catch (error) {
    say("error", problem(error));
  } finally {
    button.disabled = false;
  }
}

// ---- status and start ------------------------------------------------------------------

function say(kind, text) {
  const box = $("status");
  box.className = `notice ${kind}`;
  box.textContent = text;
}

function clearStatus() {
  $("status").textContent = "";
}

function onFormatChange() {
  const kind = format();
  $("metadata").disabled = kind !== "text";
  $("body-hint").textContent = {
    text: "Paste the ministry's post as published (any of ky, ru, en). The preview follows as you type.",
    json: "An advisory with explicit fields, or {\"text\": …, \"metadata\": {…}}.",
    cap: "A CAP 1.2 alert; it carries its own metadata.",
  }[kind];
  schedulePreview(0);
}

async function onCapFile(event) {
  const file = event.currentTarget.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  state.capBytes = bytes;
  document.querySelector('input[name="format"][value="cap"]').checked = true;
  $("body").value = new TextDecoder("utf-8").decode(bytes); // shown; the bytes are sent
  onFormatChange();
}

async function start() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok) state.config = { ...state.config, ...(await response.json()) };
  } catch {
    // No config: the officer enters the API URL.
  }
  let credentials = loadCredentials();
  if (!credentials && state.config.local) credentials = await localCredentials("officer");
  $("identity-field").hidden = !state.config.local;
  $("identity").value = credentials?.role || "officer";
  $("where").textContent = state.config.local ? "Local runtime (moto)" : new URL(apiUrlDefault()).host;
  useCredentials(credentials);

  $("credentials-form").addEventListener("submit", onCredentialsSubmit);
  $("forget").addEventListener("click", () => {
    useCredentials(null);
    say("success", "Credentials removed from this tab.");
  });
  $("body").addEventListener("input", () => {
    state.capBytes = null; // edited: send what is in the box
    schedulePreview();
  });
  for (const id of ["countries", "level", "language", "major", "exercise", "revert"]) {
    $(id).addEventListener("input", () => schedulePreview());
    $(id).addEventListener("change", () => schedulePreview());
  }
  for (const radio of document.querySelectorAll('input[name="format"]')) {
    radio.addEventListener("change", onFormatChange);
  }
  $("cap-file").addEventListener("change", onCapFile);
  $("preview-now").addEventListener("click", () => schedulePreview(0));
  $("publish").addEventListener("click", askToPublish);
  $("publish-no").addEventListener("click", () => {
    $("confirm-publish").hidden = true;
    $("publish").focus();
  });
  $("publish-yes").addEventListener("click", publish);
  initOperations({
    credentials: () => state.credentials,
    apiUrl: apiUrlDefault,
    say,
    onChange: () => schedulePreview(0),
  });
  $("identity").addEventListener("change", onIdentityChange);
  initApprovals({
    principal: () => state.credentials?.principal || "",
    signedIn: () => Boolean(state.credentials),
    say,
  });
  loadCountries();
  loadApprovals();
}

start();
