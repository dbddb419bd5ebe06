// Shared by the citizen and advisory pages: plain functions, no state.

// Storage may be refused (private mode, blocked cookies, some in-app browsers): the pages
// work without it, a choice then lasting for the page only. `area`: "local" or "session".
export function stored(key, value, area = "local") {
  try {
    const storage = area === "session" ? sessionStorage : localStorage;
    if (value === undefined) return storage.getItem(key);
    storage.setItem(key, value);
  } catch {
    // Refused: nothing kept.
  }
  return null;
}

// The language last chosen on this site (either page), else the browser's, else Kyrgyz.
export function preferredLanguage(languages) {
  const saved = stored("lang");
  if (languages.includes(saved)) return saved;
  for (const tag of navigator.languages || []) {
    const base = tag.slice(0, 2).toLowerCase();
    if (languages.includes(base)) return base;
  }
  return "ky";
}
