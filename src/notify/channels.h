// The three ways vigil sends a notice (issue 4, "Notifications"), over libcurl (kept in
// channels.cpp): e-mail through an SMTP relay with STARTTLS (or implicit TLS) and an optional
// login, a webhook (JSON POST signed with HMAC-SHA256), and the Telegram Bot API (sendMessage).
// Each send is one blocking transfer bounded by SendOptions::timeoutSeconds; the functions are
// thread-safe once initCurl() has run (Dispatcher does it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/notify_store.h"

namespace vigil::notify {

struct SendOptions {
  int timeoutSeconds = 20;
  // Extra CA bundle (PEM) to trust for SMTP and webhooks, for a relay with a private CA; "" uses
  // the system's store.
  std::string caFile;
  // The Telegram Bot API base URL. The only place vigil talks to Telegram; tests point it at a
  // local receiver.
  std::string telegramApiBase = "https://api.telegram.org";
};

// Initialises libcurl once per process; safe to call more than once.
void initCurl();

// --- E-mail ------------------------------------------------------------------------------------
// The RFC 5322 message: UTF-8 subject as RFC 2047 encoded words, a text/plain UTF-8 body in
// base64, Date and Message-ID headers. `from` and `to` must be plain addresses (the store checks).
std::string buildEmail(std::string_view from, std::string_view to, const Notice& n, TimeMs now,
                       std::string_view messageId);
// RFC 2047 "B" encoded words for a header value, folded so that no line exceeds 76 characters
// and no UTF-8 character is split.
std::string encodeHeaderWords(std::string_view utf8);
Status sendEmail(const NotifyChannel& c, const std::string& password, const std::string& to, const Notice& n,
                 const SendOptions& o, TimeMs now, std::string_view messageId);

// --- Webhook -----------------------------------------------------------------------------------
// The POSTed JSON: {"notice_id", "kind", "severity", "org_id", "subject", "body", "link", "sent_at"}.
std::string webhookBody(const Notice& n, int64_t noticeId, TimeMs now);
// "sha256=<hex>" of HMAC-SHA256(secret, "<timestamp>.<body>"), sent as X-Vigil-Signature with the
// Unix time (seconds) in X-Vigil-Timestamp. A receiver recomputes it and refuses timestamps older
// than a few minutes (replay).
std::string webhookSignature(std::string_view secret, int64_t timestampSeconds, std::string_view body);
// Any 2xx answer is a delivery; other statuses and transport errors are failures (retried).
Status sendWebhook(const NotifyChannel& c, const std::string& secret, const Notice& n, int64_t noticeId,
                   const SendOptions& o, TimeMs now);

// --- Telegram ----------------------------------------------------------------------------------
// POST <api base>/bot<token>/sendMessage {"chat_id", "text"}; delivered when Telegram answers
// {"ok": true}. Errors never contain the token.
Status sendTelegram(const std::string& token, const std::string& chat, const Notice& n, const SendOptions& o);

}  // namespace vigil::notify
