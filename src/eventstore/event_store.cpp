// The event store (event_store.h); the file format is described in README.md.
#include "eventstore/event_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "eventstore/codec.h"
#include "eventstore/text.h"

namespace vigil::eventstore {

namespace fs = std::filesystem;
using normalize::ValueType;

namespace {

constexpr uint32_t kWalMagic = 0x314C5756;    // "VWL1"
constexpr uint32_t kBlockMagic = 0x31424756;  // "VGB1"
constexpr size_t kWalHeader = 12;             // magic, payload length, payload CRC-32C
constexpr size_t kBlockPrefix = 20;           // magic, header length, header CRC, body length (u64)
constexpr int64_t kDayUs = 86'400'000'000LL;
constexpr int64_t kMaxTimeUs = 253'402'300'799'999'999LL;  // 9999-12-31T23:59:59.999999Z
constexpr uint32_t kBloomBitsPerTerm = 14;
constexpr uint32_t kBloomHashes = 10;
constexpr uint64_t kMaxBlockRawBytes = 64ull << 20;
constexpr size_t kMaxSealQueue = 4;
constexpr size_t kMaxLimit = 10'000;
constexpr size_t kMaxBuckets = 10'000;

int64_t nowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 <-> "YYYY-MM-DD" (H. Hinnant's civil calendar algorithms).
std::string formatDay(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(y), static_cast<int>(m),
                static_cast<int>(d));
  return buf;
}
std::optional<int64_t> parseDay(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || std::sscanf(std::string(s).c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string sysError(const std::string& what, const fs::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

Status syncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::internal(sysError("cannot open directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Error::internal(sysError("cannot fsync directory", dir));
  return {};
}

bool writeAll(int fd, const char* p, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return true;
}
bool readAll(int fd, char* p, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

// ---- row encoding: the payload of a write-ahead-log record ----
//   varint count, then per event: svar time, svar org, svar source, svar received,
//   varint rawLen, raw bytes, varint fieldCount, per field: varint nameLen, name, value.
// value: byte type, then string/ip: byte 1 + varint offset + varint length (a slice of the raw
// text) or byte 0 + varint length + bytes; int: svar number + varint textLen + text (empty when
// the text is the number's decimal form); time: svar number.

bool insideRaw(std::string_view raw, std::string_view v) {
  return !v.empty() && v.data() >= raw.data() && v.data() + v.size() <= raw.data() + raw.size();
}

void putValue(std::string& out, std::string_view raw, ValueType type, std::string_view text, int64_t number) {
  out.push_back(static_cast<char>(type));
  switch (type) {
    case ValueType::kString:
    case ValueType::kIp:
      if (insideRaw(raw, text)) {
        out.push_back(1);
        putVar(out, static_cast<uint64_t>(text.data() - raw.data()));
        putVar(out, text.size());
      } else {
        out.push_back(0);
        putVar(out, text.size());
        out.append(text);
      }
      return;
    case ValueType::kInt: {
      putVar(out, zigzag(number));
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
      if (text == std::string_view(digits, static_cast<size_t>(end - digits))) text = {};
      putVar(out, text.size());
      out.append(text);
      return;
    }
    case ValueType::kTime: putVar(out, zigzag(number)); return;
  }
}

TimeUs eventTime(const normalize::Event& e) {
  TimeUs t = e.receivedUs;
  if (auto v = e.get("@timestamp"); v && v->type == ValueType::kTime) t = v->number;
  if (t < 0 || t > kMaxTimeUs) t = std::clamp<TimeUs>(e.receivedUs, 0, kMaxTimeUs);
  return t;
}

void encodeEvent(const normalize::Event& e, std::string& out) {
  const std::string_view raw = e.raw();
  putVar(out, zigzag(eventTime(e)));
  putVar(out, zigzag(e.orgId));
  putVar(out, zigzag(e.sourceId));
  putVar(out, zigzag(e.receivedUs));
  putVar(out, raw.size());
  out.append(raw);
  size_t n = 0;
  for (size_t i = 0; i < e.size(); ++i) n += e.nameAt(i) != "@timestamp";
  putVar(out, n);
  for (size_t i = 0; i < e.size(); ++i) {
    std::string_view name = e.nameAt(i);
    if (name == "@timestamp") continue;
    putVar(out, name.size());
    out.append(name);
    normalize::Value v = e.valueAt(i);
    putValue(out, raw, v.type, v.text, v.number);
  }
}

// Decoded events (views into the buffers they were decoded from).
struct Decoded {
  std::vector<EventView> events;
  std::vector<FieldView> fields;
  std::vector<uint32_t> fieldStart;     // per event, index into fields
  std::vector<std::string_view> names;  // a block's name dictionary (its events' fields stay packed)
  void finish() {
    for (size_t i = 0; i < events.size(); ++i) {
      size_t end = i + 1 < events.size() ? fieldStart[i + 1] : fields.size();
      events[i].fields = fields.data() + fieldStart[i];
      events[i].fieldCount = end - fieldStart[i];
    }
  }
};

// Appends the events of one write-ahead-log record (header included) to `out`.
bool decodeRecord(std::string_view record, Decoded& out) {
  Reader r(record.substr(kWalHeader));
  uint64_t count = r.var();
  for (uint64_t i = 0; i < count && r.ok; ++i) {
    EventView e;
    e.timeUs = r.svar();
    e.orgId = r.svar();
    e.sourceId = r.svar();
    e.receivedUs = r.svar();
    e.raw = r.bytes(r.var());
    uint64_t nf = r.var();
    out.fieldStart.push_back(static_cast<uint32_t>(out.fields.size()));
    for (uint64_t k = 0; k < nf && r.ok; ++k) {
      FieldView f;
      f.name = r.bytes(r.var());
      if (!readValue(r, e.raw, f)) return false;
      out.fields.push_back(f);
    }
    out.events.push_back(e);
  }
  return r.ok;
}

StoredEvent toStored(const EventView& e) {
  StoredEvent s;
  s.timeUs = e.timeUs;
  s.orgId = e.orgId;
  s.sourceId = e.sourceId;
  s.receivedUs = e.receivedUs;
  s.raw = std::string(e.raw);
  thread_local std::vector<FieldView> fields;
  decodeFields(e, fields);  // a CRC-checked block; a field that does not decode ends the list
  s.fields.reserve(fields.size());
  for (const FieldView& f : fields) {
    StoredField sf{std::string(f.name), f.type, std::string(f.text), f.number};
    if (f.type == ValueType::kInt && sf.text.empty()) sf.text = std::to_string(f.number);
    s.fields.push_back(std::move(sf));
  }
  return s;
}

// A set of 64-bit hashes (open addressing; 0 is the empty slot, so hash 0 is stored as 1).
class HashSet {
 public:
  void clear(size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, 0);
    size_ = 0;
  }
  void insert(uint64_t h) {
    if (h == 0) h = 1;
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1, i = h & mask;
    while (slots_[i] != 0) {
      if (slots_[i] == h) return;
      i = (i + 1) & mask;
    }
    slots_[i] = h;
    ++size_;
  }
  size_t size() const { return size_; }
  template <typename F>
  void forEach(F&& f) const {
    for (uint64_t h : slots_)
      if (h) f(h);
  }

 private:
  void grow() {
    std::vector<uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    size_ = 0;
    for (uint64_t h : old)
      if (h) insert(h);
  }
  std::vector<uint64_t> slots_ = std::vector<uint64_t>(1024, 0);
  size_t size_ = 0;
};

void bloomAdd(std::vector<uint64_t>& words, uint32_t bits, uint64_t h) {
  const uint64_t h2 = (h >> 32) | (h << 32) | 1;
  for (uint32_t i = 0; i < kBloomHashes; ++i) {
    const uint64_t bit = (h + i * h2) % bits;
    words[bit >> 6] |= 1ull << (bit & 63);
  }
}

}  // namespace

// ---- files and blocks ----

struct PartitionFile {
  int64_t day = 0;
  fs::path path;
  int fd = -1;
  std::atomic<uint64_t> size{0};  // append offset; written by the sealer, read by stats()
  ~PartitionFile() {
    if (fd >= 0) ::close(fd);
  }
};

struct Frame {
  uint64_t offset = 0;  // in the partition file
  uint32_t compressed = 0, raw = 0, crc = 0;
};

struct Block {
  std::shared_ptr<PartitionFile> file;
  uint64_t recordOffset = 0, recordBytes = 0;
  uint64_t walSeq = 0;
  uint32_t count = 0;
  TimeUs minTime = 0, maxTime = 0;
  uint64_t rawBytes = 0;
  std::vector<int64_t> orgs;  // sorted
  std::vector<uint64_t> bloom;
  uint32_t bloomBits = 0;
  Frame meta, raw, fields;
  mutable std::atomic<bool> corrupt{false};
  TermFilter filter() const { return {bloom.data(), bloomBits, kBloomHashes}; }
};

// One write-ahead-log segment: the batches written to it, in order, each a full record.
struct Segment {
  uint64_t seq = 0;
  fs::path walPath;
  int fd = -1;
  uint64_t walSize = 0;
  std::vector<std::shared_ptr<const std::string>> records;
  uint64_t events = 0, rawBytes = 0;
  int64_t createdUs = 0;
};

struct Pending {
  std::shared_ptr<const std::string> record;
  uint64_t events = 0, rawBytes = 0;
  EventStore::DurableCallback callback;
  uint64_t batchNo = 0;
};

struct EventStore::Impl {
  fs::path dir;
  Options options;
  int lockFd = -1;

  mutable std::mutex mu;
  std::condition_variable writerCv, sealerCv, doneCv;
  std::deque<Pending> queue;
  uint64_t queuedBytes = 0;
  uint64_t nextBatchNo = 1, durableBatchNo = 0;
  bool stopping = false, closed = false, rotateRequested = false, writerDone = false;
  bool writeFailing = false;                // the last log write failed; append() refuses until one succeeds
  std::chrono::milliseconds retryWait{50};  // writer only: wait before retrying a failed write
  std::shared_ptr<Segment> current;
  std::deque<std::shared_ptr<Segment>> sealQueue;
  uint64_t sealedSeq = 0;  // every segment with seq <= sealedSeq is sealed
  std::vector<std::shared_ptr<const Block>> blocks;
  std::map<int64_t, std::shared_ptr<PartitionFile>> partitions;
  uint64_t nextSeq = 1;

  std::mutex sealMu;  // one seal or retention at a time
  ZSTD_CCtx* cctx = nullptr;

  std::atomic<uint64_t> acceptedBatches{0}, rejectedBatches{0}, rejectedEvents{0};
  std::atomic<uint64_t> walTornTails{0}, truncatedBytes{0};
  mutable std::atomic<uint64_t> corruptBlocks{0};

  std::thread writer, sealer;

  ~Impl() {
    if (cctx) ZSTD_freeCCtx(cctx);
    if (lockFd >= 0) ::close(lockFd);
  }

  fs::path walPath(uint64_t seq) const {
    char name[40];
    std::snprintf(name, sizeof name, "wal-%016llu.log", static_cast<unsigned long long>(seq));
    return dir / name;
  }

  // ---- open ----

  Status loadPartition(const fs::path& path, int64_t day, uint64_t firstReplayedSeq) {
    auto pf = std::make_shared<PartitionFile>();
    pf->day = day;
    pf->path = path;
    pf->fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (pf->fd < 0) return Error::internal(sysError("cannot open", path));
    struct stat st {};
    if (::fstat(pf->fd, &st) != 0) return Error::internal(sysError("cannot stat", path));
    const auto fileSize = static_cast<uint64_t>(st.st_size);
    uint64_t off = 0;
    bool replayCut = false;
    std::string header;
    while (off + kBlockPrefix <= fileSize) {
      char prefix[kBlockPrefix];
      if (!readAll(pf->fd, prefix, kBlockPrefix, off)) break;
      const uint32_t hdrLen = getU32(prefix + 4), hdrCrc = getU32(prefix + 8);
      const uint64_t bodyLen = getU64(prefix + 12);
      if (getU32(prefix) != kBlockMagic || hdrLen > (256u << 20) || bodyLen > fileSize ||
          off + kBlockPrefix + hdrLen + bodyLen > fileSize)
        break;  // a torn or unreadable tail
      const uint64_t recordBytes = kBlockPrefix + hdrLen + bodyLen;
      header.resize(hdrLen);
      if (!readAll(pf->fd, header.data(), hdrLen, off + kBlockPrefix)) break;
      auto block = std::make_shared<Block>();
      if (crc32c(header) != hdrCrc || !parseHeader(header, *block)) {
        corruptBlocks++;
        log::error("eventstore: " + path.string() + " block at offset " + std::to_string(off) +
                   ": bad header checksum, skipped");
        off += recordBytes;
        continue;
      }
      if (block->walSeq >= firstReplayedSeq) {  // its log segment is still there: it is replayed
        replayCut = true;
        break;
      }
      block->file = pf;
      block->recordOffset = off;
      block->recordBytes = recordBytes;
      uint64_t frameOff = off + kBlockPrefix + hdrLen;
      for (Frame* f : {&block->meta, &block->raw, &block->fields}) {
        f->offset = frameOff;
        frameOff += f->compressed;
      }
      if (frameOff != off + recordBytes) {
        corruptBlocks++;
        off += recordBytes;
        continue;
      }
      nextSeq = std::max(nextSeq, block->walSeq + 1);
      blocks.push_back(std::move(block));
      off += recordBytes;
    }
    if (off < fileSize) {
      if (!replayCut) {
        truncatedBytes += fileSize - off;
        log::error("eventstore: " + path.string() + ": cut " + std::to_string(fileSize - off) +
                   " unreadable bytes at offset " + std::to_string(off));
      }
      if (::ftruncate(pf->fd, static_cast<off_t>(off)) != 0) return Error::internal(sysError("cannot truncate", path));
      ::fdatasync(pf->fd);
    }
    pf->size = off;
    partitions[day] = pf;
    return {};
  }

  static bool parseHeader(std::string_view h, Block& b) {
    Reader r(h);
    b.walSeq = r.var();
    b.count = static_cast<uint32_t>(r.var());
    b.minTime = r.svar();
    b.maxTime = r.svar();
    b.rawBytes = r.var();
    uint64_t norgs = r.var();
    if (norgs > b.count) return false;
    for (uint64_t i = 0; i < norgs && r.ok; ++i) b.orgs.push_back(r.svar());
    for (Frame* f : {&b.meta, &b.raw, &b.fields}) {
      f->compressed = static_cast<uint32_t>(r.var());
      f->raw = static_cast<uint32_t>(r.var());
      f->crc = static_cast<uint32_t>(r.var());
    }
    b.bloomBits = static_cast<uint32_t>(r.var());
    if (!r.ok || b.bloomBits % 64 != 0) return false;
    std::string_view words = r.bytes(b.bloomBits / 8);
    if (!r.ok || !r.done()) return false;
    b.bloom.resize(b.bloomBits / 64);
    std::memcpy(b.bloom.data(), words.data(), words.size());
    return true;
  }

  // Reads the records of a log segment; a torn or corrupt tail is cut (and counted).
  Result<std::shared_ptr<Segment>> readSegment(uint64_t seq) {
    auto seg = std::make_shared<Segment>();
    seg->seq = seq;
    seg->walPath = walPath(seq);
    int fd = ::open(seg->walPath.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return Error::internal(sysError("cannot open", seg->walPath));
    struct stat st {};
    ::fstat(fd, &st);
    const auto size = static_cast<uint64_t>(st.st_size);
    uint64_t off = 0;
    while (off + kWalHeader <= size) {
      char h[kWalHeader];
      if (!readAll(fd, h, kWalHeader, off)) break;
      const uint32_t len = getU32(h + 4);
      if (getU32(h) != kWalMagic || off + kWalHeader + len > size) break;
      auto rec = std::make_shared<std::string>(kWalHeader + len, '\0');
      if (!readAll(fd, rec->data(), rec->size(), off)) break;
      if (crc32c(rec->data() + kWalHeader, len) != getU32(h + 8)) break;
      Decoded d;
      if (!decodeRecord(*rec, d)) break;
      seg->events += d.events.size();
      for (const auto& e : d.events) seg->rawBytes += e.raw.size();
      seg->records.push_back(std::move(rec));
      off += kWalHeader + len;
    }
    if (off < size) {
      walTornTails++;
      log::error("eventstore: " + seg->walPath.string() + ": cut a torn log tail of " + std::to_string(size - off) +
                 " bytes at offset " + std::to_string(off));
      if (::ftruncate(fd, static_cast<off_t>(off)) != 0) {
        ::close(fd);
        return Error::internal(sysError("cannot truncate", seg->walPath));
      }
      ::fdatasync(fd);
    }
    ::close(fd);
    seg->walSize = off;
    return seg;
  }

  Status openNewSegment() {
    auto seg = std::make_shared<Segment>();
    seg->seq = nextSeq++;
    seg->walPath = walPath(seg->seq);
    seg->fd = ::open(seg->walPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (seg->fd < 0) return Error::unavailable(sysError("cannot create", seg->walPath));
    seg->createdUs = nowUs();
    if (options.syncWrites) VIGIL_TRY(syncDir(dir));
    std::lock_guard lock(mu);
    current = std::move(seg);
    return {};
  }

  // ---- sealing: a segment's events into one block per day, then the segment is deleted ----

  std::string compress(const std::string& in) {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    size_t n = ZSTD_compressCCtx(cctx, out.data(), out.size(), in.data(), in.size(), options.zstdLevel);
    if (ZSTD_isError(n)) n = 0;
    out.resize(n);
    return out;
  }

  // Builds the record of one block from the events at `idx` (sorted by time).
  std::string buildBlock(const Decoded& d, const std::vector<uint32_t>& idx, uint64_t walSeq) {
    std::string meta, raw, fields;
    int64_t prev = 0;
    uint64_t rawBytes = 0;
    for (uint32_t i : idx) {
      putVar(meta, zigzag(d.events[i].timeUs - prev));
      prev = d.events[i].timeUs;
    }
    std::vector<int64_t> orgs;
    for (uint32_t i : idx) {
      putVar(meta, zigzag(d.events[i].orgId));
      orgs.push_back(d.events[i].orgId);
    }
    for (uint32_t i : idx) putVar(meta, zigzag(d.events[i].sourceId));
    for (uint32_t i : idx) putVar(meta, zigzag(d.events[i].receivedUs - d.events[i].timeUs));
    std::sort(orgs.begin(), orgs.end());
    orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());

    for (uint32_t i : idx) putVar(raw, d.events[i].raw.size());
    for (uint32_t i : idx) {
      raw.append(d.events[i].raw);
      rawBytes += d.events[i].raw.size();
    }

    // Field names: a dictionary per block; terms: field values and raw tokens, for the filter.
    std::unordered_map<std::string_view, uint32_t> names;
    std::vector<uint64_t> namePrefix;  // hashPrefix(name) per name id
    static const uint64_t kTextPrefix = hashPrefix("\x01");
    static const uint64_t kSourcePrefix = hashPrefix("vigil.source_id");
    char digits[24];
    auto decimal = [&](int64_t v) {
      return std::string_view(digits,
                              static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, v).ptr - digits));
    };
    std::vector<std::string_view> nameList;
    std::string rows, one;  // one: the current event's fields, written behind its length
    std::vector<FieldView> unpacked;
    HashSet terms;
    terms.clear(idx.size() * 8);
    std::string norm;
    auto addText = [&](std::string_view t) {
      norm.clear();
      appendLower(t, norm);
      terms.insert(hashTermFrom(kTextPrefix, norm));
      if (!isAscii(t)) {
        norm.clear();
        appendFolded(t, norm);
        terms.insert(hashTermFrom(kTextPrefix, norm));
      }
    };
    for (uint32_t i : idx) {
      const EventView& e = d.events[i];
      forEachToken(e.raw, addText);
      terms.insert(hashTermFrom(kSourcePrefix, decimal(e.sourceId)));
      const FieldView* evFields = e.fields;
      size_t evFieldCount = e.fieldCount;
      if (e.names != nullptr) {  // read from a block (a retention rewrite): decode its packed fields
        decodeFields(e, unpacked);
        evFields = unpacked.data();
        evFieldCount = unpacked.size();
      }
      one.clear();
      putVar(one, evFieldCount);
      for (size_t k = 0; k < evFieldCount; ++k) {
        const FieldView& f = evFields[k];
        auto [it, added] = names.emplace(f.name, static_cast<uint32_t>(nameList.size()));
        if (added) {
          nameList.push_back(f.name);
          namePrefix.push_back(hashPrefix(f.name));
        }
        const uint64_t prefix = namePrefix[it->second];
        putVar(one, it->second);
        putValue(one, e.raw, f.type, f.text, f.number);
        if (f.type == ValueType::kString || f.type == ValueType::kIp) {
          norm.clear();
          appendLower(f.text, norm);
          terms.insert(hashTermFrom(prefix, norm));
          if (!isAscii(f.text)) {
            norm.clear();
            appendFolded(f.text, norm);
            terms.insert(hashTermFrom(prefix, norm));
          }
        } else if (f.type == ValueType::kInt) {
          terms.insert(hashTermFrom(prefix, decimal(f.number)));
        }
      }
      putVar(rows, one.size());
      rows += one;
    }
    putVar(fields, nameList.size());
    for (auto n : nameList) {
      putVar(fields, n.size());
      fields.append(n);
    }
    fields.append(rows);

    uint32_t bits = static_cast<uint32_t>(std::max<uint64_t>(64, terms.size() * kBloomBitsPerTerm));
    bits = (bits + 63) / 64 * 64;
    std::vector<uint64_t> bloom(bits / 64, 0);
    terms.forEach([&](uint64_t h) { bloomAdd(bloom, bits, h); });

    std::string frames[3] = {compress(meta), compress(raw), compress(fields)};
    const std::string* plain[3] = {&meta, &raw, &fields};
    std::string header;
    putVar(header, walSeq);
    putVar(header, idx.size());
    putVar(header, zigzag(d.events[idx.front()].timeUs));
    putVar(header, zigzag(d.events[idx.back()].timeUs));
    putVar(header, rawBytes);
    putVar(header, orgs.size());
    for (int64_t o : orgs) putVar(header, zigzag(o));
    for (int k = 0; k < 3; ++k) {
      putVar(header, frames[k].size());
      putVar(header, plain[k]->size());
      putVar(header, crc32c(frames[k]));
    }
    putVar(header, bits);
    header.append(reinterpret_cast<const char*>(bloom.data()), bits / 8);

    std::string record;
    putU32(record, kBlockMagic);
    putU32(record, static_cast<uint32_t>(header.size()));
    putU32(record, crc32c(header));
    putU64(record, frames[0].size() + frames[1].size() + frames[2].size());
    record += header;
    for (const auto& f : frames) record += f;
    return record;
  }

  std::shared_ptr<PartitionFile> partitionFor(int64_t day, Status& st) {
    {
      std::lock_guard lock(mu);
      if (auto it = partitions.find(day); it != partitions.end()) return it->second;
    }
    auto pf = std::make_shared<PartitionFile>();
    pf->day = day;
    pf->path = dir / ("events-" + formatDay(day) + ".vgb");
    pf->fd = ::open(pf->path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (pf->fd < 0) {
      st = Error::unavailable(sysError("cannot create", pf->path));
      return nullptr;
    }
    struct stat s {};
    ::fstat(pf->fd, &s);
    pf->size = static_cast<uint64_t>(s.st_size);
    if (options.syncWrites) st = syncDir(dir);
    std::lock_guard lock(mu);
    partitions[day] = pf;
    return pf;
  }

  // Appends a block record (a valid one: built here or read whole) to `pf`; the block's metadata,
  // or nullptr when the write failed. `owner` is the shared pointer of `pf`.
  std::shared_ptr<Block> placeRecord(PartitionFile& pf, const std::string& record,
                                     const std::shared_ptr<PartitionFile>& owner) {
    auto block = std::make_shared<Block>();
    const uint32_t hdrLen = getU32(record.data() + 4);
    if (!parseHeader(std::string_view(record).substr(kBlockPrefix, hdrLen), *block)) return nullptr;
    block->file = owner;
    block->recordOffset = pf.size;
    block->recordBytes = record.size();
    uint64_t frameOff = pf.size + kBlockPrefix + hdrLen;
    for (Frame* f : {&block->meta, &block->raw, &block->fields}) {
      f->offset = frameOff;
      frameOff += f->compressed;
    }
    if (!writeAll(pf.fd, record.data(), record.size(), pf.size.load())) return nullptr;
    pf.size += record.size();
    return block;
  }

  // Rewrites the day file `pf` without the events of the orgs in `drop` (per-agency retention):
  // a new file is written beside it, synced and renamed over it, so a crash leaves either file.
  // Blocks without such events (and blocks that do not decode) are copied as they are. Caller
  // holds sealMu.
  Status rewriteWithout(const std::shared_ptr<PartitionFile>& pf, const std::vector<int64_t>& drop,
                        RetentionReport& report) {
    std::vector<std::shared_ptr<const Block>> old;
    {
      std::lock_guard lock(mu);
      for (const auto& b : blocks)
        if (b->file == pf) old.push_back(b);
    }
    std::sort(old.begin(), old.end(), [](const auto& a, const auto& b) { return a->recordOffset < b->recordOffset; });
    const fs::path tmp = pf->path.string() + ".tmp";
    auto npf = std::make_shared<PartitionFile>();
    npf->day = pf->day;
    npf->path = pf->path;
    npf->fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (npf->fd < 0) return Error::unavailable(sysError("eventstore: cannot create", tmp));
    auto fail = [&](const std::string& what) -> Status {
      ::unlink(tmp.c_str());
      return Error::unavailable(sysError("eventstore: " + what, tmp));
    };
    auto dropped = [&](int64_t org) { return std::find(drop.begin(), drop.end(), org) != drop.end(); };
    std::vector<std::shared_ptr<const Block>> made;
    std::string buf[3];
    Decoded d;
    uint64_t removed = 0;
    for (const auto& b : old) {
      const bool affected = std::any_of(b->orgs.begin(), b->orgs.end(), dropped);
      std::string record;
      if (affected && decodeBlock(*b, true, buf, d)) {
        std::vector<uint32_t> keep;
        for (uint32_t i = 0; i < d.events.size(); ++i)
          if (!dropped(d.events[i].orgId)) keep.push_back(i);
        removed += d.events.size() - keep.size();
        if (keep.empty()) continue;
        record = buildBlock(d, keep, b->walSeq);
      } else {
        record.resize(b->recordBytes);
        if (!readAll(b->file->fd, record.data(), record.size(), b->recordOffset)) return fail("cannot copy a block to");
      }
      auto nb = placeRecord(*npf, record, npf);
      if (!nb) return fail("cannot write");
      if (b->corrupt.load()) nb->corrupt = true;
      made.push_back(std::move(nb));
    }
    if (::fdatasync(npf->fd) != 0) return fail("cannot fdatasync");
    if (::rename(tmp.c_str(), pf->path.c_str()) != 0) return fail("cannot rename");
    if (options.syncWrites) VIGIL_TRY(syncDir(dir));
    {
      std::lock_guard lock(mu);
      std::erase_if(blocks, [&](const std::shared_ptr<const Block>& b) { return b->file == pf; });
      for (auto& b : made) blocks.push_back(std::move(b));
      partitions[pf->day] = npf;
    }
    report.deletedEvents += removed;
    report.rewrittenPartitions.push_back(formatDay(pf->day));
    return {};
  }

  // Seals `seg` (caller holds sealMu). On success its blocks are visible, the segment is gone
  // from the seal queue (when `queued`) and its log file is deleted.
  Status seal(const std::shared_ptr<Segment>& seg, bool queued) {
    Decoded d;
    for (const auto& rec : seg->records)
      if (!decodeRecord(*rec, d)) return Error::internal("eventstore: a log record does not decode");
    d.finish();
    // Group by day, sort by time (stable: arrival order among equal times).
    std::map<int64_t, std::vector<uint32_t>> byDay;
    for (uint32_t i = 0; i < d.events.size(); ++i) byDay[floorDiv(d.events[i].timeUs, kDayUs)].push_back(i);
    std::vector<std::shared_ptr<const Block>> made;
    std::vector<std::pair<std::shared_ptr<PartitionFile>, uint64_t>> touched;  // file, size before
    auto rollback = [&]() {
      for (auto& [pf, size] : touched)
        if (::ftruncate(pf->fd, static_cast<off_t>(size)) == 0) pf->size = size;
    };
    for (auto& [day, idx] : byDay) {
      std::stable_sort(idx.begin(), idx.end(),
                       [&](uint32_t a, uint32_t b) { return d.events[a].timeUs < d.events[b].timeUs; });
      Status st;
      auto pf = partitionFor(day, st);
      if (!pf || !st.ok()) {
        rollback();
        return st.ok() ? Error::unavailable("eventstore: no partition file") : st;
      }
      touched.emplace_back(pf, pf->size);
      size_t start = 0;
      while (start < idx.size()) {
        size_t end = start;
        uint64_t bytes = 0;
        while (end < idx.size() && end - start < options.maxBlockEvents && bytes < kMaxBlockRawBytes)
          bytes += d.events[idx[end++]].raw.size();
        std::vector<uint32_t> part(idx.begin() + static_cast<long>(start), idx.begin() + static_cast<long>(end));
        auto block = placeRecord(*pf, buildBlock(d, part, seg->seq), pf);
        if (!block) {
          Status err = Error::unavailable(sysError("cannot write", pf->path));
          rollback();
          return err;
        }
        made.push_back(std::move(block));
        start = end;
      }
    }
    if (options.syncWrites) {
      for (auto& [pf, size] : touched) {
        if (::fdatasync(pf->fd) != 0) {
          Status err = Error::unavailable(sysError("cannot fdatasync", pf->path));
          rollback();
          return err;
        }
      }
    }
    {
      std::lock_guard lock(mu);
      for (auto& b : made) blocks.push_back(std::move(b));
      if (queued && !sealQueue.empty() && sealQueue.front() == seg) sealQueue.pop_front();
      sealedSeq = std::max(sealedSeq, seg->seq);
    }
    doneCv.notify_all();
    writerCv.notify_all();
    if (::unlink(seg->walPath.c_str()) != 0 && errno != ENOENT)
      log::error("eventstore: cannot delete " + seg->walPath.string() + ": " + std::strerror(errno));
    if (options.syncWrites) (void)syncDir(dir);
    return {};
  }

  // ---- threads ----

  void writerLoop() {
    std::unique_lock lock(mu);
    for (;;) {
      const auto age = [&] { return current && current->events > 0 ? nowUs() - current->createdUs : 0; };
      while (queue.empty() && !stopping && !rotateRequested && age() < options.maxSegmentAgeUs) {
        if (current && current->events > 0) {
          writerCv.wait_for(lock, std::chrono::microseconds(options.maxSegmentAgeUs - age() + 1000));
        } else {
          writerCv.wait(lock);
        }
      }
      // One group: the queued batches in order, as many as fit in the current segment's room
      // (bytes and events; at least one), so that a segment stays within maxSegmentBytes plus
      // one batch (the memory bound of README.md). The rest waits for the next group.
      std::deque<Pending> batch;
      uint64_t bytes = 0, groupEvents = 0;
      const uint64_t roomBytes =
          current->walSize < options.maxSegmentBytes ? options.maxSegmentBytes - current->walSize : 0;
      const uint64_t roomEvents =
          current->events < options.maxSegmentEvents ? options.maxSegmentEvents - current->events : 0;
      while (!queue.empty()) {
        const Pending& next = queue.front();
        if (!batch.empty() && (bytes + next.record->size() > roomBytes || groupEvents + next.events > roomEvents))
          break;
        bytes += next.record->size();
        groupEvents += next.events;
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      std::shared_ptr<Segment> seg = current;
      const bool finalAttempt = stopping;
      lock.unlock();

      const bool written = batch.empty() || writeGroup(batch, seg, bytes, finalAttempt);

      lock.lock();
      if (!written) {
        // The disk refused (full, or an I/O error): keep the batches, in order, at the head of the
        // queue and retry; meanwhile append() refuses (push-back). Nothing accepted is dropped.
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue.push_front(std::move(*it));
        writeFailing = true;
        writerCv.wait_for(lock, retryWait, [&] { return stopping; });
        retryWait = std::min(2 * retryWait, std::chrono::milliseconds(1000));
        continue;
      }
      retryWait = std::chrono::milliseconds(50);
      queuedBytes -= bytes;
      const bool full = current->events >= options.maxSegmentEvents || current->walSize >= options.maxSegmentBytes;
      const bool rotate = current->events > 0 && (full || rotateRequested || stopping ||
                                                  nowUs() - current->createdUs >= options.maxSegmentAgeUs);
      if (rotate) {
        // Back-pressure: at most kMaxSealQueue segments wait for the sealer. Not when closing: a
        // sealer that cannot write (disk full) would hold close() forever; segments left unsealed
        // are replayed at the next open.
        doneCv.wait(lock, [&] { return sealQueue.size() < kMaxSealQueue || stopping; });
        lock.unlock();
        auto old = current;
        Status st = openNewSegment();  // takes mu to publish
        lock.lock();
        if (st.ok()) {
          ::close(old->fd);
          old->fd = -1;
          sealQueue.push_back(old);
          sealerCv.notify_one();
        } else {
          log::error("eventstore: " + st.error().message);
        }
      }
      rotateRequested = false;
      doneCv.notify_all();
      if (stopping && queue.empty() && (!current || current->events == 0)) break;
    }
    writerDone = true;
    sealerCv.notify_all();
  }

  // Writes and syncs one group. On failure the partial write is cut; then, unless `final` (the
  // store is closing), returns false without calling the callbacks so the caller retries the
  // same group; when final, the callbacks get the error (nothing of the group is stored).
  bool writeGroup(std::deque<Pending>& batch, const std::shared_ptr<Segment>& seg, uint64_t bytes, bool final) {
    const uint64_t start = seg->walSize;
    bool ok = true;
    {
      std::vector<iovec> iov;
      iov.reserve(batch.size());
      for (const auto& p : batch) iov.push_back({const_cast<char*>(p.record->data()), p.record->size()});
      size_t done = 0, i = 0;
      uint64_t off = start;
      while (i < iov.size() && ok) {
        const int n = static_cast<int>(std::min<size_t>(iov.size() - i, 512));
        ssize_t w = ::pwritev(seg->fd, iov.data() + i, n, static_cast<off_t>(off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          ok = false;
          break;
        }
        off += static_cast<uint64_t>(w);
        done += static_cast<size_t>(w);
        while (i < iov.size() && static_cast<size_t>(w) >= iov[i].iov_len) w -= static_cast<ssize_t>(iov[i++].iov_len);
        if (i < iov.size() && w > 0) {
          iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + w;
          iov[i].iov_len -= static_cast<size_t>(w);
        }
      }
      (void)done;
    }
    if (ok && options.syncWrites && ::fdatasync(seg->fd) != 0) ok = false;
    Status result;
    if (ok) {
      std::lock_guard lock(mu);
      seg->walSize = start + bytes;
      for (const auto& p : batch) {
        seg->records.push_back(p.record);
        seg->events += p.events;
        seg->rawBytes += p.rawBytes;
      }
      durableBatchNo = batch.back().batchNo;
      if (writeFailing) log::info("eventstore: the log is writable again");
      writeFailing = false;
    } else {
      result = Error::unavailable(sysError("eventstore: cannot write the log", seg->walPath));
      if (::ftruncate(seg->fd, static_cast<off_t>(start)) != 0)
        log::error(std::string("eventstore: cannot cut the failed write: ") + std::strerror(errno));
      std::lock_guard lock(mu);
      if (!final) {
        if (!writeFailing) log::error(result.error().message + "; refusing new events and retrying until it succeeds");
        return false;
      }
      log::error(result.error().message + "; closing: " + std::to_string(batch.size()) + " batch(es) not stored");
      durableBatchNo = batch.back().batchNo;
    }
    for (auto& p : batch)
      if (p.callback) p.callback(result);
    return true;
  }

  void sealerLoop() {
    std::unique_lock lock(mu);
    for (;;) {
      sealerCv.wait(lock, [&] { return !sealQueue.empty() || writerDone; });
      if (sealQueue.empty()) break;
      auto seg = sealQueue.front();
      lock.unlock();
      Status st;
      {
        std::lock_guard sl(sealMu);
        st = seal(seg, true);
      }
      if (!st.ok()) {
        log::error("eventstore: sealing log segment " + std::to_string(seg->seq) +
                   " failed, retrying in 1 s: " + st.error().message);
        lock.lock();
        // Closing while the disk keeps failing: stop here; the segments stay in the log and are
        // sealed at the next open.
        if (writerDone) break;
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      lock.lock();
    }
  }

  // ---- reading ----

  bool readFrame(const Block& b, const Frame& f, std::string& out) const {
    std::string comp(f.compressed, '\0');
    if (!readAll(b.file->fd, comp.data(), comp.size(), f.offset) || crc32c(comp) != f.crc) return false;
    out.resize(f.raw);
    struct FreeDCtx {
      void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
    };
    thread_local std::unique_ptr<ZSTD_DCtx, FreeDCtx> dctx(ZSTD_createDCtx());
    size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), comp.data(), comp.size());
    return !ZSTD_isError(n) && n == f.raw;
  }

  void markCorrupt(const Block& b) const {
    if (!b.corrupt.exchange(true)) {
      corruptBlocks++;
      log::error("eventstore: " + b.file->path.string() + " block at offset " + std::to_string(b.recordOffset) +
                 ": checksum or decode failure, skipped");
    }
  }

  // Decodes a block; only the time/org/source columns unless `full`. Returns false when corrupt.
  bool decodeBlock(const Block& b, bool full, std::string (&buf)[3], Decoded& d) const {
    d = Decoded{};
    if (b.corrupt.load()) return false;
    if (!readFrame(b, b.meta, buf[0]) || (full && (!readFrame(b, b.raw, buf[1]) || !readFrame(b, b.fields, buf[2])))) {
      markCorrupt(b);
      return false;
    }
    Reader m(buf[0]);
    d.events.resize(b.count);
    int64_t t = 0;
    for (auto& e : d.events) e.timeUs = t += m.svar();
    for (auto& e : d.events) e.orgId = m.svar();
    for (auto& e : d.events) e.sourceId = m.svar();
    for (auto& e : d.events) e.receivedUs = e.timeUs + m.svar();
    bool ok = m.ok;
    if (full && ok) {
      Reader r(buf[1]);
      std::vector<uint64_t> lens(b.count);
      for (auto& l : lens) l = r.var();
      for (size_t i = 0; i < b.count; ++i) d.events[i].raw = r.bytes(lens[i]);
      Reader f(buf[2]);
      d.names.resize(f.var());
      for (auto& n : d.names) n = f.bytes(f.var());
      for (size_t i = 0; i < b.count && f.ok; ++i) {
        EventView& e = d.events[i];
        e.packed = f.bytes(f.var());
        e.names = d.names.data();
        e.nameCount = d.names.size();
        d.fieldStart.push_back(0);
      }
      ok = r.ok && f.ok && f.done() && d.fieldStart.size() == b.count;
    }
    if (!ok) markCorrupt(b);
    return ok;
  }

  struct Snapshot {
    std::vector<std::shared_ptr<const Block>> blocks;
    std::vector<std::shared_ptr<const std::string>> unsealed;
  };
  Snapshot snapshot() const {
    Snapshot s;
    std::lock_guard lock(mu);
    s.blocks = blocks;
    for (const auto& seg : sealQueue) s.unsealed.insert(s.unsealed.end(), seg->records.begin(), seg->records.end());
    if (current) s.unsealed.insert(s.unsealed.end(), current->records.begin(), current->records.end());
    return s;
  }

  // Calls f(worker, const EventView&) for every event in scope, in [from, to), matching `m`:
  // first the unsealed events (worker 0), then the blocks of `order` (already filtered), shared
  // among `workers` threads that each take the next block in order; `stop(block)` is asked before
  // each block and ends that worker. With more than one worker, f and stop must be thread-safe.
  template <typename F, typename Stop>
  void scan(const Snapshot& snap, const std::vector<const Block*>& order, const Scope& scope, const Matcher& m,
            TimeUs from, TimeUs to, bool full, size_t workers, F&& f, Stop&& stop, uint64_t& blocksRead) const {
    auto visitor = [&](size_t worker, Matcher::Scratch& scratch) {
      return [&, worker](const EventView& e) {
        if (e.timeUs < from || e.timeUs >= to || !scope.allows(e.orgId)) return;
        if (!m.matchesAll() && !m.matches(e, scratch)) return;
        f(worker, e);
      };
    };
    {
      Matcher::Scratch scratch;
      auto visit = visitor(0, scratch);
      Decoded d;
      for (const auto& rec : snap.unsealed) decodeRecord(*rec, d);
      d.finish();
      for (const auto& e : d.events) visit(e);
    }
    workers = std::max<size_t>(1, std::min(workers, order.size()));
    std::atomic<size_t> next{0};
    std::atomic<uint64_t> read{0};
    auto run = [&](size_t worker) {
      Matcher::Scratch scratch;
      auto visit = visitor(worker, scratch);
      std::string buf[3];
      Decoded d;
      for (size_t i = next++; i < order.size(); i = next++) {
        const Block* b = order[i];
        if (stop(*b)) break;
        if (!decodeBlock(*b, full, buf, d)) continue;
        ++read;
        for (const auto& e : d.events) visit(e);
      }
    };
    std::vector<std::thread> helpers;
    for (size_t w = 1; w < workers; ++w) helpers.emplace_back(run, w);
    run(0);
    for (auto& t : helpers) t.join();
    blocksRead += read;
  }

  static size_t scanWorkers() { return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4); }

  static bool blockInScope(const Block& b, const Scope& scope) {
    if (scope.allOrgs) return true;
    for (int64_t o : b.orgs)
      if (scope.allows(o)) return true;
    return false;
  }
  static bool blockAllInScope(const Block& b, const Scope& scope) {
    if (scope.allOrgs) return true;
    for (int64_t o : b.orgs)
      if (!scope.allows(o)) return false;
    return true;
  }

  std::vector<const Block*> candidates(const Snapshot& snap, const Scope& scope, const Matcher& m, TimeUs from,
                                       TimeUs to, uint64_t& skipped) const {
    std::vector<const Block*> out;
    for (const auto& b : snap.blocks) {
      if (b->maxTime < from || b->minTime >= to || !blockInScope(*b, scope) || !m.mayMatch(b->filter())) {
        ++skipped;
        continue;
      }
      out.push_back(b.get());
    }
    return out;
  }
};

bool Scope::allows(int64_t orgId) const {
  if (allOrgs) return true;
  for (int64_t o : orgIds)
    if (o == orgId) return true;
  return false;
}

const StoredField* StoredEvent::field(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStore::~EventStore() { close(); }

Result<std::unique_ptr<EventStore>> EventStore::open(const fs::path& dir, const Options& options) {
  if (options.maxBlockEvents == 0 || options.maxSegmentEvents == 0 || options.maxQueuedBytes == 0 ||
      options.maxSegmentBytes == 0 || options.maxSegmentAgeUs <= 0)
    return Error::badRequest(
        "eventstore: maxBlockEvents, maxSegmentEvents, maxSegmentBytes, maxQueuedBytes and maxSegmentAgeUs must be "
        "positive");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error::internal("eventstore: cannot create " + dir.string() + ": " + ec.message());
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = options;
  impl->lockFd = ::open((dir / "LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (impl->lockFd < 0 || ::flock(impl->lockFd, LOCK_EX | LOCK_NB) != 0)
    return Error::unavailable("eventstore: " + dir.string() + " is in use by another process");
  impl->cctx = ZSTD_createCCtx();

  std::vector<uint64_t> walSeqs;
  std::vector<std::pair<fs::path, int64_t>> parts;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    unsigned long long seq = 0;
    if (name.size() == 24 && std::sscanf(name.c_str(), "wal-%16llu.log", &seq) == 1) walSeqs.push_back(seq);
    if (name.starts_with("events-") && name.ends_with(".vgb.tmp")) {  // an interrupted retention rewrite
      std::error_code rm;
      fs::remove(entry.path(), rm);
      continue;
    }
    if (name.size() == 21 && name.starts_with("events-") && name.ends_with(".vgb")) {
      if (auto day = parseDay(std::string_view(name).substr(7, 10))) parts.emplace_back(entry.path(), *day);
    }
  }
  if (ec) return Error::internal("eventstore: cannot list " + dir.string() + ": " + ec.message());
  std::sort(walSeqs.begin(), walSeqs.end());
  const uint64_t firstReplayed = walSeqs.empty() ? UINT64_MAX : walSeqs.front();
  for (const auto& [path, day] : parts) VIGIL_TRY(impl->loadPartition(path, day, firstReplayed));
  if (!walSeqs.empty()) impl->nextSeq = std::max(impl->nextSeq, walSeqs.back() + 1);
  for (uint64_t seq : walSeqs) {
    VIGIL_ASSIGN_OR_RETURN(auto seg, impl->readSegment(seq));
    std::lock_guard sl(impl->sealMu);
    VIGIL_TRY(impl->seal(seg, false));
  }
  std::sort(impl->blocks.begin(), impl->blocks.end(),
            [](const auto& a, const auto& b) { return a->minTime < b->minTime; });
  VIGIL_TRY(impl->openNewSegment());
  Impl* p = impl.get();
  impl->writer = std::thread([p] { p->writerLoop(); });
  impl->sealer = std::thread([p] { p->sealerLoop(); });
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

void EventStore::close() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mu);
    if (s.closed) return;
    s.closed = true;
    s.stopping = true;
  }
  s.writerCv.notify_all();
  s.doneCv.notify_all();
  if (s.writer.joinable()) s.writer.join();
  s.sealerCv.notify_all();
  if (s.sealer.joinable()) s.sealer.join();
  if (s.current && s.current->fd >= 0) {
    ::close(s.current->fd);
    s.current->fd = -1;
    if (s.current->events == 0) ::unlink(s.current->walPath.c_str());
  }
}

Status EventStore::append(std::span<const normalize::Event> events, DurableCallback onDurable) {
  Impl& s = *impl_;
  auto record = std::make_shared<std::string>();
  record->resize(kWalHeader);
  putVar(*record, events.size());
  uint64_t rawBytes = 0;
  for (const auto& e : events) {
    encodeEvent(e, *record);
    rawBytes += e.raw().size();
  }
  if (record->size() - kWalHeader > UINT32_MAX) return Error::badRequest("eventstore: the batch is over 4 GiB");
  // The record stays in memory until its segment is sealed and is counted by its size: drop the
  // growth slack (up to half of it) so that the bounds hold for real memory.
  record->shrink_to_fit();
  const auto len = static_cast<uint32_t>(record->size() - kWalHeader);
  const uint32_t hdr[3] = {kWalMagic, len, crc32c(record->data() + kWalHeader, len)};
  std::memcpy(record->data(), hdr, sizeof hdr);
  {
    std::lock_guard lock(s.mu);
    if (s.closed) return Error::unavailable("eventstore: the store is closed");
    if (s.writeFailing) {
      s.rejectedBatches++;
      s.rejectedEvents += events.size();
      Error e = Error::unavailable("eventstore: the log cannot be written (disk full?); retry later");
      e.retryAfterSeconds = 1;
      return e;
    }
    if (s.queuedBytes + record->size() > s.options.maxQueuedBytes) {
      s.rejectedBatches++;
      s.rejectedEvents += events.size();
      Error e = Error::unavailable("eventstore: the write queue is full (" + std::to_string(s.queuedBytes) +
                                   " bytes waiting); retry later");
      e.retryAfterSeconds = 1;
      return e;
    }
    s.queuedBytes += record->size();
    s.queue.push_back({std::move(record), events.size(), rawBytes, std::move(onDurable), s.nextBatchNo++});
    s.acceptedBatches++;
  }
  s.writerCv.notify_one();
  return {};
}

Status EventStore::flush() {
  Impl& s = *impl_;
  std::unique_lock lock(s.mu);
  if (s.closed) return Error::unavailable("eventstore: the store is closed");
  const uint64_t target = s.nextBatchNo - 1;
  s.doneCv.wait(lock, [&] { return s.durableBatchNo >= target || s.closed; });
  const uint64_t seq = s.current->seq;
  s.rotateRequested = true;
  s.writerCv.notify_all();
  s.doneCv.wait(lock, [&] {
    return s.closed || (s.sealedSeq >= seq) ||
           (s.current->seq == seq && s.current->events == 0 && s.sealQueue.empty()) ||
           (s.current->seq > seq && s.sealQueue.empty());
  });
  return {};
}

Result<SearchResult> EventStore::search(const SearchRequest& req) const {
  const Impl& s = *impl_;
  if (req.limit > kMaxLimit) return Error::validation("limit", "at most " + std::to_string(kMaxLimit));
  if (req.offset > 100'000) return Error::validation("offset", "at most 100000");
  VIGIL_ASSIGN_OR_RETURN(Node node, parseQuery(req.query));
  Matcher m(node);
  auto snap = s.snapshot();
  SearchResult out;
  auto order = s.candidates(snap, req.scope, m, req.fromUs, req.toUs, out.blocksSkipped);
  if (req.newestFirst) {
    std::sort(order.begin(), order.end(), [](const Block* a, const Block* b) { return a->maxTime > b->maxTime; });
  } else {
    std::sort(order.begin(), order.end(), [](const Block* a, const Block* b) { return a->minTime < b->minTime; });
  }
  const size_t need = req.offset + req.limit;
  // Matches as (time, arrival number) so equal times keep a stable order. The blocks are read by
  // all workers newest (or oldest) first; once `need` hits are held, a block that cannot hold a
  // better one ends the scan.
  std::vector<std::pair<std::pair<TimeUs, uint64_t>, StoredEvent>> hits;
  std::mutex hitsMu;
  uint64_t arrival = 0;
  std::optional<TimeUs> bound;  // the time of the need-th best hit, once there are that many
  auto better = [&](const auto& a, const auto& b) {
    if (a.first.first != b.first.first)
      return req.newestFirst ? a.first.first > b.first.first : a.first.first < b.first.first;
    return a.first.second < b.first.second;
  };
  auto trim = [&] {
    if (need == 0 || hits.size() < need) return;
    std::nth_element(hits.begin(), hits.begin() + static_cast<long>(need - 1), hits.end(), better);
    hits.resize(need);
    bound = hits[need - 1].first.first;
  };
  s.scan(
      snap, order, req.scope, m, req.fromUs, req.toUs, true, Impl::scanWorkers(),
      [&](size_t, const EventView& e) {
        auto beaten = [&] { return bound && (req.newestFirst ? e.timeUs < *bound : e.timeUs > *bound); };
        {
          std::lock_guard lock(hitsMu);
          if (beaten()) return;
        }
        StoredEvent stored = toStored(e);
        std::lock_guard lock(hitsMu);
        if (beaten()) return;
        hits.push_back({{e.timeUs, arrival++}, std::move(stored)});
        if (hits.size() >= need * 2 + 64) trim();
      },
      [&](const Block& b) {
        if (need == 0) return true;
        std::lock_guard lock(hitsMu);
        trim();
        if (!bound) return false;
        return req.newestFirst ? b.maxTime < *bound : b.minTime > *bound;
      },
      out.blocksRead);
  std::sort(hits.begin(), hits.end(), better);
  for (size_t i = req.offset; i < hits.size() && i < need; ++i) out.events.push_back(std::move(hits[i].second));
  return out;
}

Result<Histogram> EventStore::histogram(const Scope& scope, std::string_view query, TimeUs fromUs, TimeUs toUs,
                                        TimeUs bucketUs) const {
  const Impl& s = *impl_;
  if (bucketUs <= 0) return Error::validation("bucket", "must be positive");
  if (toUs <= fromUs) return Error::validation("to", "must be after from");
  const uint64_t span = static_cast<uint64_t>(toUs) - static_cast<uint64_t>(fromUs);
  const uint64_t n = span / static_cast<uint64_t>(bucketUs) + (span % static_cast<uint64_t>(bucketUs) != 0);
  if (n > kMaxBuckets) return Error::validation("bucket", "more than " + std::to_string(kMaxBuckets) + " buckets");
  VIGIL_ASSIGN_OR_RETURN(Node node, parseQuery(query));
  Matcher m(node);
  Histogram h{fromUs, bucketUs, std::vector<uint64_t>(n, 0), 0};
  auto snap = s.snapshot();
  uint64_t skipped = 0, read = 0;
  auto order = s.candidates(snap, scope, m, fromUs, toUs, skipped);
  // A block wholly inside one bucket, wholly in scope, with a match-everything query: its count.
  std::vector<const Block*> rest;
  for (const Block* b : order) {
    if (m.matchesAll() && b->minTime >= fromUs && b->maxTime < toUs && Impl::blockAllInScope(*b, scope) &&
        (b->minTime - fromUs) / bucketUs == (b->maxTime - fromUs) / bucketUs && !b->corrupt.load()) {
      h.counts[static_cast<size_t>((b->minTime - fromUs) / bucketUs)] += b->count;
      h.total += b->count;
    } else {
      rest.push_back(b);
    }
  }
  const size_t workers = Impl::scanWorkers();
  std::vector<std::vector<uint64_t>> counts(workers, std::vector<uint64_t>(n, 0));
  s.scan(
      snap, rest, scope, m, fromUs, toUs, !m.matchesAll(), workers,
      [&](size_t w, const EventView& e) { counts[w][static_cast<size_t>((e.timeUs - fromUs) / bucketUs)]++; },
      [](const Block&) { return false; }, read);
  for (const auto& c : counts) {
    for (size_t i = 0; i < n; ++i) {
      h.counts[i] += c[i];
      h.total += c[i];
    }
  }
  return h;
}

Result<TopValues> EventStore::topValues(const Scope& scope, std::string_view query, TimeUs fromUs, TimeUs toUs,
                                        std::string_view field, size_t n) const {
  const Impl& s = *impl_;
  if (field.empty()) return Error::validation("field", "is required");
  if (n == 0 || n > 1000) return Error::validation("n", "must be 1..1000");
  VIGIL_ASSIGN_OR_RETURN(Node node, parseQuery(query));
  Matcher m(node);
  auto snap = s.snapshot();
  uint64_t skipped = 0, read = 0;
  auto order = s.candidates(snap, scope, m, fromUs, toUs, skipped);
  struct Worker {
    std::unordered_map<std::string, uint64_t> counts;
    uint64_t matched = 0, withField = 0;
    std::string key;
  };
  const size_t workers = Impl::scanWorkers();
  std::vector<Worker> ws(workers);
  TopValues out;
  s.scan(
      snap, order, scope, m, fromUs, toUs, true, workers,
      [&](size_t w, const EventView& e) {
        Worker& wk = ws[w];
        std::string& key = wk.key;
        wk.matched++;
        FieldView tmp;
        const FieldView* f = findField(e, field, tmp);
        if (!f) return;
        wk.withField++;
        if (f->type == ValueType::kTime) {
          key = normalize::Event::formatTime(f->number);
        } else if (f->type == ValueType::kInt && f->text.empty()) {
          key = std::to_string(f->number);
        } else {
          key.assign(f->text);
        }
        wk.counts[key]++;
      },
      [](const Block&) { return false; }, read);
  std::unordered_map<std::string, uint64_t> counts;
  for (auto& wk : ws) {
    out.eventsMatched += wk.matched;
    out.eventsWithField += wk.withField;
    for (auto& [k, c] : wk.counts) counts[k] += c;
  }
  out.values.assign(counts.begin(), counts.end());
  std::sort(out.values.begin(), out.values.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.values.size() > n) out.values.resize(n);
  return out;
}

Result<RetentionReport> EventStore::applyRetention(const RetentionPolicy& policy) {
  Impl& s = *impl_;
  if (policy.maxDays < 0) return Error::validation("maxDays", "must not be negative");
  for (const auto& [org, days] : policy.orgMaxDays)
    if (days < 0) return Error::validation("orgMaxDays", "must not be negative (org " + std::to_string(org) + ")");
  std::lock_guard sl(s.sealMu);
  RetentionReport report;
  std::vector<std::shared_ptr<PartitionFile>> doomed;
  {
    std::lock_guard lock(s.mu);
    uint64_t total = 0;
    for (const auto& [day, pf] : s.partitions) total += pf->size;
    for (const auto& [day, pf] : s.partitions) {  // oldest first
      const bool tooOld = policy.maxDays > 0 && (day + 1) * kDayUs <= policy.nowUs - policy.maxDays * kDayUs;
      const bool tooBig = policy.maxBytes > 0 && total > policy.maxBytes;
      if (!tooOld && !tooBig) continue;
      total -= pf->size;
      doomed.push_back(pf);
    }
    for (const auto& pf : doomed) {
      s.partitions.erase(pf->day);
      report.deletedPartitions.push_back(formatDay(pf->day));
      report.deletedBytes += pf->size;
      std::erase_if(s.blocks, [&](const std::shared_ptr<const Block>& b) {
        if (b->file != pf) return false;
        report.deletedEvents += b->count;
        return true;
      });
    }
  }
  for (const auto& pf : doomed) {
    if (::unlink(pf->path.c_str()) != 0)
      return Error::internal(sysError("eventstore: cannot delete", pf->path));  // already unlisted
  }
  if (!doomed.empty() && s.options.syncWrites) VIGIL_TRY(syncDir(s.dir));
  // Per agency: day files holding events of an agency past its own limit are rewritten without
  // them.
  if (!policy.orgMaxDays.empty()) {
    std::vector<std::pair<std::shared_ptr<PartitionFile>, std::vector<int64_t>>> work;
    {
      std::lock_guard lock(s.mu);
      for (const auto& [day, pf] : s.partitions) {
        std::vector<int64_t> drop;
        for (const auto& b : s.blocks) {
          if (b->file != pf) continue;
          for (int64_t org : b->orgs) {
            auto it = policy.orgMaxDays.find(org);
            if (it == policy.orgMaxDays.end() || it->second <= 0) continue;
            if ((day + 1) * kDayUs <= policy.nowUs - it->second * kDayUs &&
                std::find(drop.begin(), drop.end(), org) == drop.end())
              drop.push_back(org);
          }
        }
        if (!drop.empty()) work.emplace_back(pf, std::move(drop));
      }
    }
    for (const auto& [pf, drop] : work) VIGIL_TRY(s.rewriteWithout(pf, drop, report));
  }
  return report;
}

Stats EventStore::stats() const {
  const Impl& s = *impl_;
  Stats st;
  std::lock_guard lock(s.mu);
  std::map<int64_t, PartitionStats> parts;
  for (const auto& [day, pf] : s.partitions) {
    auto& p = parts[day];
    p.day = formatDay(day);
    p.diskBytes = pf->size;
    st.diskBytes += pf->size;
  }
  for (const auto& b : s.blocks) {
    auto& p = parts[b->file->day];
    p.events += b->count;
    p.blocks++;
    p.rawBytes += b->rawBytes;
    st.events += b->count;
    st.rawBytes += b->rawBytes;
    st.blocks++;
  }
  auto addSeg = [&](const Segment& seg) {
    st.events += seg.events;
    st.rawBytes += seg.rawBytes;
    st.diskBytes += seg.walSize;
  };
  for (const auto& seg : s.sealQueue) addSeg(*seg);
  if (s.current) addSeg(*s.current);
  for (auto& [day, p] : parts) st.partitions.push_back(p);
  st.queuedBytes = s.queuedBytes;
  st.acceptedBatches = s.acceptedBatches;
  st.rejectedBatches = s.rejectedBatches;
  st.rejectedEvents = s.rejectedEvents;
  st.walTornTails = s.walTornTails;
  st.corruptBlocks = s.corruptBlocks;
  st.truncatedBytes = s.truncatedBytes;
  return st;
}

}  // namespace vigil::eventstore
