#include "evtx/evtx_reader.h"

#include <libevtx.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include <charconv>
#include <memory>
#include <pugixml.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/clock.h"

namespace vigil::evtx {

namespace {

// FILETIME (100 ns ticks since 1601-01-01 UTC) to microseconds since the Unix epoch.
constexpr uint64_t kFiletimeUnixEpoch = 116444736000000000ull;
int64_t filetimeToUs(uint64_t filetime) {
  if (filetime < kFiletimeUnixEpoch) return 0;
  return static_cast<int64_t>((filetime - kFiletimeUnixEpoch) / 10);
}

std::string libevtxMessage(libevtx_error_t* error) {
  if (error == nullptr) return "unknown libevtx error";
  char text[512] = {};
  libevtx_error_sprint(error, text, sizeof(text));
  libevtx_error_free(&error);
  std::string s(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

struct FileCloser {
  void operator()(libevtx_file_t* file) const {
    libevtx_file_close(file, nullptr);
    libevtx_file_free(&file, nullptr);
  }
};

// Reads one record (regular or recovered) into `event`; false when it is unreadable.
bool readRecord(libevtx_record_t* record, normalize::Event& event, std::string& xml, uint64_t& id) {
  size_t size = 0;
  if (libevtx_record_get_utf8_xml_string_size(record, &size, nullptr) != 1 || size == 0) return false;
  xml.resize(size);
  if (libevtx_record_get_utf8_xml_string(record, reinterpret_cast<uint8_t*>(xml.data()), size, nullptr) != 1)
    return false;
  while (!xml.empty() && (xml.back() == '\0' || xml.back() == '\n')) xml.pop_back();
  uint64_t written = 0;
  int64_t writtenUs = 0;
  if (libevtx_record_get_written_time(record, &written, nullptr) == 1) writtenUs = filetimeToUs(written);
  id = 0;
  if (libevtx_record_get_identifier(record, &id, nullptr) != 1) id = 0;
  return eventFromRecordXml(xml, writtenUs, id, event);
}

void setInteger(normalize::Event& event, std::string_view name, std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size())
    event.setInt(name, n, text);
  else if (!text.empty())
    event.setString(name, text);
}

// Child elements of <UserData> (one wrapper element, then named values), flattened.
void flattenUserData(const pugi::xml_node& userData, normalize::Event& event) {
  for (const pugi::xml_node& wrapper : userData.children()) {
    for (const pugi::xml_node& value : wrapper.children()) {
      if (value.type() != pugi::node_element) continue;
      std::string_view text = value.text().get();
      if (!text.empty()) event.setOwnedName("winlog.user_data.", value.name(), normalize::ValueType::kString, text);
    }
  }
}

}  // namespace

bool eventFromRecordXml(std::string_view xml, int64_t writtenUs, uint64_t recordId, normalize::Event& event) {
  event.reset(xml);
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8)) return false;
  const pugi::xml_node root = doc.child("Event");
  const pugi::xml_node system = root.child("System");
  if (!system) return false;

  if (writtenUs == 0) {
    auto ms = parseRfc3339(system.child("TimeCreated").attribute("SystemTime").as_string());
    if (ms) writtenUs = *ms * 1000;
  }
  if (writtenUs != 0) event.setTime("@timestamp", writtenUs);
  event.setString("event.kind", "event");
  event.setString("event.module", "windows");
  event.setString("event.provider", "winlog");

  const std::string_view eventId = system.child("EventID").text().get();
  if (!eventId.empty()) {
    setInteger(event, "winlog.event_id", eventId);
    event.setString("event.code", eventId);
  }
  std::string_view provider = system.child("Provider").attribute("Name").as_string();
  if (provider.empty()) provider = system.child("Provider").attribute("EventSourceName").as_string();
  if (!provider.empty()) event.setString("winlog.provider_name", provider);
  const std::string_view channel = system.child("Channel").text().get();
  if (!channel.empty()) event.setString("winlog.channel", channel);
  const std::string_view computer = system.child("Computer").text().get();
  if (!computer.empty()) {
    event.setString("winlog.computer_name", computer);
    event.setString("host.name", computer);
  }
  if (recordId != 0) {
    event.setInt("winlog.record_id", static_cast<int64_t>(recordId), std::to_string(recordId));
  } else {
    setInteger(event, "winlog.record_id", system.child("EventRecordID").text().get());
  }
  setInteger(event, "winlog.process.pid", system.child("Execution").attribute("ProcessID").as_string());
  const std::string_view sid = system.child("Security").attribute("UserID").as_string();
  if (!sid.empty()) event.setString("winlog.user.identifier", sid);
  const std::string_view level = system.child("Level").text().get();
  if (!level.empty()) setInteger(event, "winlog.level", level);

  int unnamed = 0;
  for (const pugi::xml_node& data : root.child("EventData").children("Data")) {
    std::string_view name = data.attribute("Name").as_string();
    std::string fallback;
    if (name.empty()) {
      fallback = "param" + std::to_string(++unnamed);
      name = fallback;
    }
    const std::string_view value = data.text().get();
    if (!value.empty()) event.setOwnedName("winlog.event_data.", name, normalize::ValueType::kString, value);
  }
  flattenUserData(root.child("UserData"), event);
  return true;
}

namespace {

// Walks the records of an opened file (see the header for what is counted).
EvtxStats walk(libevtx_file_t* raw, const EvtxSink& sink) {
  EvtxStats stats;
  stats.fileFlaggedCorrupted = libevtx_file_is_corrupted(raw, nullptr) == 1;
  normalize::Event event;
  std::string xml;
  std::unordered_set<uint64_t> seen;  // record ids of the regular records
  // The two lists libevtx keeps: records of the chunks, then records recovered from free space.
  for (bool recovered : {false, true}) {
    int count = 0;
    const int got = recovered ? libevtx_file_get_number_of_recovered_records(raw, &count, nullptr)
                              : libevtx_file_get_number_of_records(raw, &count, nullptr);
    if (got != 1) continue;
    stats.declared += static_cast<uint64_t>(count);
    for (int i = 0; i < count; ++i) {
      libevtx_record_t* record = nullptr;
      const int ok = recovered ? libevtx_file_get_recovered_record_by_index(raw, i, &record, nullptr)
                               : libevtx_file_get_record_by_index(raw, i, &record, nullptr);
      uint64_t id = 0;
      bool readable = ok == 1 && record != nullptr && readRecord(record, event, xml, id);
      if (record != nullptr) libevtx_record_free(&record, nullptr);
      if (!readable) {
        ++(recovered ? stats.recoveredUnreadable : stats.corrupt);
        continue;
      }
      if (!recovered) {
        seen.insert(id);
      } else if (seen.count(id) != 0) {
        ++stats.recoveredDuplicates;
        continue;
      } else {
        event.setString("vigil.evtx.recovered", "true");
        ++stats.recovered;
      }
      ++stats.records;
      if (!sink(event)) return stats;
    }
  }
  return stats;
}

}  // namespace

namespace {

// Opens `path` (named `name` in errors) and walks it.
Result<EvtxStats> openAndWalk(const std::string& path, const std::string& name, const EvtxSink& sink) {
  libevtx_file_t* raw = nullptr;
  libevtx_error_t* error = nullptr;
  if (libevtx_file_initialize(&raw, &error) != 1) return Error::internal("libevtx: " + libevtxMessage(error));
  if (libevtx_file_open(raw, path.c_str(), LIBEVTX_OPEN_READ, &error) != 1) {
    libevtx_file_free(&raw, nullptr);
    return Error::validation(name, "not a readable EVTX file: " + libevtxMessage(error));
  }
  std::unique_ptr<libevtx_file_t, FileCloser> file(raw);
  return walk(raw, sink);
}

}  // namespace

Result<EvtxStats> readEvtxFile(const std::string& path, const EvtxSink& sink) { return openAndWalk(path, path, sink); }

// Not through libbfio's memory range: in libbfio 20170123 (Debian 12) it copies past the end of
// the buffer when a read runs over it (found by the fuzz target), so a cut upload would read out
// of bounds. The bytes go to an anonymous in-memory file instead, read like any file.
Result<EvtxStats> readEvtxBuffer(std::string_view bytes, const std::string& name, const EvtxSink& sink) {
  const int fd = ::memfd_create("vigil-evtx", MFD_CLOEXEC);
  if (fd < 0) return Error::internal("memfd_create failed for " + name);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::internal("cannot buffer " + name + " for reading");
    done += static_cast<size_t>(n);
  }
  return openAndWalk("/proc/self/fd/" + std::to_string(fd), name, sink);
}

}  // namespace vigil::evtx
