#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace sweepline::model {

// What went wrong, for callers to branch on. The message is for people; code never reads it.
enum class ErrorCode {
    Failed,            // nothing to branch on: show the message
    InvalidInput,      // a campaign file, a field or a command line is wrong (the message names it)
    NotFound,          // a file, a campaign or a store is not there
    Io,                // a file or the store could not be read or written
    DefinitionChanged, // the store was made from another definition of the campaign
    StoreLocked,       // another process runs the campaign, or its lock cannot be taken
    Network,           // connect, read or write failed: worth reconnecting later
    Timeout,           // no answer in time: the result of what was asked is unknown
    HostKeyChanged,    // the host key is changed, of another type, or not trusted: a hard stop
    LoginRefused,      // the server refused the login: never retried automatically
    RemoteRefused,     // the server refused something it was asked (an SFTP error, an exec)
    UnclearSubmission, // a submission's answer never arrived: the job may or may not exist
    Cancelled,         // the user stopped it
};

struct Error {
    ErrorCode code = ErrorCode::Failed;
    QString message;
};

// Errors a user must read travel as values, not exceptions (the Qt Creator way), with a code so
// that callers branch on what happened, never on the wording.
template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_error(std::move(error)) {}
    static Result failure(QString message) { return Error{ErrorCode::Failed, std::move(message)}; }
    static Result failure(ErrorCode code, QString message) { return Error{code, std::move(message)}; }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    T& value() & { return *m_value; }
    const T& value() const& { return *m_value; }
    T&& value() && { return std::move(*m_value); }
    T* operator->() { return &*m_value; }
    const T* operator->() const { return &*m_value; }

    // Only meaningful when !ok().
    const QString& error() const { return m_error.message; }
    ErrorCode errorCode() const { return m_error.code; }
    // To pass a failure on as another Result type, code and message unchanged.
    const Error& failureInfo() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

struct Done {};
using Status = Result<Done>;
inline Status success()
{
    return Done{};
}

} // namespace sweepline::model
