// Durability: a child process appends and is killed with SIGKILL; every batch it saw
// acknowledged must be found after reopening. A torn log tail is cut and counted at open.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "store_support.h"

using namespace vigil;
using namespace vigil::eventstore;
using namespace vigil::eventstore::testing;

namespace {

constexpr int kBatch = 100;
constexpr int kBatches = 90;

// The child: appends kBatches batches, writing the first id of each acknowledged batch to `fd`.
[[noreturn]] void appender(const std::filesystem::path& dir, int fd, Options options, int idBase) {
  auto store = EventStore::open(dir, options);
  if (!store.ok()) _exit(2);
  for (int b = 0; b < kBatches; ++b) {
    std::vector<normalize::Event> evs;
    for (int i = 0; i < kBatch; ++i) {
      const int id = idBase + b * kBatch + i;
      evs.push_back(makeEvent(id, 1 + id % 3, kBase + id * 1000LL, "crash test event " + std::to_string(id)));
    }
    for (;;) {
      Status st = (*store)->append(evs, [fd, b, idBase](const Status& s) {
        if (!s.ok()) return;
        int32_t first = idBase + b * kBatch;
        if (::write(fd, &first, sizeof first) != sizeof first) _exit(3);
      });
      if (st.ok()) break;
      ::usleep(1000);  // refused: push back and retry
    }
    ::usleep(2000);
  }
  ::pause();  // wait for the kill
  _exit(0);
}

std::set<int32_t> runAndKill(const std::filesystem::path& dir, const Options& options, size_t killAfterAcks,
                             int idBase = 0) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    appender(dir, fds[1], options, idBase);
  }
  ::close(fds[1]);
  std::set<int32_t> acked;
  int32_t first = 0;
  while (acked.size() < killAfterAcks && ::read(fds[0], &first, sizeof first) == sizeof first) acked.insert(first);
  ::kill(pid, SIGKILL);
  // Acknowledgements written before the kill are still in the pipe.
  while (::read(fds[0], &first, sizeof first) == sizeof first) acked.insert(first);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child ended before the kill (status " << status << ")";
  return acked;
}

void expectAllAcknowledgedPresent(const std::filesystem::path& dir, const std::set<int32_t>& acked, int idBase = 0) {
  auto store = EventStore::open(dir);
  ASSERT_TRUE(store.ok()) << store.error().message;
  const std::vector<int64_t> found = ids(**store, "*");
  const std::set<int64_t> present(found.begin(), found.end());
  EXPECT_EQ(present.size(), found.size()) << "an event is stored twice";
  for (int32_t b : acked)
    for (int i = 0; i < kBatch; ++i) EXPECT_TRUE(present.count(b + i)) << "acknowledged event " << b + i << " lost";
  // Unacknowledged batches are either wholly present or wholly absent.
  for (int b = 0; b < kBatches; ++b) {
    int n = 0;
    for (int i = 0; i < kBatch; ++i) n += present.count(idBase + b * kBatch + i) ? 1 : 0;
    EXPECT_TRUE(n == 0 || n == kBatch) << "batch " << b << " is partly stored: " << n;
  }
}

TEST(EventStoreCrash, SigkillDuringAppendLosesNoAcknowledgedEvent) {
  TempDir dir;
  Options o;
  o.maxSegmentEvents = 700;  // seals happen during the load, so the kill can hit one
  const auto acked = runAndKill(dir.path(), o, 40);
  ASSERT_GE(acked.size(), 40u);
  expectAllAcknowledgedPresent(dir.path(), acked);
}

TEST(EventStoreCrash, SigkillWithEverythingInTheLog) {
  TempDir dir;
  Options o;
  o.maxSegmentAgeUs = 3600'000'000LL;
  o.maxSegmentEvents = 1'000'000;  // nothing sealed before the kill: recovery is the log replay alone
  const auto acked = runAndKill(dir.path(), o, 20);
  expectAllAcknowledgedPresent(dir.path(), acked);
  // A second kill on the recovered store: replayed events are not duplicated.
  const auto acked2 = runAndKill(dir.path(), o, 5, 100'000);
  expectAllAcknowledgedPresent(dir.path(), acked);
  expectAllAcknowledgedPresent(dir.path(), acked2, 100'000);
}

TEST(EventStoreCrash, TornLogTailIsCutAndCounted) {
  TempDir dir;
  Options o;
  o.maxSegmentAgeUs = 3600'000'000LL;
  const auto acked = runAndKill(dir.path(), o, 10);
  std::filesystem::path wal;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().filename().string().starts_with("wal-") && std::filesystem::file_size(e.path()) > 0) wal = e.path();
  ASSERT_FALSE(wal.empty());
  {
    // Half a record: a valid magic and a length that runs past the end.
    std::ofstream out(wal, std::ios::app | std::ios::binary);
    const uint32_t head[3] = {0x314C5756, 5000, 0};
    out.write(reinterpret_cast<const char*>(head), sizeof head);
    out << "partial";
  }
  auto store = EventStore::open(dir.path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->stats().walTornTails, 1u);
  const auto found = ids(**store, "*");
  EXPECT_GE(found.size(), acked.size() * kBatch);
}

}  // namespace
