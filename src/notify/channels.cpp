#include "notify/channels.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/crypto.h"

namespace vigil::notify {

namespace json = boost::json;

namespace {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// "Tue, 24 Nov 2026 19:43:46 +0000" (RFC 5322 date-time, UTC).
std::string rfc5322Date(TimeMs t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  sys_seconds secs{seconds{t / 1000}};
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  weekday wd{days};
  hh_mm_ss hms{secs - days};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

// Owns one easy handle and its header list; the error buffer holds curl's message.
struct Transfer {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  curl_slist* recipients = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  std::string response;
  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (recipients) curl_slist_free_all(recipients);
    if (h) curl_easy_cleanup(h);
  }
};

size_t collectResponse(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() < 65536) out->append(data, std::min(size * n, 65536 - out->size()));
  return size * n;
}

struct Upload {
  std::string_view data;
  size_t pos = 0;
};

size_t readUpload(char* buf, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, up->data.size() - up->pos);
  std::memcpy(buf, up->data.data() + up->pos, len);
  up->pos += len;
  return len;
}

void common(Transfer& t, const SendOptions& o) {
  curl_easy_setopt(t.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(t.h, CURLOPT_TIMEOUT, static_cast<long>(o.timeoutSeconds));
  curl_easy_setopt(t.h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(o.timeoutSeconds, 10)));
  curl_easy_setopt(t.h, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(t.h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(t.h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.caFile.empty()) curl_easy_setopt(t.h, CURLOPT_CAINFO, o.caFile.c_str());
}

Error transferError(const Transfer& t, CURLcode rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (t.error[0] ? t.error : curl_easy_strerror(rc));
  return Error::unavailable(msg);
}

// POSTs JSON; returns the HTTP status (transport errors are errors).
Result<long> postJson(Transfer& t, const std::string& url, const std::string& body, const SendOptions& o,
                      std::string_view what) {
  if (!t.h) return Error::internal("libcurl could not create a transfer");
  common(t, o);
  t.headers = curl_slist_append(t.headers, "Content-Type: application/json; charset=utf-8");
  t.headers = curl_slist_append(t.headers, "User-Agent: vigil-notify");
  t.headers = curl_slist_append(t.headers, "Expect:");
  curl_easy_setopt(t.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(t.h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(t.h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(t.h, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(t.h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(t.h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(t.h, CURLOPT_WRITEFUNCTION, collectResponse);
  curl_easy_setopt(t.h, CURLOPT_WRITEDATA, &t.response);
  const CURLcode rc = curl_easy_perform(t.h);
  if (rc != CURLE_OK) return transferError(t, rc, what);
  long status = 0;
  curl_easy_getinfo(t.h, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

std::string shorten(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  s.resize(cut);
  return s + "…";
}

}  // namespace

void initCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string encodeHeaderWords(std::string_view utf8) {
  // An encoded word is at most 75 characters and a header line at most 76 (RFC 2047): 39 bytes of
  // UTF-8 (a multiple of 3) make 52 base64 characters, 64 with "=?UTF-8?B?" and "?=", which fits
  // after "Subject: " on the first line. Chunks are cut before a UTF-8 continuation byte.
  constexpr size_t kChunk = 39;
  std::string out;
  size_t pos = 0;
  while (pos < utf8.size()) {
    size_t len = std::min(kChunk, utf8.size() - pos);
    while (pos + len < utf8.size() && len > 0 && (static_cast<unsigned char>(utf8[pos + len]) & 0xC0) == 0x80) --len;
    if (len == 0) len = std::min(kChunk, utf8.size() - pos);  // not UTF-8: cut anyway
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(utf8.substr(pos, len)) + "?=";
    pos += len;
  }
  return out;
}

std::string buildEmail(std::string_view from, std::string_view to, const Notice& n, TimeMs now,
                       std::string_view messageId) {
  std::string text = n.body;
  if (!n.link.empty()) text += "\n\n" + n.link;
  // Lines end in CRLF on the wire; the body is base64, so its own line breaks are kept as sent.
  std::string crlf;
  for (char ch : text) {
    if (ch == '\n') crlf += '\r';
    if (ch != '\r') crlf += ch;
  }
  const std::string b64 = base64(crlf);
  std::string msg;
  msg += "From: <" + std::string(from) + ">\r\n";
  msg += "To: <" + std::string(to) + ">\r\n";
  msg += "Subject: " + encodeHeaderWords(n.subject) + "\r\n";
  msg += "Date: " + rfc5322Date(now) + "\r\n";
  msg += "Message-ID: <" + std::string(messageId) + ">\r\n";
  msg += "MIME-Version: 1.0\r\n";
  msg += "Content-Type: text/plain; charset=UTF-8\r\n";
  msg += "Content-Transfer-Encoding: base64\r\n";
  msg += "Auto-Submitted: auto-generated\r\n";
  msg += "\r\n";
  for (size_t i = 0; i < b64.size(); i += 76) msg += b64.substr(i, 76) + "\r\n";
  return msg;
}

Status sendEmail(const NotifyChannel& c, const std::string& password, const std::string& to, const Notice& n,
                 const SendOptions& o, TimeMs now, std::string_view messageId) {
  Transfer t;
  if (!t.h) return Error::internal("libcurl could not create a transfer");
  common(t, o);
  const std::string message = buildEmail(c.emailFrom, to, n, now, messageId);
  Upload up{message};
  const std::string from = "<" + c.emailFrom + ">";
  const std::string rcpt = "<" + to + ">";
  t.recipients = curl_slist_append(t.recipients, rcpt.c_str());
  curl_easy_setopt(t.h, CURLOPT_URL, c.target.c_str());
  curl_easy_setopt(t.h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // smtp://: STARTTLS is required (the transfer fails rather than send in clear); smtps:// is TLS
  // from the first byte.
  curl_easy_setopt(t.h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!c.username.empty()) {
    curl_easy_setopt(t.h, CURLOPT_USERNAME, c.username.c_str());
    curl_easy_setopt(t.h, CURLOPT_PASSWORD, password.c_str());
  }
  curl_easy_setopt(t.h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(t.h, CURLOPT_MAIL_RCPT, t.recipients);
  curl_easy_setopt(t.h, CURLOPT_READFUNCTION, readUpload);
  curl_easy_setopt(t.h, CURLOPT_READDATA, &up);
  curl_easy_setopt(t.h, CURLOPT_UPLOAD, 1L);
  const CURLcode rc = curl_easy_perform(t.h);
  if (rc != CURLE_OK) return transferError(t, rc, "SMTP " + c.target);
  return {};
}

std::string webhookBody(const Notice& n, int64_t noticeId, TimeMs now) {
  return json::serialize(json::object{{"notice_id", noticeId},
                                      {"kind", noticeKindName(n.kind)},
                                      {"severity", severityName(n.severity)},
                                      {"org_id", n.orgId},
                                      {"subject", n.subject},
                                      {"body", n.body},
                                      {"link", n.link},
                                      {"sent_at", formatRfc3339(now)}});
}

std::string webhookSignature(std::string_view secret, int64_t timestampSeconds, std::string_view body) {
  const std::string signed_ = std::to_string(timestampSeconds) + "." + std::string(body);
  return "sha256=" + crypto::hexEncode(crypto::hmacSha256(secret, signed_));
}

Status sendWebhook(const NotifyChannel& c, const std::string& secret, const Notice& n, int64_t noticeId,
                   const SendOptions& o, TimeMs now) {
  const std::string body = webhookBody(n, noticeId, now);
  const int64_t ts = now / 1000;
  Transfer t;
  t.headers = curl_slist_append(t.headers, ("X-Vigil-Timestamp: " + std::to_string(ts)).c_str());
  t.headers = curl_slist_append(t.headers, ("X-Vigil-Signature: " + webhookSignature(secret, ts, body)).c_str());
  VIGIL_ASSIGN_OR_RETURN(long status, postJson(t, c.target, body, o, "webhook " + c.target));
  if (status < 200 || status > 299)
    return Error::unavailable("webhook " + c.target + " answered HTTP " + std::to_string(status) +
                              (t.response.empty() ? "" : ": " + shorten(t.response, 200)));
  return {};
}

Status sendTelegram(const std::string& token, const std::string& chat, const Notice& n, const SendOptions& o) {
  std::string text = n.subject + "\n\n" + n.body;
  if (!n.link.empty()) text += "\n" + n.link;
  json::object msg{{"text", shorten(text, 4000)}, {"disable_web_page_preview", true}};
  // Numeric ids go as numbers, @channelname as a string (both accepted by the Bot API).
  int64_t numeric = 0;
  const auto parsed = std::from_chars(chat.data(), chat.data() + chat.size(), numeric);
  if (parsed.ec == std::errc() && parsed.ptr == chat.data() + chat.size()) {
    msg["chat_id"] = numeric;
  } else {
    msg["chat_id"] = chat;
  }
  Transfer t;
  std::string base = o.telegramApiBase;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // The token is part of the URL: curl's own messages name only the host, and ours too.
  auto status = postJson(t, base + "/bot" + token + "/sendMessage", json::serialize(msg), o, "Telegram API");
  if (!status.ok()) return status.takeError();
  boost::system::error_code ec;
  const json::value answer = json::parse(t.response, ec);
  const json::object* obj = ec ? nullptr : answer.if_object();
  const json::value* ok = obj ? obj->if_contains("ok") : nullptr;
  if (*status == 200 && ok && ok->is_bool() && ok->as_bool()) return {};
  std::string why = "HTTP " + std::to_string(*status);
  if (obj)
    if (const json::value* d = obj->if_contains("description"); d && d->is_string())
      why += ": " + shorten(std::string(d->as_string()), 200);
  return Error::unavailable("Telegram refused the message to chat " + chat + " (" + why + ")");
}

}  // namespace vigil::notify
