#include "core/result.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Result<int> parsePositive(int v) {
  if (v <= 0) return Error::validation("v", "must be positive");
  return v;
}

Result<int> doubled(int v) {
  VIGIL_ASSIGN_OR_RETURN(int x, parsePositive(v));
  return x * 2;
}

Status check(int v) {
  VIGIL_TRY(parsePositive(v));
  return {};
}

TEST(Result, PropagatesErrorsWithTheirCodeAndField) {
  EXPECT_EQ(*doubled(4), 8);
  auto r = doubled(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kValidation);
  EXPECT_EQ(r.error().field, "v");
  EXPECT_EQ(r.error().message, "v: must be positive");
  EXPECT_TRUE(check(1).ok());
  EXPECT_FALSE(check(0).ok());
}

TEST(Result, CodesMapToStableNamesAndStatuses) {
  EXPECT_EQ(codeName(ErrorCode::kCsrf), "csrf_failed");
  EXPECT_EQ(httpStatus(ErrorCode::kCsrf), 403);
  EXPECT_EQ(httpStatus(ErrorCode::kAccountLocked), 423);
  EXPECT_EQ(httpStatus(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(httpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(codeName(ErrorCode::kValidation), "validation_failed");
}

}  // namespace
}  // namespace vigil
