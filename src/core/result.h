// Result<T>: the one error model of vigil. A function that can fail returns Result<T>; the error
// is an Error{code, message, field} built by a named factory. Propagate with VIGIL_TRY /
// VIGIL_ASSIGN_OR_RETURN. Exceptions thrown by third-party libraries are caught at the adapter
// that calls them and turned into an Error there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil {

// Stable error codes. They map one-to-one onto the API's "error.code" strings and HTTP statuses
// (see codeName() and httpStatus()).
enum class ErrorCode {
  kBadRequest,
  kInvalidJson,
  kValidation,
  kUnauthenticated,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kCsrf,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kTooManyRequests,
  kAccountLocked,
  kMfaEnrollmentRequired,
  kPasswordChangeRequired,
  kUnavailable,
  kInternal,
};

std::string_view codeName(ErrorCode code);
int httpStatus(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;              // the offending input field, when there is one
  int64_t retryAfterSeconds = 0;  // for kAccountLocked / kTooManyRequests

  static Error badRequest(std::string m) { return {ErrorCode::kBadRequest, std::move(m)}; }
  static Error invalidJson(std::string m) { return {ErrorCode::kInvalidJson, std::move(m)}; }
  static Error validation(std::string field, std::string m) {
    Error e{ErrorCode::kValidation, field + ": " + m};
    e.field = std::move(field);
    return e;
  }
  static Error unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Error forbidden(std::string m) { return {ErrorCode::kForbidden, std::move(m)}; }
  static Error notFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
  static Error of(ErrorCode c, std::string m) { return {c, std::move(m)}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& takeError() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }
  Error&& takeError() { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace vigil

#define VIGIL_CONCAT_INNER(a, b) a##b
#define VIGIL_CONCAT(a, b) VIGIL_CONCAT_INNER(a, b)

// Returns the error of a failed Result from the enclosing function.
#define VIGIL_TRY(expr)                                                \
  do {                                                                 \
    auto vigil_try_result_ = (expr);                                   \
    if (!vigil_try_result_.ok()) return vigil_try_result_.takeError(); \
  } while (0)

// `VIGIL_ASSIGN_OR_RETURN(auto x, f());` declares x from a successful Result or returns its error.
// It expands to several statements: give it braces under an `if` or a loop.
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) VIGIL_ASSIGN_OR_RETURN_IMPL(VIGIL_CONCAT(vigil_res_, __LINE__), lhs, expr)
#define VIGIL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.takeError();            \
  lhs = std::move(tmp).value()
