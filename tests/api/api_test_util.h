// Helpers shared by the API test suites (tests/api/*_test.cpp): JSON parsing of responses, the
// documented error shape, audit-log counting, a small CSV reader and raw-socket helpers. Header
// only, test code only.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/test_server.h"

namespace vigil::test {

namespace json = boost::json;

// Parses a response body; a JSON null when it is not JSON.
inline json::value parseJson(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return ec ? json::value(nullptr) : v;
}

inline std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

inline const json::value* member(const json::value& v, const char* name) {
  return v.is_object() ? v.as_object().if_contains(name) : nullptr;
}

inline int64_t intOf(const json::value* v) {
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return 0;
}

// The items of a list answer {"items":[...],"total":N}; empty when the shape is wrong.
inline json::array itemsOf(const std::string& body) {
  json::value v = parseJson(body);
  const json::value* items = member(v, "items");
  return items && items->is_array() ? items->as_array() : json::array();
}

inline int64_t totalOf(const std::string& body) { return intOf(member(parseJson(body), "total")); }

inline std::string describe(const HttpResult& r) {
  return "status " + std::to_string(r.status) + ", body: " + r.body.substr(0, 600);
}

// True when `r` is the documented error: the status, Content-Type application/json, and the body
// {"error":{"code":<code>,"message":<non-empty string>,"details":{...}}} (plus details.field when
// `field` is given).
inline ::testing::AssertionResult isError(const HttpResult& r, int status, const std::string& code,
                                          const std::string& field = "") {
  if (r.status != status)
    return ::testing::AssertionFailure() << "expected status " << status << " (" << code << "), got " << describe(r);
  if (r.header("content-type").rfind("application/json", 0) != 0)
    return ::testing::AssertionFailure() << "error is not JSON (Content-Type '" << r.header("content-type")
                                         << "'): " << describe(r);
  json::value v = parseJson(r.body);
  const json::value* err = member(v, "error");
  if (!err || !err->is_object()) return ::testing::AssertionFailure() << "no error object: " << describe(r);
  const json::value* c = member(*err, "code");
  const json::value* m = member(*err, "message");
  const json::value* d = member(*err, "details");
  if (!c || !c->is_string() || !m || !m->is_string() || !d || !d->is_object())
    return ::testing::AssertionFailure() << "error lacks code/message/details: " << describe(r);
  if (err->as_object().size() != 3)
    return ::testing::AssertionFailure() << "error has fields beyond code/message/details: " << describe(r);
  if (m->as_string().empty()) return ::testing::AssertionFailure() << "empty error message: " << describe(r);
  if (str(*c) != code) return ::testing::AssertionFailure() << "expected code " << code << ": " << describe(r);
  if (!field.empty()) {
    const json::value* f = member(*d, "field");
    if (!f || str(*f) != field)
      return ::testing::AssertionFailure() << "expected details.field '" << field << "': " << describe(r);
  }
  return ::testing::AssertionSuccess();
}

// The error code of an error answer ("" when the body is not the error shape).
inline std::string errorCode(const HttpResult& r) {
  json::value v = parseJson(r.body);
  const json::value* err = member(v, "error");
  return err ? str(member(*err, "code") ? *member(*err, "code") : json::value()) : std::string();
}

inline std::string errorMessage(const HttpResult& r) {
  json::value v = parseJson(r.body);
  const json::value* err = member(v, "error");
  const json::value* m = err ? member(*err, "message") : nullptr;
  return m ? str(*m) : std::string();
}

inline std::string errorField(const HttpResult& r) {
  json::value v = parseJson(r.body);
  const json::value* err = member(v, "error");
  const json::value* d = err ? member(*err, "details") : nullptr;
  const json::value* f = d ? member(*d, "field") : nullptr;
  return f ? str(*f) : std::string();
}

// Replaces every occurrence of `from` in `s`.
inline std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

inline std::string body(const json::object& o) { return json::serialize(o); }

// Every audit entry the session can see (all pages), newest first.
inline json::array allAudit(TestServer& srv, const Session& s, const std::string& filter = "") {
  json::array all;
  for (int offset = 0;; offset += 500) {
    auto r = srv.call(s, "GET", "/api/v1/audit?limit=500&offset=" + std::to_string(offset) + filter);
    EXPECT_EQ(r.status, 200) << r.body;
    auto items = itemsOf(r.body);
    for (auto& e : items) all.push_back(e);
    if (r.status != 200 || items.size() < 500) break;
  }
  return all;
}

inline int64_t auditTotal(TestServer& srv, const Session& s) {
  auto r = srv.call(s, "GET", "/api/v1/audit?limit=1");
  EXPECT_EQ(r.status, 200) << r.body;
  return totalOf(r.body);
}

// The newest audit entry the session can see.
inline json::value newestAudit(TestServer& srv, const Session& s) {
  auto items = itemsOf(srv.call(s, "GET", "/api/v1/audit?limit=1").body);
  return items.empty() ? json::value(nullptr) : items[0];
}

// Entries recording a successful change.
inline int64_t successfulChanges(TestServer& srv, const Session& s) {
  int64_t n = 0;
  for (const auto& e : allAudit(srv, s))
    if (str(*member(e, "result")) == "success") ++n;
  return n;
}

// RFC 4180 reader: quoted fields, doubled quotes, CRLF rows, line breaks inside quotes.
inline std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, inQuotes = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inQuotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        inQuotes = false;
      } else {
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty() && !quoted) {
      inQuotes = quoted = any = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
      quoted = false;
      any = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      quoted = any = false;
      ++i;
    } else {
      cell += c;
      any = true;
    }
  }
  if (any || !cell.empty()) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

// A plain TCP connection for tests that need sockets held open or bytes sent in pieces.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
  }
  // Reads until the peer closes, an error, or `timeout` passes. `closed` tells whether the peer
  // closed (EOF or reset) rather than the time running out.
  std::string readUntilClose(std::chrono::milliseconds timeout, bool* closed = nullptr) {
    std::string out;
    socket_.non_blocking(true);
    const auto end = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
      if (!ec) {
        out.append(buf, n);
        continue;
      }
      if (ec == boost::asio::error::would_block) {
        if (std::chrono::steady_clock::now() >= end) {
          if (closed) *closed = false;
          return out;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (closed) *closed = true;
      return out;
    }
  }
  void close() {
    boost::system::error_code ec;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
};

// The status code of the first response in raw HTTP bytes (0 when there is none).
inline int rawStatus(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::atoi(raw.substr(9, 3).c_str());
}

// Parses the first response in raw HTTP bytes (status, lower-case headers, body by Content-Length).
inline HttpResult parseRawResponse(const std::string& raw) {
  HttpResult r;
  r.status = rawStatus(raw);
  const size_t end = raw.find("\r\n\r\n");
  if (r.status == 0 || end == std::string::npos) return r;
  size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    size_t next = raw.find("\r\n", line);
    std::string h = raw.substr(line, next - line);
    auto colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      auto& slot = r.headers[name];
      slot += (slot.empty() ? "" : "\n") + value;
    }
    line = next + 2;
  }
  const size_t length = static_cast<size_t>(std::atoll(r.header("content-length").c_str()));
  r.body = raw.substr(end + 4, length);
  return r;
}

// Sends a request head (no body) with the given Content-Length and returns the parsed answer.
inline HttpResult sendHeadOnly(uint16_t port, const std::string& method, const std::string& target,
                               int64_t contentLength, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                     "Content-Length: " + std::to_string(contentLength) + "\r\n";
  for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
  RawConnection c(port);
  c.send(head + "\r\n");
  return parseRawResponse(c.readUntilClose(std::chrono::milliseconds(3000)));
}

}  // namespace vigil::test
