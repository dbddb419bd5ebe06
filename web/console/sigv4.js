// AWS Signature Version 4 for the publisher API (execute-api), with the browser's WebCrypto.
//
// Written by hand, on purpose: the site's Content-Security-Policy allows scripts from this
// origin only and the pages load nothing from elsewhere, so the AWS SDK for JavaScript (or
// any signing library) would have to be vendored and reviewed; the algorithm is ~80 lines.
// It follows AWS's "Create a signed AWS API request" steps and botocore's SigV4Auth, which
// the local runtime uses to check every signature (tests/browser compares both directly).

const encoder = new TextEncoder();

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmac(key, message) {
  const imported = await crypto.subtle.importKey(
    "raw",
    typeof key === "string" ? encoder.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", imported, encoder.encode(message));
}

// RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded (encodeURIComponent
// leaves ! ' ( ) * alone).
export function uriEncode(text, keepSlash = false) {
  const encoded = encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, "/") : encoded;
}

export function canonicalQuery(searchParams) {
  return [...searchParams]
    .map(([key, value]) => [uriEncode(key), uriEncode(value)])
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

function canonicalPath(pathname) {
  // The path as sent (already percent-encoded by URL), encoded once more: what API Gateway
  // and botocore do for every service but S3.
  return pathname.split("/").map((segment) => uriEncode(segment)).join("/") || "/";
}

export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Headers to add to a request: X-Amz-Date, Authorization, and X-Amz-Security-Token for
 * temporary credentials. `body` is a Uint8Array (the exact bytes fetch will send).
 */
export async function signRequest({
  method,
  url,
  headers = {},
  body = new Uint8Array(),
  credentials,
  region,
  service = "execute-api",
  now = new Date(),
}) {
  const target = new URL(url);
  const timestamp = amzDate(now);
  const day = timestamp.slice(0, 8);
  const signed = { ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
  signed.host = target.host;
  signed["x-amz-date"] = timestamp;
  if (credentials.sessionToken) signed["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((name) => `${name}:${String(signed[name]).trim().replace(/\s+/g, " ")}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalPath(target.pathname),
    canonicalQuery(target.searchParams),
    canonicalHeaders,
    signedHeaders,
    await sha256Hex(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, await sha256Hex(canonicalRequest)].join("\n");
  let key = await hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, service, "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));
  const added = {
    "X-Amz-Date": timestamp,
    Authorization:
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (credentials.sessionToken) added["X-Amz-Security-Token"] = credentials.sessionToken;
  return { headers: added, canonicalRequest, stringToSign };
}
