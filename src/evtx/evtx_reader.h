// Reading Windows event log files (.evtx) into ECS events with the Winlogbeat shape.
//
// readEvtxFile() opens a file with libevtx (hidden in evtx_reader.cpp), walks its records and
// then the records libevtx recovered from free space, and hands each one to `sink` as an Event:
//   raw                        the record rendered as XML by libevtx
//   @timestamp                 the record's written time (FILETIME, UTC)
//   winlog.channel             <System><Channel>
//   winlog.event_id, event.code  <System><EventID> (integer / its text)
//   winlog.provider_name       <System><Provider Name=...>
//   winlog.computer_name, host.name  <System><Computer>
//   winlog.record_id           the record number
//   winlog.event_data.<Name>   each <EventData><Data Name="Name"> (unnamed ones: paramN, as
//                              Winlogbeat names them); <UserData> children are flattened the same
//                              way under winlog.user_data.<Element>
//   event.provider = "winlog", event.module = "windows", event.kind = "event"
//   vigil.evtx.recovered = "true" on records recovered from free space
// Field names are static literals or copied into the Event, so the Event owns everything.
//
// Damage: a record libevtx cannot read or render, or whose XML does not parse, is skipped and
// counted in EvtxStats::corrupt; the file goes on. Recovered records (libevtx scans the free space
// of chunks for leftovers of overwritten records) are kept unless a regular record has the same
// record id; recovered candidates that do not read are counted apart, as they are often fragments. A file cut in the
// middle yields the records of its complete chunks. Only a file that cannot be opened at all (missing, not an EVTX
// file, header unreadable) is an error (Error::validation naming the path and libevtx's reason).
//
// Thread-safety: one call reads one file; calls on different files may run at the same time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "normalize/event.h"

namespace vigil::evtx {

struct EvtxStats {
  uint64_t records = 0;    // records turned into events (regular + recovered)
  uint64_t recovered = 0;  // of which recovered from free space by libevtx
  uint64_t corrupt = 0;    // records of the chunks skipped because libevtx or the XML parser could not read them
  uint64_t recoveredUnreadable = 0;   // recovered candidates (free-space leftovers) that did not read
  uint64_t recoveredDuplicates = 0;   // recovered records whose record id a regular record already had
  uint64_t declared = 0;              // records libevtx listed (regular + recovered), readable or not
  bool fileFlaggedCorrupted = false;  // libevtx_file_is_corrupted() said so (dirty or damaged file)
};

// Called once per readable record; the Event is reused between calls (copy what you keep).
// Returning false stops the walk (the stats count what was read so far).
using EvtxSink = std::function<bool(normalize::Event&)>;

Result<EvtxStats> readEvtxFile(const std::string& path, const EvtxSink& sink);
// The same over bytes in memory (an upload, the fuzz target), copied into an anonymous in-memory
// file first (see the .cpp for why not libbfio's memory range); `name` names them in errors.
Result<EvtxStats> readEvtxBuffer(std::string_view bytes, const std::string& name, const EvtxSink& sink);

// Fills `event` from one record's XML as libevtx renders it (the part of readEvtxFile that does
// not need libevtx; also used by the fuzz target). `writtenUs` is the record's written time
// (0: take <TimeCreated SystemTime> instead); `recordId` 0: take <EventRecordID>. Returns false
// when the XML does not parse or has no <System> element (the event is then unspecified).
bool eventFromRecordXml(std::string_view xml, int64_t writtenUs, uint64_t recordId, normalize::Event& event);

}  // namespace vigil::evtx
