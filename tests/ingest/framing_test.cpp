// RFC 6587 stream framing: split reads at every byte boundary, wrong octet counts, oversized
// frames, trailers and garbage; UDP datagrams.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ingest/framing.h"

namespace vigil::ingest {
namespace {

std::string octet(std::string_view msg) { return std::to_string(msg.size()) + " " + std::string(msg); }

struct Out {
  std::vector<std::string> frames;
  std::vector<bool> truncated;
};

// Feeds `pieces` in order, collecting (copies of) every frame, then finishes the stream.
Out run(StreamFramer& f, const std::vector<std::string_view>& pieces) {
  Out out;
  auto keep = [&](const Frame& fr) {
    out.frames.emplace_back(fr.data);
    out.truncated.push_back(fr.truncated);
  };
  for (std::string_view p : pieces) {
    f.push(p);
    while (auto fr = f.next()) keep(*fr);
  }
  if (auto fr = f.finish()) keep(*fr);
  return out;
}

const std::vector<std::string> kExpected = {"<13>1 - h a - - - one", "<13>two", "<14>three", "<15>four",
                                            "123 not octet-counted", "<16>five"};

std::string mixedStream() {
  return octet("<13>1 - h a - - - one") + "<13>two\r\n" + octet("<14>three") + "\n\n" +
         std::string("<15>four\0\n", 10) + "123 not octet-counted\n" + octet("<16>five");
}

TEST(StreamFramer, WholeBufferAtOnce) {
  StreamFramer f;
  const std::string s = mixedStream();
  const Out out = run(f, {s});
  EXPECT_EQ(out.frames, kExpected);
  EXPECT_EQ(f.stats().frames, kExpected.size());
  EXPECT_EQ(f.stats().octetCounted, 3u);
  EXPECT_EQ(f.stats().octetCountMismatch, 0u);
  EXPECT_EQ(f.stats().oversized, 0u);
}

TEST(StreamFramer, SplitAtEveryByteBoundary) {
  const std::string s = mixedStream();
  for (size_t k = 0; k <= s.size(); ++k) {
    StreamFramer f;
    const std::string_view v(s);
    EXPECT_EQ(run(f, {v.substr(0, k), v.substr(k)}).frames, kExpected) << "split at " << k;
  }
  for (size_t a = 0; a <= s.size(); a += 3)
    for (size_t b = a; b <= s.size(); b += 5) {
      StreamFramer f;
      const std::string_view v(s);
      EXPECT_EQ(run(f, {v.substr(0, a), v.substr(a, b - a), v.substr(b)}).frames, kExpected)
          << "split at " << a << " and " << b;
    }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < s.size(); ++i) bytes.push_back(std::string_view(s).substr(i, 1));
  StreamFramer f;
  EXPECT_EQ(run(f, bytes).frames, kExpected) << "one byte per read";
}

TEST(StreamFramer, OctetCountTooSmallIsCountedAndNothingIsLost) {
  StreamFramer f;
  const Out out = run(f, {"5 <13>hello world\n<14>next\n"});
  EXPECT_EQ(out.frames, (std::vector<std::string>{"<13>h", "ello world", "<14>next"}));
  EXPECT_EQ(f.stats().octetCountMismatch, 1u);
}

TEST(StreamFramer, OctetCountTooLargeEndsTruncatedAtEndOfStream) {
  StreamFramer f;
  const Out out = run(f, {"100 <13>short"});
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(out.frames[0], "<13>short");
  EXPECT_TRUE(out.truncated[0]);
  EXPECT_EQ(f.stats().truncatedAtEnd, 1u);
}

TEST(StreamFramer, OversizedLfFrameIsCutAndTheRestDiscarded) {
  StreamFramer f(FramerOptions{.maxFrameBytes = 16});
  const std::string big = "<13>" + std::string(40, 'x');
  std::vector<std::string_view> bytes;
  const std::string s = big + "\n<13>ok\n";
  for (size_t i = 0; i < s.size(); ++i) bytes.push_back(std::string_view(s).substr(i, 1));
  const Out out = run(f, bytes);
  ASSERT_EQ(out.frames.size(), 2u);
  EXPECT_EQ(out.frames[0], big.substr(0, 16));
  EXPECT_TRUE(out.truncated[0]);
  EXPECT_EQ(out.frames[1], "<13>ok");
  EXPECT_FALSE(out.truncated[1]);
  EXPECT_EQ(f.stats().oversized, 1u);
  EXPECT_EQ(f.stats().discardedBytes, big.size() - 16);
}

TEST(StreamFramer, OversizedOctetFrameIsCutAndSkippedByCount) {
  StreamFramer f(FramerOptions{.maxFrameBytes = 16});
  const std::string big = "<13>" + std::string(40, 'y');
  const Out out = run(f, {octet(big) + octet("<13>ok")});
  ASSERT_EQ(out.frames.size(), 2u);
  EXPECT_EQ(out.frames[0], big.substr(0, 16));
  EXPECT_TRUE(out.truncated[0]);
  EXPECT_EQ(out.frames[1], "<13>ok");
  EXPECT_EQ(f.stats().oversized, 1u);
  EXPECT_EQ(f.stats().octetCountMismatch, 0u);
}

TEST(StreamFramer, HugeCountsAndOneMegabyteLines) {
  StreamFramer f;  // default maximum 64 KiB
  const std::string line = "<13>" + std::string(1 << 20, 'z');
  const Out out = run(f, {"99999999999 <13>x\n", line, "\n<13>after\n"});
  // "99999999999 " has 11 digits: not a count, so it is an LF frame.
  ASSERT_EQ(out.frames.size(), 3u);
  EXPECT_EQ(out.frames[0], "99999999999 <13>x");
  EXPECT_EQ(out.frames[1].size(), 64u * 1024);
  EXPECT_TRUE(out.truncated[1]);
  EXPECT_EQ(out.frames[2], "<13>after");

  StreamFramer big(FramerOptions{.maxFrameBytes = 2 << 20});
  const Out whole = run(big, {line.substr(0, 1000), line.substr(1000), "\n"});
  ASSERT_EQ(whole.frames.size(), 1u);
  EXPECT_EQ(whole.frames[0], line);
}

TEST(StreamFramer, GarbageNeverCrashesAndComesOutAsFrames) {
  StreamFramer f;
  const std::string junk("\xff\xfe\0\x01 12 abc\n\n\r\n123abc\n0 <13>zero\n9", 35);
  const Out out = run(f, {junk});
  EXPECT_EQ(out.frames,
            (std::vector<std::string>{std::string("\xff\xfe\0\x01 12 abc", 11), "123abc", "0 <13>zero", "9"}));
  EXPECT_EQ(f.stats().frames, 4u);
}

TEST(Datagram, TrailersAreRemovedAndTheRestKept) {
  EXPECT_EQ(datagramMessage(std::string_view("<13>x\r\n\0", 8)), "<13>x");
  EXPECT_EQ(datagramMessage(std::string_view("<13>a\0b", 7)), std::string_view("<13>a\0b", 7));
  EXPECT_EQ(datagramMessage(""), "");
}

}  // namespace
}  // namespace vigil::ingest
