// RFC 6587 framing (see framing.h). A frame that starts with "[1-9][0-9]{0,9} <" is octet-counted
// (the '<' of the PRI disambiguates it from an LF-delimited message that starts with a number);
// anything else runs to the next LF. CR, LF and NUL bytes between frames are trailers and skipped.
#include "ingest/framing.h"

#include <algorithm>
#include <cstring>

namespace vigil::ingest {

namespace {

bool isTrailer(char c) { return c == '\n' || c == '\r' || c == '\0'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view stripTrailers(std::string_view s) {
  while (!s.empty() && isTrailer(s.back())) s.remove_suffix(1);
  return s;
}

constexpr size_t kMaxCountDigits = 10;

enum class Octet { kNo, kYes, kNeedMore };

// Whether s starts an octet-counted frame; on kYes sets the length and the body offset.
Octet octetHeader(std::string_view s, uint64_t& len, size_t& body) {
  if (s.empty() || s[0] < '1' || s[0] > '9') return Octet::kNo;
  uint64_t n = 0;
  size_t q = 0;
  while (q < s.size() && q < kMaxCountDigits && isDigit(s[q])) n = n * 10 + static_cast<uint64_t>(s[q++] - '0');
  if (q == s.size()) return Octet::kNeedMore;
  if (s[q] != ' ') return Octet::kNo;
  if (q + 1 == s.size()) return Octet::kNeedMore;
  if (s[q + 1] != '<') return Octet::kNo;
  len = n;
  body = q + 1;
  return Octet::kYes;
}

}  // namespace

StreamFramer::StreamFramer(FramerOptions options) : options_(options) {
  if (options_.maxFrameBytes == 0) options_.maxFrameBytes = 1;
}

void StreamFramer::push(std::string_view bytes) {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

std::optional<Frame> StreamFramer::take(size_t start, size_t len, size_t consumed, bool octet, bool truncated) {
  pos_ = consumed;
  scanned_ = 0;
  ++stats_.frames;
  if (octet) ++stats_.octetCounted;
  return Frame{std::string_view(buf_).substr(start, len), octet, truncated};
}

std::optional<Frame> StreamFramer::next() {
  const size_t max = options_.maxFrameBytes;
  if (skipRemaining_ > 0) {
    const size_t d = static_cast<size_t>(std::min<uint64_t>(buf_.size() - pos_, skipRemaining_));
    pos_ += d;
    skipRemaining_ -= d;
    stats_.discardedBytes += d;
    if (skipRemaining_ > 0) return std::nullopt;
  }
  if (skipToNewline_) {
    const size_t nl = buf_.find('\n', pos_);
    const size_t end = nl == std::string::npos ? buf_.size() : nl;
    stats_.discardedBytes += end - pos_;
    pos_ = end;
    if (nl == std::string::npos) return std::nullopt;
    skipToNewline_ = false;
  }
  while (pos_ < buf_.size() && isTrailer(buf_[pos_])) ++pos_;
  if (pos_ == buf_.size()) return std::nullopt;
  if (afterOctetFrame_) {
    afterOctetFrame_ = false;
    if (!isDigit(buf_[pos_]) && buf_[pos_] != '<') ++stats_.octetCountMismatch;
  }

  const std::string_view rest = std::string_view(buf_).substr(pos_);
  uint64_t len = 0;
  size_t body = 0;
  switch (octetHeader(rest, len, body)) {
    case Octet::kNeedMore: return std::nullopt;
    case Octet::kYes: {
      const size_t avail = rest.size() - body;
      if (len > max) {
        if (avail < max) return std::nullopt;
        ++stats_.oversized;
        skipRemaining_ = len - max;
        return take(pos_ + body, max, pos_ + body + max, true, true);
      }
      if (avail < len) return std::nullopt;
      afterOctetFrame_ = true;
      return take(pos_ + body, static_cast<size_t>(len), pos_ + body + static_cast<size_t>(len), true, false);
    }
    case Octet::kNo: break;
  }

  const size_t searchFrom = pos_ + std::min(scanned_, rest.size());
  const size_t limit = std::min(buf_.size(), pos_ + max + 1);
  const void* hit = searchFrom < limit ? std::memchr(buf_.data() + searchFrom, '\n', limit - searchFrom) : nullptr;
  if (hit != nullptr) {
    const size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - buf_.data());
    // Not empty: pos_ is at a byte that is not a trailer.
    const std::string_view line = stripTrailers(std::string_view(buf_).substr(pos_, nl - pos_));
    return take(pos_, line.size(), nl + 1, false, false);
  }
  if (buf_.size() - pos_ > max) {
    ++stats_.oversized;
    skipToNewline_ = true;
    return take(pos_, max, pos_ + max, false, true);
  }
  scanned_ = buf_.size() - pos_;
  return std::nullopt;
}

std::optional<Frame> StreamFramer::finish() {
  skipRemaining_ = 0;
  skipToNewline_ = false;
  while (pos_ < buf_.size() && isTrailer(buf_[pos_])) ++pos_;
  if (pos_ == buf_.size()) return std::nullopt;
  const std::string_view rest = std::string_view(buf_).substr(pos_);
  uint64_t len = 0;
  size_t body = 0;
  if (octetHeader(rest, len, body) == Octet::kYes) {
    ++stats_.truncatedAtEnd;
    const size_t n = std::min(rest.size() - body, options_.maxFrameBytes);
    return take(pos_ + body, n, buf_.size(), true, true);
  }
  const std::string_view line = stripTrailers(rest.substr(0, options_.maxFrameBytes));
  if (line.empty()) {
    pos_ = buf_.size();
    return std::nullopt;
  }
  return take(pos_, line.size(), buf_.size(), false, rest.size() > options_.maxFrameBytes);
}

std::string_view datagramMessage(std::string_view datagram) { return stripTrailers(datagram); }

}  // namespace vigil::ingest
