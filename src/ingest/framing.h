// Framing of syslog transports: RFC 6587 TCP streams (octet-counted and LF-delimited frames,
// detected per frame) and UDP datagrams (one datagram = one message).
//
// StreamFramer is fed the bytes of one TCP connection in whatever pieces the socket returns and
// hands back complete frames. Memory is bounded: it buffers at most maxFrameBytes plus one read.
// A frame longer than maxFrameBytes is cut: its first maxFrameBytes come out marked `truncated`,
// the rest is discarded up to the end of that frame, and the `oversized` counter goes up.
// Malformed input (wrong octet counts, garbage) is counted, never fatal.
// Thread-safety: one StreamFramer per connection, used from one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::ingest {

struct FramerOptions {
  size_t maxFrameBytes = 64 * 1024;
};

struct FramerStats {
  uint64_t frames = 0;              // frames returned
  uint64_t octetCounted = 0;        // of which octet-counted
  uint64_t oversized = 0;           // frames cut at maxFrameBytes
  uint64_t octetCountMismatch = 0;  // an octet-counted frame not followed by a frame boundary
  uint64_t truncatedAtEnd = 0;      // the stream ended inside a frame (returned by finish())
  uint64_t emptyFrames = 0;         // "0 " or empty lines, skipped
  uint64_t discardedBytes = 0;      // bytes of oversized frames that were dropped
};

struct Frame {
  std::string_view data;  // valid until the next call to push(), next() or finish()
  bool octetCounted = false;
  bool truncated = false;  // cut at maxFrameBytes, or the stream ended inside it
};

class StreamFramer {
 public:
  explicit StreamFramer(FramerOptions options = {});

  // Appends bytes read from the connection. Call next() until it returns nullopt before the next
  // push(): push() compacts the buffer, which invalidates the views of earlier frames.
  void push(std::string_view bytes);
  // The next complete frame, or nullopt when more bytes are needed.
  std::optional<Frame> next();
  // End of stream: the last unterminated frame (if any), marked truncated when it was
  // octet-counted and short.
  std::optional<Frame> finish();

  const FramerStats& stats() const { return stats_; }

 private:
  std::optional<Frame> take(size_t start, size_t len, size_t consumed, bool octet, bool truncated);

  FramerOptions options_;
  FramerStats stats_;
  std::string buf_;
  size_t pos_ = 0;                // start of unconsumed bytes in buf_
  uint64_t skipRemaining_ = 0;    // bytes of an oversized octet-counted frame still to discard
  bool skipToNewline_ = false;    // discarding the rest of an oversized LF frame
  bool afterOctetFrame_ = false;  // the previous frame was octet-counted: check the boundary
  size_t scanned_ = 0;            // bytes after pos_ already searched for LF without finding one
};

// A UDP datagram is one message; trailing CR, LF and NUL bytes are removed.
std::string_view datagramMessage(std::string_view datagram);

}  // namespace vigil::ingest
