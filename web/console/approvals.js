// Two-person approval: the versions waiting for a second officer (GET /approvals), each with
// what releasing it sends, to whom and at what cost, and the second officer's decision.
// The API refuses (403) a decision by the officer who posted the version; the console shows
// that refusal as the API words it, and marks the officer's own versions when it knows who
// is signed in (locally, where the credentials come from the runtime).
import { signedJson } from "./operations.js";

const $ = (id) => document.getElementById(id);
const LANGUAGE_NAMES = { ky: "Кыргызча", ru: "Русский", en: "English" };

let context = { principal: () => "", say: () => {}, signedIn: () => false };

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

export async function loadApprovals() {
  if (!context.signedIn()) return;
  try {
    const { pending } = await signedJson("GET", "/approvals");
    renderApprovals(pending);
  } catch (error) {
    $("approvals-state").textContent = `Not loaded: ${error.message}`;
  }
}

function renderApprovals(pending) {
  const badge = $("approvals-count");
  badge.textContent = String(pending.length);
  badge.className = `badge ${pending.length ? "warn" : "ok"}`;
  $("approvals-state").textContent = pending.length
    ? `${pending.length} version(s) wait for a second officer, oldest first.`
    : "Nothing waits for a second officer.";
  $("approvals-list").replaceChildren(...pending.map(renderItem));
}

function renderItem(item) {
  const key = `${item.advisory_id}-v${item.version}`;
  const mine = Boolean(context.principal()) && item.published_by === context.principal();
  const audience = item.audience || [];
  const total = audience.reduce((sum, entry) => sum + entry.subscribers, 0);
  const cost = item.cost || { total: 0, currency: "USD" };
  const reasonId = `reason-${key}`;
  return element("article", { class: "approval", "data-approval": key, "data-advisory-id": item.advisory_id, "data-version": String(item.version) }, [
    element("h3", {
      text: `${item.advisory_id} v${item.version} · level ${item.advisory.level} · ${item.advisory.countries.join(", ")}`,
    }),
    element("p", {
      class: "hint",
      text: `Posted by ${item.published_by || "unknown"}; waits because ${item.approval_rule}; until ${new Date(item.expires_at).toLocaleString()}.`,
    }),
    ...(mine
      ? [element("p", { class: "notice error", "data-own": "", text: "You posted this version: another officer must approve or reject it." })]
      : []),
    ...Object.entries(item.preview || {}).map(([language, message]) =>
      element("p", { class: "bubble", lang: language, "data-approval-sms": language, text: `${LANGUAGE_NAMES[language] || language}: ${message.sms.text}` }),
    ),
    element("p", {
      "data-approval-audience": "",
      text: `Reaches ${total} subscriber(s) in ${audience.map((a) => `${a.segment} (${a.subscribers})`).join(", ") || "no segment"}; SMS cost ${Number(cost.total).toFixed(2)} ${cost.currency}.`,
    }),
    element("div", { class: "field" }, [
      element("label", { for: reasonId, text: "Reason (required to reject)" }),
      element("input", { id: reasonId, type: "text", autocomplete: "off", "data-reason": "" }),
    ]),
    element("div", { class: "actions" }, [
      element("button", { type: "button", class: "primary", "data-decide": "approve", text: "Approve and send" }),
      element("button", { type: "button", class: "danger", "data-decide": "reject", text: "Reject" }),
    ]),
    element("p", { class: "hint", role: "alert", "data-approval-result": "" }),
  ]);
}

async function decide(article, action) {
  const { advisoryId, version } = article.dataset;
  const reason = article.querySelector("[data-reason]").value.trim();
  const result = article.querySelector("[data-approval-result]");
  if (action === "reject" && !reason) {
    result.textContent = "Give a reason to reject.";
    return;
  }
  for (const button of article.querySelectorAll("button")) button.disabled = true;
  try {
    const path = `/advisories/${encodeURIComponent(advisoryId)}/versions/${version}/${action}`;
    const answer = await signedJson("POST", path, reason ? { reason } : undefined);
    context.say("success", `${advisoryId} v${version} ${answer.status}${answer.status === "approved" ? ": sent now" : ": never sent"}.`);
    await loadApprovals();
  } catch (error) {
    result.textContent = error.message.startsWith("403")
      ? `Refused: ${error.message.replace(/^403: /, "")}`
      : `Not decided (${error.message}).`;
    for (const button of article.querySelectorAll("button")) button.disabled = false;
  }
}

export function initApprovals(options) {
  context = { ...context, ...options };
  $("approvals-refresh").addEventListener("click", loadApprovals);
  $("approvals-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-decide]");
    if (button) decide(button.closest("[data-approval]"), button.dataset.decide);
  });
}
