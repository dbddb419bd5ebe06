// The advisories in force per country: on the home page above the sign-up, and on a
// country's page (/c/<CC>) with its current level. Read from /feeds/index.json, which the
// CAP feed function writes with every published advisory: viewing them needs no API call.
const FALLBACK_ORDER = ["ru", "en", "ky"]; // as the messages (FallbackLanguages)

export async function loadInForce() {
  try {
    const response = await fetch("/feeds/index.json", { cache: "no-cache", credentials: "omit" });
    if (response.status === 404 || response.status === 403) return { alerts: [], country_names: {} };
    if (!response.ok) return null;
    return await response.json();
  } catch {
    return null;
  }
}

// Alerts, not cancels, and not past their expiry (the feed drops them within minutes).
function current(index, now) {
  return (index.alerts || []).filter(
    (entry) => entry.msg_type !== "cancel" && !(entry.expires && new Date(entry.expires) <= now),
  );
}

// Country -> its advisories, the highest level first, then the newest.
export function byCountry(index, now = new Date()) {
  const groups = new Map();
  for (const entry of current(index, now)) {
    for (const code of entry.countries) {
      if (!groups.has(code)) groups.set(code, []);
      groups.get(code).push(entry);
    }
  }
  for (const entries of groups.values()) {
    entries.sort((a, b) => b.level - a.level || (a.sent < b.sent ? 1 : -1));
  }
  return new Map([...groups].sort((a, b) => b[1][0].level - a[1][0].level || a[0].localeCompare(b[0])));
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

function inLanguage(texts, lang) {
  const tags = Object.keys(texts || {});
  for (const wanted of [lang, ...FALLBACK_ORDER]) {
    const tag = tags.find((t) => t.split("-")[0].toLowerCase() === wanted);
    if (tag) return [tag.split("-")[0].toLowerCase(), texts[tag]];
  }
  return tags.length ? [tags[0], texts[tags[0]]] : [lang, ""];
}

function formatDate(iso, lang) {
  try {
    return new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

function levelBadge(level, t) {
  return element("span", { class: `level level-${level}`, text: t("levelBadge", { n: level, words: t(`levelWords${level}`) }) });
}

function advisoryItem(entry, { lang, t }) {
  const [tag, headline] = inLanguage(entry.headline, lang);
  return element("li", {}, [
    levelBadge(entry.level, t),
    " ",
    element("a", { href: `${entry.page}?l=${lang}`, lang: tag, text: headline }),
    element("span", { class: "when", text: t("issuedOn", { date: formatDate(entry.sent, lang) }) }),
  ]);
}

// The home page's list, or one country's page when `country` is given.
export function renderInForce(section, index, { lang, t, country, countryName }) {
  const heading = element("h2", { id: "in-force-title", text: country ? countryName(country) : t("inForceTitle") });
  const parts = [heading];
  if (index === null) {
    parts.push(element("p", { class: "notice error", text: t("inForceFailed") }));
    section.replaceChildren(...parts);
    return;
  }
  const groups = byCountry(index);
  if (country) {
    const entries = groups.get(country) || [];
    if (entries.length) {
      parts.push(element("p", { class: "current-level" }, [`${t("countryLevel")}: `, levelBadge(entries[0].level, t)]));
      parts.push(element("ul", { class: "advisories" }, entries.map((e) => advisoryItem(e, { lang, t }))));
    } else {
      parts.push(element("p", { text: t("countryNone", { country: countryName(country) }) }));
    }
    parts.push(
      element("p", { class: "feeds" }, [
        element("a", { href: "/", text: t("allCountries") }),
        " · ",
        element("a", { href: `/feeds/${country}.atom`, type: "application/atom+xml", text: t("feedCountry", { country: countryName(country) }) }),
      ]),
    );
  } else if (groups.size === 0) {
    parts.push(element("p", { text: t("inForceNone") }));
  } else {
    for (const [code, entries] of groups) {
      parts.push(
        element("article", { class: "country-advisories", "data-country": code }, [
          element("h3", {}, [element("a", { href: `/c/${code}`, text: countryName(code) }), " ", levelBadge(entries[0].level, t)]),
          element("ul", { class: "advisories" }, entries.map((e) => advisoryItem(e, { lang, t }))),
        ]),
      );
    }
  }
  if (!country) {
    parts.push(element("p", { class: "feeds" }, [element("a", { href: "/feeds/alerts.atom", type: "application/atom+xml", text: t("feedAll") })]));
  }
  section.replaceChildren(...parts);
}
